import type { TransportName } from "./client_socket.ts";
import { UpgradeRefusal } from "./handshake.ts";

/** What the WebTransport side counts beyond what every connection counts. */
export interface WebTransportCounters {
  /** QUIC connections that did not become a session (bad handshake, no stream, over a limit). */
  sessionsRefused: number;
  /** Datagrams received. */
  datagramsIn: number;
  /** Datagrams sent. */
  datagramsOut: number;
  /** Datagrams replaced by a newer one before the session could write them (newest or nothing). */
  datagramsDropped: number;
  /** Snapshots over the session's datagram size, sent on its stream instead. */
  snapshotsOnStream: number;
}

/**
 * Why the server closed a client, as `/metrics` labels it. Rooms count `slow_client`; the
 * connections count the rest.
 */
export const KickReason = {
  /** No join within the join deadline. */
  JOIN_TIMEOUT: "join_timeout",
  /** No message within the silence deadline. */
  SILENT: "silent",
  /** A sustained message flood. */
  RATE_LIMITED: "rate_limited",
  /** An input sequence that jumps too far ahead. */
  BAD_SEQUENCE: "bad_sequence",
  /** An input claiming a view of a tick the server has not sent. */
  BAD_VIEW_TICK: "bad_view_tick",
  /** A command frame the game's declaration refuses. */
  BAD_COMMAND: "bad_command",
  /** A forged, expired or misused reconnect token. */
  BAD_TOKEN: "bad_token",
  /** A client that stopped reading (counted by its room). */
  SLOW_CLIENT: "slow_client",
} as const;

/** One of the reasons in {@linkcode KickReason}. */
export type KickReason = typeof KickReason[keyof typeof KickReason];

/** Every {@linkcode KickReason}, in a fixed order. */
export const KICK_REASONS: readonly KickReason[] = Object.values(KickReason);

/** Process-wide counters of the transport, read by `/healthz` and the metrics. */
export class ServerCounters {
  /** Connections accepted (WebSockets and WebTransport sessions). */
  connectionsOpened = 0;
  /** Connections ended. */
  connectionsClosed = 0;
  /** Connections open now, by transport. */
  readonly openByTransport: Record<TransportName, number> = { websocket: 0, webtransport: 0 };
  /** Connections accepted since the start, by transport. */
  readonly openedByTransport: Record<TransportName, number> = { websocket: 0, webtransport: 0 };
  /** The WebTransport side's own counters. */
  readonly webTransport: WebTransportCounters = {
    sessionsRefused: 0,
    datagramsIn: 0,
    datagramsOut: 0,
    datagramsDropped: 0,
    snapshotsOnStream: 0,
  };
  /** Messages received. */
  messagesIn = 0;
  /** Bytes received. */
  bytesIn = 0;
  /** Messages sent. */
  messagesOut = 0;
  /** Bytes sent. */
  bytesOut = 0;
  /** Messages dropped unread because their connection was over its message rate. */
  messagesThrottled = 0;
  /** Decode errors by FrameError reason. */
  readonly decodeErrors = new Map<string, number>();
  /** Clients the connections closed, by reason; every reason is there from the start, at 0. */
  readonly kicks = new Map<KickReason, number>(KICK_REASONS.map((reason) => [reason, 0]));
  /** Upgrade requests refused before the handshake, by reason; every reason is there from the start. */
  readonly upgradesRefusedByReason = new Map<UpgradeRefusal, number>(
    Object.values(UpgradeRefusal).map((reason) => [reason, 0]),
  );

  /** Count an upgrade refused for `reason`. */
  refuseUpgrade(reason: UpgradeRefusal): void {
    this.upgradesRefusedByReason.set(reason, (this.upgradesRefusedByReason.get(reason) ?? 0) + 1);
  }

  /** Upgrade requests refused before the handshake, for every reason. */
  get upgradesRefused(): number {
    let total = 0;
    for (const count of this.upgradesRefusedByReason.values()) total += count;
    return total;
  }

  /** Count a connection accepted over `transport`. */
  opened(transport: TransportName): void {
    this.connectionsOpened++;
    this.openByTransport[transport]++;
    this.openedByTransport[transport]++;
  }

  /** Count a connection over `transport` that ended. */
  closed(transport: TransportName): void {
    this.connectionsClosed++;
    this.openByTransport[transport]--;
  }

  /** Count a decode error. */
  countDecodeError(reason: string): void {
    this.decodeErrors.set(reason, (this.decodeErrors.get(reason) ?? 0) + 1);
  }

  /** Count a client the server closed for `reason`. */
  kicked(reason: KickReason): void {
    this.kicks.set(reason, (this.kicks.get(reason) ?? 0) + 1);
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.connectionsOpened - this.connectionsClosed;
  }
}
