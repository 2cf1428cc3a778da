/**
 * Round-trip time from ping/pong pairs: the newest sample and a smoothed value (exponential
 * moving average, like TCP's SRTT) for display.
 *
 * @example Usage
 * ```ts
 * import { RttMeter } from "./rtt_meter.ts";
 * import assert from "node:assert/strict";
 *
 * const meter = new RttMeter();
 * meter.sample(1000, 1040);
 * assert.equal(meter.smoothedMs, 40);
 * ```
 */
export class RttMeter {
  /** Newest round trip, ms; `undefined` before the first pong. */
  lastMs: number | undefined;
  /** Smoothed round trip, ms; `undefined` before the first pong. */
  smoothedMs: number | undefined;
  readonly #weight: number;

  /** @param weight share of a new sample in the smoothed value */
  constructor(weight = 0.25) {
    this.#weight = weight;
  }

  /** Record a pong for the ping sent at `sentAtMs`, received at `receivedAtMs`. */
  sample(sentAtMs: number, receivedAtMs: number): void {
    const rtt = Math.max(0, receivedAtMs - sentAtMs);
    this.lastMs = rtt;
    this.smoothedMs = this.smoothedMs === undefined
      ? rtt
      : this.smoothedMs + (rtt - this.smoothedMs) * this.#weight;
  }
}
