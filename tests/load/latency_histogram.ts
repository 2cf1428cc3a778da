/**
 * A latency histogram with 0.1 ms buckets up to 2 s (and one overflow bucket): exact enough for
 * RTT and jitter quantiles, cheap to record, and mergeable across bot workers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LatencyHistogram } from "./latency_histogram.ts";
 *
 * const histogram = new LatencyHistogram();
 * for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
 * assert.equal(histogram.count, 100);
 * assert.equal(histogram.quantile(0.5), 50);
 * assert.equal(histogram.quantile(0.99), 99);
 * ```
 */
export class LatencyHistogram {
  /** Width of one bucket, ms. */
  static readonly BUCKET_MS = 0.1;
  /** Largest value with a bucket of its own, ms; larger ones share the overflow bucket. */
  static readonly MAX_MS = 2000;
  /** Observations per bucket; the last is the overflow bucket. */
  readonly counts: Uint32Array;
  /** Observations recorded. */
  count = 0;
  /** Largest observation, ms. */
  maxMs = 0;

  /** @param counts bucket counts to start from, e.g. received from a worker */
  constructor(counts?: Uint32Array) {
    const size = Math.round(LatencyHistogram.MAX_MS / LatencyHistogram.BUCKET_MS) + 2;
    this.counts = new Uint32Array(size);
    if (counts !== undefined) this.add(counts);
  }

  /** Record one observation in ms; negative values count as 0. */
  record(valueMs: number): void {
    const index = Math.min(
      Math.max(Math.ceil(valueMs / LatencyHistogram.BUCKET_MS - 1e-9), 0),
      this.counts.length - 1,
    );
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count++;
    if (valueMs > this.maxMs) this.maxMs = valueMs;
  }

  /** Add the bucket counts of another histogram of the same shape. */
  add(counts: Uint32Array): void {
    if (counts.length !== this.counts.length) {
      throw new RangeError(
        `Cannot merge histograms: ${counts.length} buckets, expected ${this.counts.length}`,
      );
    }
    for (let index = 0; index < counts.length; index++) {
      const count = counts[index] ?? 0;
      if (count === 0) continue;
      this.counts[index] = (this.counts[index] ?? 0) + count;
      this.count += count;
      const upperMs = index * LatencyHistogram.BUCKET_MS;
      if (upperMs > this.maxMs) this.maxMs = upperMs;
    }
  }

  /** Forget every observation. */
  clear(): void {
    this.counts.fill(0);
    this.count = 0;
    this.maxMs = 0;
  }

  /**
   * The `q` quantile (0..1) as the upper bound of its bucket, ms; `null` when empty.
   * Values past the last bucket report {@linkcode LatencyHistogram.MAX_MS}.
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * this.count));
    let seen = 0;
    for (let index = 0; index < this.counts.length; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) {
        const upperMs = Math.min(index * LatencyHistogram.BUCKET_MS, LatencyHistogram.MAX_MS);
        return Math.round(upperMs * 10) / 10;
      }
    }
    return LatencyHistogram.MAX_MS;
  }
}
