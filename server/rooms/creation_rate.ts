/**
 * A token bucket per key (an address): `burst` takes at once, refilled at `perMinute`. The
 * registry uses one to limit how fast one address may create rooms. Keys whose bucket is full
 * again are forgotten, so memory follows the keys active in the last `burst / perMinute` minutes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeyedRateLimiter } from "./creation_rate.ts";
 *
 * const limiter = new KeyedRateLimiter({ burst: 2, perMinute: 60 });
 * assert.deepEqual([0, 0, 0, 1000].map((atMs) => limiter.take("10.0.0.1", atMs)), [
 *   true,
 *   true,
 *   false,
 *   true,
 * ]);
 * assert.equal(limiter.take("10.0.0.2", 0), true);
 * ```
 */
export class KeyedRateLimiter {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #buckets = new Map<string, { tokens: number; atMs: number }>();
  #takesSinceSweep = 0;

  /** @param limits `burst` takes at once, `perMinute` refilled (both above 0) */
  constructor(limits: { burst: number; perMinute: number }) {
    if (!(limits.burst >= 1) || !(limits.perMinute > 0)) {
      throw new RangeError(
        `Cannot limit rate: burst ${limits.burst} and ${limits.perMinute} a minute must be above 0`,
      );
    }
    this.#burst = limits.burst;
    this.#perMs = limits.perMinute / 60_000;
  }

  /** Take one token of `key` at `nowMs` (monotonic); `false` when its bucket is empty. */
  take(key: string, nowMs: number): boolean {
    if (++this.#takesSinceSweep >= 1024) this.#sweep(nowMs);
    const bucket = this.#buckets.get(key);
    const tokens = bucket === undefined ? this.#burst : this.#tokens(bucket, nowMs);
    if (tokens < 1) return false;
    if (bucket === undefined) this.#buckets.set(key, { tokens: tokens - 1, atMs: nowMs });
    else {
      bucket.tokens = tokens - 1;
      bucket.atMs = Math.max(bucket.atMs, nowMs);
    }
    return true;
  }

  /** Keys with a bucket that is not full (for tests). */
  get size(): number {
    return this.#buckets.size;
  }

  #tokens(bucket: { tokens: number; atMs: number }, nowMs: number): number {
    return Math.min(this.#burst, bucket.tokens + Math.max(0, nowMs - bucket.atMs) * this.#perMs);
  }

  /** Forget the keys whose buckets are full again: they behave exactly like unknown keys. */
  #sweep(nowMs: number): void {
    this.#takesSinceSweep = 0;
    for (const [key, bucket] of this.#buckets) {
      if (this.#tokens(bucket, nowMs) >= this.#burst) this.#buckets.delete(key);
    }
  }
}
