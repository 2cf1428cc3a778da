import { ClaimSigner } from "../transport/signed_claims.ts";

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
  readonly #signer: ClaimSigner;
  readonly #now: () => number;

  /** @param secret HMAC key, at least 32 bytes; @param now wall clock, for expiry */
  constructor(secret: Uint8Array, now: () => number = Date.now) {
    this.#signer = new ClaimSigner(secret, CLAIMS_TAG, "seat secret");
    this.#now = now;
  }

  /** Sign `claims`. */
  issue(claims: SeatClaims): Promise<string> {
    return this.#signer.sign([claims.seatId, claims.roomId, claims.game, claims.expiresAtMs]);
  }

  /** Check the signature, the claims and the expiry; never throws for bad input. */
  async verify(token: string): Promise<SeatTokenCheck> {
    const opened = await this.#signer.open(token);
    if (!opened.ok) {
      const reason = opened.why === "malformed"
        ? "Seat is malformed: expected two base64url parts, claims.mac"
        : opened.why === "signature"
        ? "Seat signature does not match: it was not issued by this cluster"
        : "Seat claims are not understood";
      return { ok: false, reason };
    }
    const claims = parseClaims(opened.claims);
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
}

function parseClaims(value: readonly unknown[]): SeatClaims | null {
  if (value.length !== 4) return null;
  const [seatId, roomId, game, expiresAtMs] = value;
  if (typeof seatId !== "string" || typeof roomId !== "string" || typeof game !== "string") {
    return null;
  }
  if (typeof expiresAtMs !== "number" || !Number.isFinite(expiresAtMs)) return null;
  return { seatId, roomId, game, expiresAtMs };
}
