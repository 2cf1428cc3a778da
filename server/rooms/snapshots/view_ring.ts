/** Ticks of sent views (and of world frames) remembered: a baseline older than this is gone. */
export const VIEW_HISTORY_TICKS = 32;

/**
 * The recent views sent to one client: per slot the tick, the version of the global data it
 * carried and which rows of that tick's world frame it showed, as a bitset (the values live once
 * per room, in the frame). A baseline older than the ring is forgotten, and the next snapshot is
 * sent in full.
 *
 * The slots live in two flat typed arrays for the whole ring: a tick touches three slots of
 * every client, cold, and every separate object or array costs a cache miss. A view of the
 * workload's 150-entity world is 5 words, not a list of rows.
 */
export class ViewRing {
  /** Slots, i.e. ticks remembered. */
  readonly size: number;
  /**
   * Per slot: tick (−1 unused), rows shown (−1 whole world), global data version, and words of
   * its bitset (bit `r % 32` of word `r / 32` is row `r` of the frame).
   */
  readonly #meta: Int32Array;
  #bits: Int32Array;
  #capacity: number;
  #newest = -1;
  /** View centre used when the client's own entity is gone (e.g. between death and respawn). */
  lastCenterX = 0;
  /** See {@linkcode ViewRing.lastCenterX}. */
  lastCenterY = 0;

  /** @param size ticks remembered; @param capacity bitset words per slot to start with */
  constructor(size = VIEW_HISTORY_TICKS, capacity = 8) {
    this.size = size;
    this.#meta = new Int32Array(size * 4).fill(-1);
    this.#capacity = capacity;
    this.#bits = new Int32Array(size * capacity);
  }

  /** The slot of the view sent at `tick`, or −1 when it is not remembered. */
  find(tick: number): number {
    const slot = tick % this.size;
    return this.#meta[slot * 4] === tick ? slot : -1;
  }

  /** The slot of the newest view sent (for hysteresis), or −1 before the first. */
  get newest(): number {
    return this.#newest;
  }

  /** Tick of the view in `slot`. */
  tickOf(slot: number): number {
    return this.#meta[slot * 4] ?? -1;
  }

  /** Rows of the view in `slot`; −1 when the client was sent the whole world. */
  countOf(slot: number): number {
    return this.#meta[slot * 4 + 1] ?? -1;
  }

  /** Version of the room's global data the client had with the view in `slot`. */
  globalVersionOf(slot: number): number {
    return this.#meta[slot * 4 + 2] ?? -1;
  }

  /** Words of the bitset of `slot` (0 for a whole-world view). */
  wordsOf(slot: number): number {
    return Math.max(0, this.#meta[slot * 4 + 3]!);
  }

  /** Every slot's bitset: that of `slot` starts at {@linkcode ViewRing.offsetOf}. Valid until the next claim. */
  get bits(): Int32Array {
    return this.#bits;
  }

  /** Where the bitset of `slot` starts in {@linkcode ViewRing.bits}. */
  offsetOf(slot: number): number {
    return slot * this.#capacity;
  }

  /**
   * The slot for the view sent at `tick` showing `count` rows (−1: the whole world) in a bitset
   * of `words` words, overwriting the view of `tick − size`; the caller fills the bitset.
   */
  claim(tick: number, count: number, globalVersion: number, words: number): number {
    if (words > this.#capacity) this.#grow(words + (words >> 1));
    const slot = tick % this.size;
    this.#meta[slot * 4] = tick;
    this.#meta[slot * 4 + 1] = count;
    this.#meta[slot * 4 + 2] = globalVersion;
    this.#meta[slot * 4 + 3] = words;
    this.#newest = slot;
    return slot;
  }

  #grow(capacity: number): void {
    const bits = new Int32Array(this.size * capacity);
    for (let slot = 0; slot < this.size; slot++) {
      const from = slot * this.#capacity;
      bits.set(this.#bits.subarray(from, from + this.#capacity), slot * capacity);
    }
    this.#bits = bits;
    this.#capacity = capacity;
  }
}

/**
 * Append to `out` from index `count` the rows whose bits are set in `bits`, word `word` of a
 * bitset, ascending; returns the new count.
 */
export function appendSetRows(bits: number, word: number, out: Int32Array, count: number): number {
  const base = word << 5;
  while (bits !== 0) {
    const lowest = bits & -bits;
    out[count++] = base + 31 - Math.clz32(lowest);
    bits ^= lowest;
  }
  return count;
}

/** Set bits in a 32-bit word. */
export function bitCount(word: number): number {
  let bits = word - ((word >>> 1) & 0x5555_5555);
  bits = (bits & 0x3333_3333) + ((bits >>> 2) & 0x3333_3333);
  return (Math.imul((bits + (bits >>> 4)) & 0x0f0f_0f0f, 0x0101_0101) >>> 24);
}
