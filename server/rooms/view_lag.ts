/** Round-trip samples kept per player: about a second of acknowledgements at 30 Hz. */
const SAMPLES = 32;
/** The client interpolation's shortest delay (`InterpolationBuffer`'s `minDelayMs` default). */
const MIN_DELAY_MS = 50;
/** The client interpolation's longest delay (`InterpolationBuffer`'s `maxDelayMs` default). */
const MAX_DELAY_MS = 250;
/** The client interpolation's margin over the measured need (its `SAFETY_MARGIN_MS`). */
const DELAY_MARGIN_MS = 10;
/** Ticks of slack beyond round trip and delay: frame timing on both ends. */
const SLACK_TICKS = 2;

/**
 * How far in the past one player can honestly have seen the world: its measured round trip plus
 * its interpolation delay plus two ticks. The round trip is measured by the server from the
 * player's acknowledgements (sent time of a snapshot to the arrival of its ack), so a client
 * cannot talk it up; the delay is estimated the way the client computes its own (one snapshot
 * interval plus the arrival jitter plus a margin, within 50..250 ms), with the spread of the
 * round trips standing in for the jitter. A view claimed further back is clamped to this.
 */
export class ViewLag {
  readonly #samples = new Float64Array(SAMPLES);
  #count = 0;
  #next = 0;
  #minMs = 0;
  #maxMs = 0;

  /** Round-trip samples taken so far (at most the window). */
  get sampleCount(): number {
    return this.#count;
  }

  /** Largest round trip of the recent window, ms; 0 before any sample. */
  get maxRoundTripMs(): number {
    return this.#maxMs;
  }

  /** Record one round trip, ms. */
  sample(roundTripMs: number): void {
    this.#samples[this.#next] = roundTripMs;
    this.#next = (this.#next + 1) % SAMPLES;
    if (this.#count < SAMPLES) this.#count++;
    let min = Number.POSITIVE_INFINITY, max = 0;
    for (let index = 0; index < this.#count; index++) {
      const value = this.#samples[index]!;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    this.#minMs = min;
    this.#maxMs = max;
  }

  /**
   * The oldest view this player may claim, as ms before the newest tick; `Infinity` until its
   * round trip has been measured (only the game's rewind cap applies then).
   * @param snapshotIntervalMs time between two snapshots
   * @param stepMs the tick interval
   */
  allowedMs(snapshotIntervalMs: number, stepMs: number): number {
    if (this.#count === 0) return Number.POSITIVE_INFINITY;
    const jitterMs = this.#maxMs - this.#minMs;
    const delayMs = Math.min(
      MAX_DELAY_MS,
      Math.max(MIN_DELAY_MS, snapshotIntervalMs + jitterMs + DELAY_MARGIN_MS),
    );
    return this.#maxMs + delayMs + SLACK_TICKS * stepMs;
  }
}
