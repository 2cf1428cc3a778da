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
import { ClaimSigner } from "./signed_claims.ts";

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
  readonly #signer: ClaimSigner;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** @param options secret, lifetime and clock */
  constructor(options: ReconnectTokensOptions = {}) {
    const secret = options.secret ?? crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES));
    const ttlMs = options.ttlMs ?? 6 * 60 * 60 * 1000;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`Cannot use reconnect token lifetime: ${ttlMs} ms, needs above 0`);
    }
    this.#signer = new ClaimSigner(secret, CLAIMS_TAG, "reconnect secret");
    this.#ttlMs = ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Sign a token for the seat of `playerId` in `roomId`, valid for the configured lifetime. */
  async issue(roomId: string, playerId: number): Promise<string> {
    if (!Number.isSafeInteger(playerId) || playerId < 1) {
      throw new RangeError(`Cannot issue reconnect token: player id ${playerId} is not above 0`);
    }
    return await this.#signer.sign([roomId, playerId, this.#now() + this.#ttlMs]);
  }

  /**
   * Check a token's signature (in constant time, by `crypto.subtle.verify`), then its expiry and,
   * when `roomId` is given, that it names that room. Never throws for bad input.
   */
  async verify(token: string, roomId?: string): Promise<ReconnectTokenCheck> {
    const opened = await this.#signer.open(token);
    if (!opened.ok) {
      return refuse(
        opened.why === "malformed"
          ? "Reconnect token is malformed: expected two base64url parts, claims.mac"
          : opened.why === "signature"
          ? "Reconnect token signature does not match: it was not issued here"
          : "Reconnect token claims are not understood",
      );
    }
    const claims = parseClaims(opened.claims);
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
}

function refuse(reason: string): ReconnectTokenCheck {
  return { ok: false, reason };
}

function parseClaims(value: readonly unknown[]): ReconnectClaims | null {
  if (value.length !== 3) return null;
  const [roomId, playerId, expiresAtMs] = value;
  if (typeof roomId !== "string" || !Number.isSafeInteger(playerId)) return null;
  if (typeof playerId !== "number" || playerId < 1) return null;
  if (typeof expiresAtMs !== "number" || !Number.isFinite(expiresAtMs)) return null;
  return { roomId, playerId, expiresAtMs };
}
