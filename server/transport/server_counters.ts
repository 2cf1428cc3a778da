import { UpgradeRefusal } from "./handshake.ts";

/** Process-wide counters of the transport, read by `/healthz` and the metrics. */
export class ServerCounters {
  /** WebSockets accepted. */
  connectionsOpened = 0;
  /** WebSockets ended. */
  connectionsClosed = 0;
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
  /** Clients closed by the server, by reason. */
  readonly kicks = new Map<string, number>();
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

  /** Count a decode error. */
  countDecodeError(reason: string): void {
    this.decodeErrors.set(reason, (this.decodeErrors.get(reason) ?? 0) + 1);
  }

  /** Count a client the server closed for `reason`. */
  kicked(reason: string): void {
    this.kicks.set(reason, (this.kicks.get(reason) ?? 0) + 1);
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.connectionsOpened - this.connectionsClosed;
  }
}
