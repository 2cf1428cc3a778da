/**
 * Why a WebSocket could not open: the WebSocket API hides the HTTP answer of a refused upgrade
 * (a 429 from the per-address limit looks like any dropped connection), so the bots ask again
 * with a raw handshake that reads the status and the server's reason.
 * @module
 */
import { SUBPROTOCOL } from "../../shared/protocol/mod.ts";
import { HandshakeError, WsPeer } from "../support/ws_peer.ts";

/** The answer to an upgrade request. */
export interface UpgradeAnswer {
  /** HTTP status: 101 when the upgrade was accepted, 0 when no answer came. */
  status: number;
  /** The server's reason (the refusal's body), or why no answer came. */
  reason: string;
}

/**
 * Send one upgrade request to `url` as the client would and report the answer; an accepted
 * socket is closed at once.
 */
export async function probeUpgrade(url: string, timeoutMs = 5000): Promise<UpgradeAnswer> {
  try {
    const peer = await WsPeer.connect(url, { protocols: [SUBPROTOCOL], timeoutMs });
    await peer.closeSocket();
    return { status: 101, reason: "" };
  } catch (error) {
    if (error instanceof HandshakeError) {
      return { status: error.status, reason: error.body.trim() };
    }
    return { status: 0, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The line to print when the server's per-address limit refused bots (its 429 reason says "Too
 * many connections"), or undefined for another refusal: what lifts the limit, with a value that
 * fits `bots` connections from this one machine.
 */
export function perAddressLimitHint(reason: string, bots: number): string | undefined {
  if (!/^Too many connections from /.test(reason)) return undefined;
  return `bots: the server's per-address limit refused them (every bot shares this machine's ` +
    `address): start the server with --max-connections-per-address ${bots + 10} ` +
    `(or MAX_CONNECTIONS_PER_ADDRESS=${bots + 10})`;
}
