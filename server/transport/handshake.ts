/**
 * The checks of a WebSocket opening handshake (RFC 6455 §4.2.1) made before
 * `Deno.upgradeWebSocket`, which accepts a wrong version, a key of any length and a missing `Host`,
 * and negotiates the subprotocol only when the offer is spelled with `", "` between items.
 * @module
 */

/** Why an upgrade was refused before any socket existed; each is a `/metrics` label. */
export const UpgradeRefusal = {
  /** No `Upgrade: websocket`: a plain request to the WebSocket path (426). */
  NOT_WEBSOCKET: "not_websocket",
  /** No `Host` header (400). */
  NO_HOST: "no_host",
  /** `Sec-WebSocket-Version` missing or not 13 (426 with `Sec-WebSocket-Version: 13`). */
  BAD_VERSION: "bad_version",
  /** `Sec-WebSocket-Key` missing or not the base64 of 16 bytes (400). */
  BAD_KEY: "bad_key",
  /** `Origin` not on the allow-list (403). */
  ORIGIN: "origin",
  /** The game's subprotocol not offered (400). */
  SUBPROTOCOL: "subprotocol",
  /** The address holds its maximum of sockets (429). */
  TOO_MANY_CONNECTIONS: "too_many_connections",
  /** Deno refused what the checks above let through, e.g. `Connection` without `Upgrade` (400). */
  MALFORMED: "malformed",
} as const;

/** One of the reasons in {@linkcode UpgradeRefusal}. */
export type UpgradeRefusal = typeof UpgradeRefusal[keyof typeof UpgradeRefusal];

/** A refused upgrade: the reason to count and the plain-text answer. */
export interface HandshakeRefusal {
  reason: UpgradeRefusal;
  status: number;
  text: string;
  /** Headers the answer must carry (426 names the version this server speaks). */
  headers?: Record<string, string>;
}

/** What {@linkcode checkHandshake} checks against. */
export interface HandshakeOptions {
  /** The subprotocol the client must offer, e.g. `game.v2`. */
  subprotocol: string;
  /** When set, an `Origin` not listed is refused. */
  allowedOrigins?: string[] | undefined;
}

/** The base64 of exactly 16 bytes: 21 free characters, one whose low 4 bits are 0, then `==`. */
const KEY_PATTERN = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
/** Longest header value quoted back in a refusal. */
const MAX_QUOTED_CHARS = 32;

function quote(value: string): string {
  const shown = value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value;
  return JSON.stringify(shown);
}

/**
 * Whether a `Sec-WebSocket-Protocol` value offers `protocol`. The value is a comma-separated list
 * with optional spaces or tabs around each comma (RFC 7230 §7); empty items are ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { offersSubprotocol } from "./handshake.ts";
 *
 * assert.equal(offersSubprotocol("game.v1,game.v2", "game.v2"), true);
 * assert.equal(offersSubprotocol("game.v1 ,\tgame.v2", "game.v2"), true);
 * assert.equal(offersSubprotocol("game.v22", "game.v2"), false);
 * ```
 */
export function offersSubprotocol(header: string | null, protocol: string): boolean {
  if (header === null) return false;
  return header.split(",").some((item) => item.replace(/^[ \t]+|[ \t]+$/g, "") === protocol);
}

/**
 * Check an upgrade request; `null` when it may go to `Deno.upgradeWebSocket`. HTTP/1.0 cannot be
 * told apart here (`Deno.serve` does not expose the request's version), but a 1.0 request without
 * `Host`, the usual kind, is refused by the `Host` rule.
 */
export function checkHandshake(
  request: Request,
  options: HandshakeOptions,
): HandshakeRefusal | null {
  const headers = request.headers;
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return {
      reason: UpgradeRefusal.NOT_WEBSOCKET,
      status: 426,
      text: "Upgrade required: connect with a WebSocket",
      headers: { upgrade: "websocket" },
    };
  }
  if (!headers.has("host")) {
    return {
      reason: UpgradeRefusal.NO_HOST,
      status: 400,
      text: "Bad WebSocket upgrade: the request has no Host header",
    };
  }
  const version = headers.get("sec-websocket-version");
  if (version?.trim() !== "13") {
    return {
      reason: UpgradeRefusal.BAD_VERSION,
      status: 426,
      text: `Unsupported WebSocket version: ${
        version === null ? "none given" : quote(version)
      }, this server speaks 13`,
      headers: { "sec-websocket-version": "13" },
    };
  }
  const key = headers.get("sec-websocket-key");
  if (key === null || !KEY_PATTERN.test(key.trim())) {
    return {
      reason: UpgradeRefusal.BAD_KEY,
      status: 400,
      text: `Bad WebSocket upgrade: Sec-WebSocket-Key ${
        key === null ? "is missing" : `${quote(key)} is not the base64 of 16 bytes`
      }`,
    };
  }
  const origin = headers.get("origin");
  if (options.allowedOrigins !== undefined && !options.allowedOrigins.includes(origin ?? "")) {
    return {
      reason: UpgradeRefusal.ORIGIN,
      status: 403,
      text: `Origin ${origin === null ? "(none)" : origin.slice(0, 128)} is not allowed`,
    };
  }
  if (!offersSubprotocol(headers.get("sec-websocket-protocol"), options.subprotocol)) {
    return {
      reason: UpgradeRefusal.SUBPROTOCOL,
      status: 400,
      text: `Unsupported subprotocol: offer ${options.subprotocol} in Sec-WebSocket-Protocol`,
    };
  }
  return null;
}
