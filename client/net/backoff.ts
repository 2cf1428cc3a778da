/** Settings of a {@linkcode Backoff}. */
export interface BackoffOptions {
  /**
   * First delay, ms.
   * @default 500
   */
  initialMs?: number;
  /**
   * Longest delay, ms.
   * @default 8000
   */
  maxMs?: number;
  /**
   * Up to this share is added at random, so clients dropped together by a restart do not all
   * come back in the same instant.
   * @default 0.2
   */
  jitter?: number;
  /**
   * Uniform random numbers in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/**
 * Exponential reconnect backoff: 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s… (plus a little jitter), back to
 * the start after a successful connection.
 *
 * @example Usage
 * ```ts
 * import { Backoff } from "./backoff.ts";
 * import assert from "node:assert/strict";
 *
 * const backoff = new Backoff({ jitter: 0 });
 * assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [500, 1000, 2000]);
 * ```
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempts = 0;

  /** @param options delays and jitter */
  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 8000;
    this.#jitter = options.jitter ?? 0.2;
    this.#random = options.random ?? Math.random;
  }

  /** Failed attempts since the last {@linkcode Backoff.reset}. */
  get attempts(): number {
    return this.#attempts;
  }

  /** The delay before the next attempt, ms; each call doubles the next one up to the cap. */
  next(): number {
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempts, 30));
    this.#attempts++;
    return base * (1 + this.#jitter * this.#random());
  }

  /** Start again from the first delay. */
  reset(): void {
    this.#attempts = 0;
  }
}
