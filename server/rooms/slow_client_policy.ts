import type { Clock } from "../tick/clock.ts";

/** Settings of a {@linkcode SlowClientPolicy}. */
export interface SlowClientPolicyOptions {
  /**
   * Above this many queued bytes a client's snapshot is skipped this tick.
   * @default 262144
   */
  softLimitBytes?: number | undefined;
  /**
   * Above this many queued bytes a client is closed at once.
   * @default 4194304
   */
  hardLimitBytes?: number | undefined;
  /**
   * A client that stays over the soft limit this long (it is not draining) is closed.
   * @default 5000
   */
  timeoutMs?: number | undefined;
}

/** What the policy keeps per client: when it went over the soft limit, or -1 while under. */
export interface SlowClientState {
  slowSinceMs: number;
}

/**
 * What to do with one client on a broadcast tick: `send` its snapshot, `skip` it (the client is
 * behind but may catch up), or close it because it has been over the soft limit for the whole
 * timeout (`stalled`) or is over the hard limit (`overflowing`).
 */
export type SlowClientVerdict = "send" | "skip" | "stalled" | "overflowing";

/**
 * The backpressure policy of a room: a client whose socket queue grows past the soft limit gets no
 * snapshots until it drains (its next one is coded against what it acknowledged, so it still
 * decodes), and is closed when it stays over for the timeout or passes the hard limit. Time comes
 * from the room's clock, so a test drives it.
 */
export class SlowClientPolicy {
  /** Queued bytes above which snapshots are skipped. */
  readonly softLimitBytes: number;
  /** Queued bytes above which a client is closed at once. */
  readonly hardLimitBytes: number;
  /** How long a client may stay over the soft limit. */
  readonly timeoutMs: number;
  readonly #clock: Clock;

  /** @param options the limits; @param clock the room's clock */
  constructor(options: SlowClientPolicyOptions, clock: Clock) {
    this.softLimitBytes = options.softLimitBytes ?? 256 * 1024;
    this.hardLimitBytes = options.hardLimitBytes ?? 4 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.#clock = clock;
  }

  /** Judge a client with `queuedBytes` on its socket now, updating its `slowSinceMs`. */
  judge(client: SlowClientState, queuedBytes: number): SlowClientVerdict {
    if (queuedBytes <= this.softLimitBytes) {
      client.slowSinceMs = -1;
      return "send";
    }
    const nowMs = this.#clock.now();
    if (client.slowSinceMs < 0) client.slowSinceMs = nowMs;
    if (queuedBytes > this.hardLimitBytes) return "overflowing";
    return nowMs - client.slowSinceMs >= this.timeoutMs ? "stalled" : "skip";
  }

  /** The close reason for a client judged `stalled` or `overflowing` with `queuedBytes`. */
  closeReason(verdict: "stalled" | "overflowing", queuedBytes: number): string {
    return verdict === "stalled"
      ? `Client is not reading: over ${this.softLimitBytes} bytes queued for ${this.timeoutMs} ms`
      : `Client is not reading: ${queuedBytes} bytes queued, limit ${this.hardLimitBytes}`;
  }
}
