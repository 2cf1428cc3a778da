/**
 * Slack for timers that count down in float milliseconds. 1000 / 30 is not exact in binary, so
 * after 90 steps of 33.33 ms a 3000 ms timer can be 1e-13 ms short of zero and would fire a whole
 * step late; the slack is far above that error and far below any step.
 */
export const TIMER_EPSILON_MS = 1e-6;

/** Throws unless `dtMs` is a finite number >= 0: a NaN step would poison every position. */
export function assertDtMs(dtMs: number, action: string): void {
  if (!(dtMs >= 0 && dtMs < Infinity)) {
    throw new RangeError(`Cannot ${action}: dtMs must be a finite number >= 0, got ${dtMs}`);
  }
}
