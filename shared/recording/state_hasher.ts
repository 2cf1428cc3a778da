const FLOAT = new Float64Array(1);
const WORDS = new Uint32Array(FLOAT.buffer);

/**
 * A 32-bit hash of a game state, fed one value at a time (murmur3's mixing over the values'
 * IEEE 754 bits). It is what a game's `hashState` hook writes into: the recorder keeps one per
 * tick, the replay compares them. `-0` counts as `0` (a state saved and loaded through msgpack
 * loses the sign of zero) and every NaN counts the same.
 *
 * @example Usage
 * ```ts
 * import { StateHasher } from "./state_hasher.ts";
 * import assert from "node:assert/strict";
 *
 * const a = new StateHasher(), b = new StateHasher();
 * a.number(1.5); a.string("ada");
 * b.number(1.5); b.string("ada");
 * assert.equal(a.digest(), b.digest());
 * b.number(0);
 * assert.notEqual(a.digest(), b.digest());
 * ```
 */
export class StateHasher {
  #hash = 0x9747b28c;
  #count = 0;

  /** Start over. */
  reset(): void {
    this.#hash = 0x9747b28c;
    this.#count = 0;
  }

  /** Add a number. */
  number(value: number): void {
    if ((value | 0) === value) {
      // Integers (the common case: ids, hp, scores) skip the float round trip; +0 turns -0 to 0.
      this.#mix((value + 0) | 0);
      this.#mix(0x1f);
      return;
    }
    FLOAT[0] = value === value ? value : NaN;
    this.#mix(WORDS[0] ?? 0);
    this.#mix(WORDS[1] ?? 0);
  }

  /** Add a string. */
  string(value: string): void {
    this.#mix(value.length | 0x40000000);
    for (let index = 0; index < value.length; index++) this.#mix(value.charCodeAt(index));
  }

  /** The hash of what was added, an unsigned 32-bit integer. */
  digest(): number {
    let hash = this.#hash ^ this.#count;
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    return hash >>> 0;
  }

  #mix(word: number): void {
    let k = Math.imul(word, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let hash = this.#hash ^ k;
    hash = (hash << 13) | (hash >>> 19);
    this.#hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
    this.#count++;
  }
}
