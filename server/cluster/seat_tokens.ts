import { fromBase64Url, toBase64Url } from "../transport/reconnect_token.ts";

/** What a valid seat token says. */
export interface SeatClaims {
  /** The reservation's id in the room directory. */
  seatId: string;
  /** Room the seat is in; its id names the process that owns it. */
  roomId: string;
  /** Game of the room (the owner creates the room on the first seat consumed). */
  game: string;
  /** Wall-clock time (ms since the epoch) after which the seat is refused. */
  expiresAtMs: number;
}

/** Outcome of {@linkcode SeatTokens.verify}. */
export type SeatTokenCheck = { ok: true; claims: SeatClaims } | { ok: false; reason: string };

const CLAIMS_TAG = "st1";
const MAC_BYTES = 32;
const MAX_TOKEN_CHARS = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { fatal: true });

/**
 * Signs and checks seat tokens: `<claims>.<mac>` in base64url, claims the JSON array
 * `["st1", seatId, roomId, game, expiresAtMs]`, mac their HMAC-SHA-256 under the cluster's secret.
 * The matchmaking process signs, the owner checks, so a forged seat is refused without asking the
 * directory; the tag keeps a reconnect token (`rt1`, same secret) from passing as a seat.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SeatTokens } from "./seat_tokens.ts";
 *
 * const tokens = new SeatTokens(crypto.getRandomValues(new Uint8Array(32)));
 * const token = await tokens.issue({ seatId: "s1", roomId: "a.p1", game: "dots", expiresAtMs: Date.now() + 1000 });
 * const check = await tokens.verify(token);
 * assert.ok(check.ok && check.claims.roomId === "a.p1");
 * ```
 */
export class SeatTokens {
  readonly #secret: Uint8Array<ArrayBuffer>;
  readonly #now: () => number;
  #key: Promise<CryptoKey> | undefined;

  /** @param secret HMAC key, at least 32 bytes; @param now wall clock, for expiry */
  constructor(secret: Uint8Array, now: () => number = Date.now) {
    if (secret.length < 32) {
      throw new RangeError(`Cannot use seat secret: ${secret.length} bytes, needs at least 32`);
    }
    this.#secret = secret.slice();
    this.#now = now;
  }

  /** Sign `claims`. */
  async issue(claims: SeatClaims): Promise<string> {
    const text = toBase64Url(ENCODER.encode(JSON.stringify([
      CLAIMS_TAG,
      claims.seatId,
      claims.roomId,
      claims.game,
      claims.expiresAtMs,
    ])));
    const mac = await crypto.subtle.sign("HMAC", await this.#importKey(), ENCODER.encode(text));
    return `${text}.${toBase64Url(new Uint8Array(mac))}`;
  }

  /** Check the signature, the claims and the expiry; never throws for bad input. */
  async verify(token: string): Promise<SeatTokenCheck> {
    const parts = token.length <= MAX_TOKEN_CHARS ? token.split(".") : [];
    const [claimsText = "", macText = ""] = parts;
    const mac = parts.length === 2 && BASE64URL.test(claimsText) ? fromBase64Url(macText) : null;
    if (mac === null || mac.length !== MAC_BYTES) {
      return { ok: false, reason: "Seat is malformed: expected two base64url parts, claims.mac" };
    }
    const key = await this.#importKey();
    if (!(await crypto.subtle.verify("HMAC", key, mac, ENCODER.encode(claimsText)))) {
      return {
        ok: false,
        reason: "Seat signature does not match: it was not issued by this cluster",
      };
    }
    const claims = parseClaims(fromBase64Url(claimsText));
    if (claims === null) return { ok: false, reason: "Seat claims are not understood" };
    const nowMs = this.#now();
    if (nowMs >= claims.expiresAtMs) {
      return {
        ok: false,
        reason: `Seat reservation expired ${Math.ceil((nowMs - claims.expiresAtMs) / 1000)} s ago`,
      };
    }
    return { ok: true, claims };
  }

  #importKey(): Promise<CryptoKey> {
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

function parseClaims(bytes: Uint8Array | null): SeatClaims | null {
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(DECODER.decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 5 || value[0] !== CLAIMS_TAG) return null;
  const [, seatId, roomId, game, expiresAtMs] = value;
  if (typeof seatId !== "string" || typeof roomId !== "string" || typeof game !== "string") {
    return null;
  }
  if (typeof expiresAtMs !== "number" || !Number.isFinite(expiresAtMs)) return null;
  return { seatId, roomId, game, expiresAtMs };
}
