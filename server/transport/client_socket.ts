/**
 * What a {@linkcode Connection} needs of the transport under it: a WebSocket
 * (`websocket_socket.ts`) or a WebTransport session (`webtransport_socket.ts`). Everything above
 * it (joins, rate limits, rooms, snapshots) is the same for both.
 * @module
 */
import type { FrameError } from "../../shared/protocol/mod.ts";

/** The transports a client can use; a label of the per-transport metrics. */
export const TRANSPORTS = ["websocket", "webtransport"] as const;

/** One of {@linkcode TRANSPORTS}. */
export type TransportName = typeof TRANSPORTS[number];

/** How a batch arrived: on the reliable, ordered channel or as an unreliable datagram. */
export type Channel = "reliable" | "datagram";

/** What the socket tells its connection. */
export interface ClientSocketEvents {
  /** One frame batch arrived (a string for a WebSocket text message, which is refused). */
  message(data: Uint8Array | string, channel: Channel): void;
  /** The transport's own framing was broken (a bad stream length prefix). */
  invalid(error: FrameError): void;
  /** The socket ended, with the close code it ended with. */
  end(code: number): void;
}

/** One client's transport, as a connection sees it. */
export interface ClientSocket {
  /** Which transport this is. */
  readonly transport: TransportName;
  /** Bytes queued on the reliable channel and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Start delivering events; called once. */
  listen(events: ClientSocketEvents): void;
  /**
   * Send one frame batch; see `RoomClient.send` for `latestOnlyBytes`. Returns the bytes that
   * went out (0 when the socket is closing or a datagram was dropped).
   */
  send(bytes: Uint8Array, latestOnlyBytes: number): number;
  /** Close with a code and a reason (already shortened to what a close frame allows). */
  close(code: number, reason: string): void;
}
