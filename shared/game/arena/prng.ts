/**
 * Anything that carries the PRNG state. The arena state does, so the generator lives in plain data:
 * copying or serialising the state copies the generator with it.
 */
export interface RandomSource {
  /** Generator state, an unsigned 32-bit integer. */
  rngState: number;
}

/**
 * Advances `source.rngState` one mulberry32 step and returns a float in [0, 1).
 *
 * Only integer ops (`Math.imul`, shifts), so every JS engine yields the same sequence.
 *
 * @example Usage
 * ```ts
 * import { nextRandom } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const a = { rngState: 42 };
 * const b = { rngState: 42 };
 * assert.equal(nextRandom(a), nextRandom(b));
 * assert.equal(a.rngState, b.rngState);
 * ```
 */
export function nextRandom(source: RandomSource): number {
  const a = (source.rngState + 0x6d2b79f5) | 0;
  source.rngState = a >>> 0;
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * 32-bit FNV-1a hash of `text`, to seed a room's generator from its id.
 *
 * @example Usage
 * ```ts
 * import { createArenaState, seedFromString } from "./mod.ts";
 *
 * const state = createArenaState(seedFromString("room-1"));
 * ```
 */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
