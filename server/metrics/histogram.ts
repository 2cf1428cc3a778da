/**
 * Upper bounds, in milliseconds, of the tick-duration buckets: fine below the 33 ms tick budget
 * where quantiles matter, coarse above it. A last, unbounded bucket catches the rest.
 */
export const TICK_BUCKETS_MS: readonly number[] = [
  0.025,
  0.05,
  0.1,
  0.15,
  0.2,
  0.3,
  0.4,
  0.5,
  0.6,
  0.8,
  1,
  1.25,
  1.5,
  2,
  2.5,
  3,
  4,
  5,
  6,
  8,
  10,
  15,
  20,
  33.3,
  50,
  100,
  250,
  1000,
];

/**
 * A fixed-bucket histogram of durations in milliseconds, cheap enough to record every tick. It
 * keeps a count per bucket (not cumulative), the total count and the sum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Histogram } from "./histogram.ts";
 *
 * const histogram = new Histogram([1, 2, 4]);
 * for (const ms of [0.5, 1.5, 1.5, 3]) histogram.observe(ms);
 * assert.equal(histogram.count, 4);
 * assert.deepEqual([...histogram.counts], [1, 2, 1, 0]);
 * assert.equal(histogram.quantile(0.5), 1.5);
 * ```
 */
export class Histogram {
  /** Upper bound of each bucket but the last, ascending. */
  readonly boundsMs: readonly number[];
  /** Observations per bucket; one more entry than `boundsMs`, the last unbounded. */
  readonly counts: Float64Array;
  /** Observations recorded. */
  count = 0;
  /** Sum of the observations, ms. */
  sumMs = 0;

  /**
   * Create an empty histogram.
   * @param boundsMs ascending upper bounds of the buckets
   */
  constructor(boundsMs: readonly number[] = TICK_BUCKETS_MS) {
    for (let index = 1; index < boundsMs.length; index++) {
      if (!(boundsMs[index]! > boundsMs[index - 1]!)) {
        throw new RangeError(`Cannot create histogram: bounds must ascend, got ${boundsMs}`);
      }
    }
    this.boundsMs = boundsMs;
    this.counts = new Float64Array(boundsMs.length + 1);
  }

  /** Record one duration; a value equal to a bound falls into that bound's bucket. */
  observe(valueMs: number): void {
    const bounds = this.boundsMs;
    let index = 0;
    while (index < bounds.length && valueMs > bounds[index]!) index++;
    this.counts[index] = this.counts[index]! + 1;
    this.count++;
    this.sumMs += valueMs;
  }

  /**
   * Estimate the `q` quantile (0..1), interpolating linearly inside the bucket it falls in.
   * @returns `NaN` when the histogram is empty
   */
  quantile(q: number): number {
    return quantileOfBuckets(this, q);
  }
}

/** Per-bucket counts (not cumulative) and their upper bounds, as {@linkcode Histogram} has. */
export interface Buckets {
  /** Ascending upper bounds; the bucket after the last is unbounded. */
  boundsMs: readonly number[];
  /** One count per bucket, one more than `boundsMs`. */
  counts: ArrayLike<number>;
}

/**
 * Estimate the `q` quantile (0..1) of bucket counts, interpolating linearly inside the bucket it
 * falls in; a quantile in the unbounded bucket is that bucket's lower bound.
 * @returns `NaN` when every count is zero
 * @throws {RangeError} when there is not exactly one count more than bounds
 */
export function quantileOfBuckets(buckets: Buckets, q: number): number {
  const { boundsMs, counts } = buckets;
  if (counts.length !== boundsMs.length + 1) {
    throw new RangeError(
      `Cannot estimate a quantile: ${counts.length} counts for ${boundsMs.length} bounds, expected ${
        boundsMs.length + 1
      }`,
    );
  }
  let total = 0;
  for (let index = 0; index < counts.length; index++) total += counts[index]!;
  if (total <= 0) return NaN;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let below = 0;
  for (let index = 0; index < counts.length; index++) {
    const inBucket = counts[index]!;
    if (inBucket > 0 && below + inBucket >= rank) {
      const lower = index === 0 ? 0 : boundsMs[index - 1]!;
      const upper = boundsMs[index];
      if (upper === undefined) return lower;
      return lower + (upper - lower) * Math.max(0, rank - below) / inBucket;
    }
    below += inBucket;
  }
  return boundsMs.at(-1) ?? NaN;
}
