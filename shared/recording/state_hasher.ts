/**
 * A 32-bit hash of a game state, fed one value at a time. Values are only stored as they come
 * (a float64 each, `-0` as `0`); {@linkcode StateHasher.digest} then folds the buffer's 32-bit
 * words in one tight loop (per word one xor and one multiply, per value one shift, each step a
 * bijection, so any single changed word changes the hash) and mixes the result with murmur3's finalizer. It
 * is what a game's `hashState` hook writes into: the recorder keeps one hash per tick, the
 * replay compares them. Strings are hashed by their UTF-16 code units.
 *
 * @example Usage
 * ```ts
 * import { StateHasher } from "./state_hasher.ts";
 * import assert from "node:assert/strict";
 *
 * const a = new StateHasher(), b = new StateHasher();
 * a.number(1.5);
 * a.string("ada");
 * b.number(1.5);
 * b.string("ada");
 * assert.equal(a.digest(), b.digest());
 * b.number(0);
 * assert.notEqual(a.digest(), b.digest());
 * ```
 */
export class StateHasher {
  #values = new Float64Array(1024);
  #words = new Int32Array(this.#values.buffer);
  #length = 0;

  /** Start over. */
  reset(): void {
    this.#length = 0;
  }

  /** Add a number. */
  number(value: number): void {
    if (this.#length === this.#values.length) this.#grow();
    // `+ 0` turns -0 into 0: a state saved and loaded through msgpack loses the sign of zero.
    this.#values[this.#length++] = value + 0;
  }

  /** Add a string. */
  string(value: string): void {
    this.number(value.length + 0.5);
    for (let index = 0; index < value.length; index++) this.number(value.charCodeAt(index));
  }

  /** The hash of what was added since the last reset, an unsigned 32-bit integer. */
  digest(): number {
    const words = this.#words;
    const end = this.#length * 2;
    let hash = 0x9747b28c ^ end;
    // Two words (one value) a round: each step a bijection of the word it takes in.
    for (let index = 0; index < end; index += 2) {
      hash = Math.imul(hash ^ (words[index] as number), 0x9e3779b1);
      hash = Math.imul(hash ^ (words[index + 1] as number), 0x85ebca6b);
      hash ^= hash >>> 16;
    }
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    return hash >>> 0;
  }

  #grow(): void {
    const grown = new Float64Array(this.#values.length * 2);
    grown.set(this.#values);
    this.#values = grown;
    this.#words = new Int32Array(grown.buffer);
  }
}
