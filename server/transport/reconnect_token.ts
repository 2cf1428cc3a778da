/**
 * Signed reconnect tokens. A token names one seat (room id and player id) until it expires, and
 * carries an HMAC-SHA-256 of those claims under a server secret, so the server keeps no table of
 * tokens and a client cannot forge or alter one.
 *
 * Wire form: `<claims>.<mac>`, both base64url without padding. `claims` is the UTF-8 JSON array
 * `["rt1", roomId, playerId, expiresAtMs]`; `mac` is the 32-byte HMAC of the `claims` text as
 * sent, so no re-encoding can change what was signed.
 * @module
 */

/** What a valid token says. */
export interface ReconnectClaims {
  /** Room the seat is in. */
  roomId: string;
  /** Player id (entity id) of the seat. */
  playerId: number;
  /** Wall-clock time (ms since the epoch) after which the token is refused. */
  expiresAtMs: number;
}

/** Outcome of {@linkcode ReconnectTokens.verify}: the claims, or why the token is refused. */
export type ReconnectTokenCheck =
  | { ok: true; claims: ReconnectClaims }
  | { ok: false; reason: string };

/** Settings of {@linkcode ReconnectTokens}. */
export interface ReconnectTokensOptions {
  /**
   * HMAC key, at least 32 bytes. Tokens verify only under the secret that signed them, so a fixed
   * secret lets tokens survive a restart and a random one makes them die with the process.
   * @default 32 random bytes
   */
  secret?: Uint8Array;
  /**
   * How long a token stays valid after it is issued. The grace period of a dropped seat is what
   * bounds a resume; the expiry bounds how long a leaked token can be replayed under a fixed
   * secret (room ids restart from 1 with the process).
   * @default 21600000 (6 hours)
   */
  ttlMs?: number;
  /**
   * Wall clock in ms since the epoch, for expiry; tests pass their own.
   * @default Date.now
   */
  now?: () => number;
}

const CLAIMS_TAG = "rt1";
const MIN_SECRET_BYTES = 32;
const MAC_BYTES = 32;
/** Longest token text looked at; LIMITS.maxTokenChars (512) bounds it on the wire already. */
const MAX_TOKEN_CHARS = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { fatal: true });

/**
 * Issues and verifies reconnect tokens under one secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReconnectTokens } from "./reconnect_token.ts";
 *
 * const tokens = new ReconnectTokens();
 * const token = await tokens.issue("arena-1", 7);
 * const check = await tokens.verify(token, "arena-1");
 * assert.ok(check.ok);
 * assert.equal(check.claims.playerId, 7);
 * assert.equal((await tokens.verify(token, "arena-2")).ok, false);
 * ```
 */
export class ReconnectTokens {
  readonly #secret: Uint8Array<ArrayBuffer>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #key: Promise<CryptoKey> | undefined;

  /** @param options secret, lifetime and clock */
  constructor(options: ReconnectTokensOptions = {}) {
    const secret = options.secret ?? crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES));
    if (secret.length < MIN_SECRET_BYTES) {
      throw new RangeError(
        `Cannot use reconnect secret: ${secret.length} bytes, needs at least ${MIN_SECRET_BYTES}`,
      );
    }
    const ttlMs = options.ttlMs ?? 6 * 60 * 60 * 1000;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`Cannot use reconnect token lifetime: ${ttlMs} ms, needs above 0`);
    }
    // A copy, so a caller that reuses its buffer cannot change the key under us.
    this.#secret = secret.slice();
    this.#ttlMs = ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Sign a token for the seat of `playerId` in `roomId`, valid for the configured lifetime. */
  async issue(roomId: string, playerId: number): Promise<string> {
    if (!Number.isSafeInteger(playerId) || playerId < 1) {
      throw new RangeError(`Cannot issue reconnect token: player id ${playerId} is not above 0`);
    }
    const claims = toBase64Url(
      ENCODER.encode(JSON.stringify([CLAIMS_TAG, roomId, playerId, this.#now() + this.#ttlMs])),
    );
    const mac = await crypto.subtle.sign("HMAC", await this.#importKey(), ENCODER.encode(claims));
    return `${claims}.${toBase64Url(new Uint8Array(mac))}`;
  }

  /**
   * Check a token's signature (in constant time, by `crypto.subtle.verify`), then its expiry and,
   * when `roomId` is given, that it names that room. Never throws for bad input.
   */
  async verify(token: string, roomId?: string): Promise<ReconnectTokenCheck> {
    const parts = token.length <= MAX_TOKEN_CHARS ? token.split(".") : [];
    const [claimsText = "", macText = ""] = parts;
    const mac = parts.length === 2 && BASE64URL.test(claimsText) ? fromBase64Url(macText) : null;
    if (mac === null || mac.length !== MAC_BYTES) {
      return refuse("Reconnect token is malformed: expected two base64url parts, claims.mac");
    }
    const valid = await crypto.subtle.verify(
      "HMAC",
      await this.#importKey(),
      mac,
      ENCODER.encode(claimsText),
    );
    if (!valid) return refuse("Reconnect token signature does not match: it was not issued here");
    // Signed by us, so the claims are ours; they are still checked, as a key leak is possible.
    const claims = parseClaims(fromBase64Url(claimsText));
    if (claims === null) return refuse("Reconnect token claims are not understood");
    const nowMs = this.#now();
    if (nowMs >= claims.expiresAtMs) {
      return refuse(
        `Reconnect token expired ${Math.ceil((nowMs - claims.expiresAtMs) / 1000)} s ago`,
      );
    }
    if (roomId !== undefined && roomId !== claims.roomId) {
      return refuse(
        `Reconnect token is for room ${JSON.stringify(claims.roomId)}, not ${
          JSON.stringify(roomId)
        }`,
      );
    }
    return { ok: true, claims };
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

function refuse(reason: string): ReconnectTokenCheck {
  return { ok: false, reason };
}

function parseClaims(bytes: Uint8Array | null): ReconnectClaims | null {
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(DECODER.decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 4 || value[0] !== CLAIMS_TAG) return null;
  const [, roomId, playerId, expiresAtMs] = value;
  if (typeof roomId !== "string" || !Number.isSafeInteger(playerId) || playerId < 1) return null;
  if (typeof expiresAtMs !== "number" || !Number.isFinite(expiresAtMs)) return null;
  return { roomId, playerId, expiresAtMs };
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
