/**
 * Signed claims: the one HMAC-SHA-256 token format behind reconnect tokens and cluster seats, so
 * the signing, the constant-time check and the base64url rules live in one place.
 * @module
 */

const MIN_SECRET_BYTES = 32;
const MAC_BYTES = 32;
/** Longest token text looked at; LIMITS.maxTokenChars (512) bounds it on the wire already. */
const MAX_TOKEN_CHARS = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { fatal: true });

/** Why {@linkcode ClaimSigner.open} refused a token. */
export type ClaimRefusal = "malformed" | "signature" | "claims";

/** Outcome of {@linkcode ClaimSigner.open}: the claims array after its tag, or why not. */
export type OpenedClaims =
  | { ok: true; claims: readonly unknown[] }
  | { ok: false; why: ClaimRefusal };

/**
 * Signs a JSON array of claims under one secret as `<claims>.<mac>` in base64url, the claims'
 * first item a tag that keeps one kind of token from passing as another under the same secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClaimSigner } from "./signed_claims.ts";
 *
 * const signer = new ClaimSigner(crypto.getRandomValues(new Uint8Array(32)), "x1", "test secret");
 * const token = await signer.sign(["room", 7]);
 * assert.deepEqual(await signer.open(token), { ok: true, claims: ["room", 7] });
 * const other = new ClaimSigner(crypto.getRandomValues(new Uint8Array(32)), "x1", "test secret");
 * assert.deepEqual(await other.open(token), { ok: false, why: "signature" });
 * ```
 */
export class ClaimSigner {
  readonly #secret: Uint8Array<ArrayBuffer>;
  readonly #tag: string;
  #key: Promise<CryptoKey> | undefined;

  /**
   * @param secret HMAC key, at least 32 bytes (copied, so a reused buffer cannot change it)
   * @param tag the claims' first item, e.g. `rt1`
   * @param what names the secret in the error, e.g. `reconnect secret`
   * @throws {RangeError} when the secret is shorter than 32 bytes
   */
  constructor(secret: Uint8Array, tag: string, what: string) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new RangeError(
        `Cannot use ${what}: ${secret.length} bytes, needs at least ${MIN_SECRET_BYTES}`,
      );
    }
    this.#secret = secret.slice();
    this.#tag = tag;
  }

  /** Sign `claims` (JSON values), tagged. */
  async sign(claims: readonly unknown[]): Promise<string> {
    const text = toBase64Url(ENCODER.encode(JSON.stringify([this.#tag, ...claims])));
    const mac = await crypto.subtle.sign("HMAC", await this.#importKey(), ENCODER.encode(text));
    return `${text}.${toBase64Url(new Uint8Array(mac))}`;
  }

  /**
   * Check a token's signature in constant time (`crypto.subtle.verify`) and its tag; returns the
   * claims after the tag for the caller to check field by field. Never throws for bad input.
   */
  async open(token: string): Promise<OpenedClaims> {
    const parts = token.length <= MAX_TOKEN_CHARS ? token.split(".") : [];
    const [claimsText = "", macText = ""] = parts;
    const mac = parts.length === 2 && BASE64URL.test(claimsText) ? fromBase64Url(macText) : null;
    if (mac === null || mac.length !== MAC_BYTES) return { ok: false, why: "malformed" };
    const key = await this.#importKey();
    if (!(await crypto.subtle.verify("HMAC", key, mac, ENCODER.encode(claimsText)))) {
      return { ok: false, why: "signature" };
    }
    // Signed by us, so the claims are ours; callers still check them, as a key leak is possible.
    const bytes = fromBase64Url(claimsText);
    let value: unknown;
    try {
      value = bytes === null ? null : JSON.parse(DECODER.decode(bytes));
    } catch {
      value = null;
    }
    if (!Array.isArray(value) || value[0] !== this.#tag) return { ok: false, why: "claims" };
    return { ok: true, claims: value.slice(1) };
  }

  #importKey(): Promise<CryptoKey> {
    // Imported on first use: a key promise made in the constructor could reject unobserved.
    this.#key ??= crypto.subtle.importKey(
      "raw",
      this.#secret,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return this.#key;
  }
}

/** Base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decode unpadded base64url; `null` for any other text, including a non-canonical last char. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  // Two encodings of one value differ only in unused low bits of the last char; accept only ours.
  return toBase64Url(bytes) === text ? bytes : null;
}
