import { Histogram } from "../metrics/histogram.ts";

/** Counters one room keeps for the operator's metrics. */
export class RoomStats {
  /** Steps run. */
  ticks = 0;
  /** Steps dropped after stalls. */
  droppedSteps = 0;
  /** Duration of the last step, ms. */
  lastTickMs = 0;
  /** Sum of step durations, ms. */
  totalTickMs = 0;
  /** Longest step, ms. */
  maxTickMs = 0;
  /** Inputs dropped because a player's queue was full. */
  inputsDropped = 0;
  /** Inputs ignored as duplicates or older than one applied. */
  inputsStale = 0;
  /** Snapshots not sent because a client's queue was over the soft limit. */
  snapshotsSkipped = 0;
  /** Snapshots sent in full (no usable baseline). */
  fullSnapshots = 0;
  /** Clients closed for not reading. */
  slowClientsClosed = 0;
  /** Bytes of snapshot messages sent. */
  bytesOut = 0;
  /** Snapshot messages sent. */
  messagesOut = 0;
  /** Inputs whose claimed view was older than the player's measured lag allows (clamped). */
  viewsBeyondLag = 0;
  /** Inputs whose claimed view was older than the game's `maxRewindMs` (clamped). */
  viewsBeyondMaxRewind = 0;
  /** Times a game hook threw. */
  failures = 0;
  /** Step durations, for tick-time quantiles in the metrics. */
  readonly tickHistogram = new Histogram();

  /** Count one step that took `durationMs`. */
  recordTick(durationMs: number): void {
    this.ticks++;
    this.lastTickMs = durationMs;
    this.totalTickMs += durationMs;
    if (durationMs > this.maxTickMs) this.maxTickMs = durationMs;
    this.tickHistogram.observe(durationMs);
  }
}
