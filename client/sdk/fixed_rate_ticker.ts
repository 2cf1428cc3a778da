/**
 * Schedules the ticks of a fixed-rate loop on a clock the caller passes, so the client sends
 * exactly `1000 / intervalMs` inputs a second however late and unevenly it is polled (by
 * animation frames or timers). Each tick has a scheduled time on a regular grid, which the
 * prediction uses to draw the own player moving evenly. After a long stall (a background tab)
 * the backlog is dropped rather than sent in a burst.
 *
 * @example Usage
 * ```ts
 * import { FixedRateTicker } from "./fixed_rate_ticker.ts";
 * import assert from "node:assert/strict";
 *
 * const ticker = new FixedRateTicker(25);
 * ticker.start(0);
 * assert.deepEqual(ticker.due(60), [25, 50]);
 * assert.deepEqual(ticker.due(70), []);
 * ```
 */
export class FixedRateTicker {
  readonly #intervalMs: number;
  readonly #maxCatchUp: number;
  #nextDueMs = 0;

  /**
   * @param intervalMs time between ticks
   * @param maxCatchUp most ticks run at once; a longer backlog is skipped
   */
  constructor(intervalMs: number, maxCatchUp = 5) {
    this.#intervalMs = intervalMs;
    this.#maxCatchUp = maxCatchUp;
  }

  /** Local time the next tick is due, ms. */
  get nextDueMs(): number {
    return this.#nextDueMs;
  }

  /** Begin with the first tick due one interval after `nowMs`. */
  start(nowMs: number): void {
    this.#nextDueMs = nowMs + this.#intervalMs;
  }

  /** The scheduled times of the ticks to run at `nowMs`, oldest first; counts them as run. */
  due(nowMs: number): number[] {
    const times: number[] = [];
    while (this.#nextDueMs <= nowMs && times.length < this.#maxCatchUp) {
      times.push(this.#nextDueMs);
      this.#nextDueMs += this.#intervalMs;
    }
    if (this.#nextDueMs <= nowMs) this.#nextDueMs = nowMs + this.#intervalMs;
    return times;
  }
}
