/**
 * Turns an ever-growing counter (bytes received, snapshots applied) into a per-second rate,
 * measured over windows of `windowMs`.
 *
 * @example Usage
 * ```ts
 * import { RateMeter } from "./rate_meter.ts";
 * import assert from "node:assert/strict";
 *
 * const meter = new RateMeter();
 * meter.update(0, 0);
 * assert.equal(meter.perSecond, undefined);
 * meter.update(1000, 30);
 * assert.equal(meter.perSecond, 30);
 * ```
 */
export class RateMeter {
  /** The rate over the last full window, per second; `undefined` until a window has passed. */
  perSecond: number | undefined;
  readonly #windowMs: number;
  #startMs: number | undefined;
  #startCount = 0;

  /** @param windowMs length of one measuring window */
  constructor(windowMs = 1000) {
    this.#windowMs = windowMs;
  }

  /**
   * Feed the counter's value at `nowMs`; a counter that went down (a new connection) starts
   * again with no rate.
   */
  update(nowMs: number, count: number): void {
    if (this.#startMs === undefined || count < this.#startCount) {
      this.perSecond = undefined;
      this.#startMs = nowMs;
      this.#startCount = count;
      return;
    }
    const elapsed = nowMs - this.#startMs;
    if (elapsed < this.#windowMs) return;
    this.perSecond = (count - this.#startCount) * 1000 / elapsed;
    this.#startMs = nowMs;
    this.#startCount = count;
  }
}
