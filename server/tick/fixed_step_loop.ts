import type { Clock, TimerHandle } from "./clock.ts";

/** Settings of a {@linkcode FixedStepLoop}. */
export interface FixedStepLoopOptions {
  /** Simulated time per step. */
  stepIntervalMs: number;
  /**
   * Most steps run in one wake-up after a stall; the rest of the backlog is dropped so a stall
   * never turns into a burst.
   * @default 5
   */
  maxCatchUpSteps?: number;
  /** Source of time and timers. */
  clock: Clock;
  /** Runs one simulation step. */
  onStep: () => void;
  /** Told how many steps were dropped after a stall. */
  onStepsDropped?: (droppedSteps: number) => void;
}

/**
 * A fixed-timestep scheduler that does not drift: step `n` is due at `start + n × interval` on a
 * monotonic clock, whatever the timer's lateness, and each wake-up runs every step that is due
 * (at most `maxCatchUpSteps`), then sleeps until the next due time.
 */
export class FixedStepLoop {
  readonly #options: Required<FixedStepLoopOptions>;
  #nextStepMs = 0;
  #timer: TimerHandle | undefined;
  #running = false;
  #steps = 0;
  #droppedSteps = 0;

  /** @param options interval, clock and step callback */
  constructor(options: FixedStepLoopOptions) {
    if (!(options.stepIntervalMs > 0)) {
      throw new RangeError(`Cannot create loop: step interval ${options.stepIntervalMs} ms`);
    }
    this.#options = { maxCatchUpSteps: 5, onStepsDropped: () => {}, ...options };
  }

  /** Steps run so far. */
  get steps(): number {
    return this.#steps;
  }

  /** Steps skipped after stalls so far. */
  get droppedSteps(): number {
    return this.#droppedSteps;
  }

  /** Whether the loop is scheduled. */
  get running(): boolean {
    return this.#running;
  }

  /** Start stepping; the first step is due one interval from now. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#nextStepMs = this.#options.clock.now() + this.#options.stepIntervalMs;
    this.#schedule();
  }

  /** Stop stepping; a step in progress finishes. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const delayMs = this.#nextStepMs - this.#options.clock.now();
    this.#timer = this.#options.clock.setTimer(() => this.#wake(), delayMs);
  }

  #wake(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const { clock, stepIntervalMs, maxCatchUpSteps, onStep } = this.#options;
    let ran = 0;
    while (this.#running && this.#nextStepMs <= clock.now() && ran < maxCatchUpSteps) {
      this.#nextStepMs += stepIntervalMs;
      this.#steps++;
      ran++;
      onStep();
    }
    if (!this.#running) return;
    const now = clock.now();
    // Only a wake that hit the cap is behind. A timer that fires a hair early runs no step, and by
    // this second clock read the step may be due: that is the next wake's step, not a dropped one.
    if (ran === maxCatchUpSteps && this.#nextStepMs <= now) {
      let dropped = Math.floor((now - this.#nextStepMs) / stepIntervalMs);
      this.#nextStepMs += dropped * stepIntervalMs;
      // Rounding may leave the next step at or before now; step past it one interval at a time.
      while (this.#nextStepMs <= now) {
        this.#nextStepMs += stepIntervalMs;
        dropped++;
      }
      this.#droppedSteps += dropped;
      this.#options.onStepsDropped(dropped);
    }
    this.#schedule();
  }
}
