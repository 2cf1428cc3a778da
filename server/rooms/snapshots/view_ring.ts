/** Ticks of sent views (and of world frames) remembered: a baseline older than this is gone. */
export const VIEW_HISTORY_TICKS = 32;

/**
 * The recent views sent to one client: per slot the tick, the version of the global data it
 * carried and the rows of that tick's world frame it showed (the values live once per room, in the
 * frame). A baseline older than the ring is forgotten, and the next snapshot is sent in full.
 *
 * The slots live in two flat typed arrays for the whole ring: a tick touches three slots of
 * every client, cold, and every separate object or array costs a cache miss.
 */
export class ViewRing {
  /** Slots, i.e. ticks remembered. */
  readonly size: number;
  /** Per slot: tick (−1 unused), row count (−1 whole world), global data version. */
  readonly #meta: Int32Array;
  #rows: Int32Array;
  #capacity: number;
  #newest = -1;
  /** View centre used when the client's own entity is gone (e.g. between death and respawn). */
  lastCenterX = 0;
  /** See {@linkcode ViewRing.lastCenterX}. */
  lastCenterY = 0;

  /** @param size ticks remembered; @param capacity rows per slot to start with */
  constructor(size = VIEW_HISTORY_TICKS, capacity = 64) {
    this.size = size;
    this.#meta = new Int32Array(size * 3).fill(-1);
    this.#capacity = capacity;
    this.#rows = new Int32Array(size * capacity);
  }

  /** The slot of the view sent at `tick`, or −1 when it is not remembered. */
  find(tick: number): number {
    const slot = tick % this.size;
    return this.#meta[slot * 3] === tick ? slot : -1;
  }

  /** The slot of the newest view sent (for hysteresis), or −1 before the first. */
  get newest(): number {
    return this.#newest;
  }

  /** Tick of the view in `slot`. */
  tickOf(slot: number): number {
    return this.#meta[slot * 3] ?? -1;
  }

  /** Rows of the view in `slot`; −1 when the client was sent the whole world. */
  countOf(slot: number): number {
    return this.#meta[slot * 3 + 1] ?? -1;
  }

  /** Version of the room's global data the client had with the view in `slot`. */
  globalVersionOf(slot: number): number {
    return this.#meta[slot * 3 + 2] ?? -1;
  }

  /** Every slot's rows: those of `slot` start at {@linkcode ViewRing.offsetOf}. Valid until the next claim. */
  get rows(): Int32Array {
    return this.#rows;
  }

  /** Where the rows of `slot` start in {@linkcode ViewRing.rows}. */
  offsetOf(slot: number): number {
    return slot * this.#capacity;
  }

  /**
   * The slot for the view sent at `tick` with `count` rows (−1: the whole world), overwriting the
   * view of `tick − size`; the caller fills its rows.
   */
  claim(tick: number, count: number, globalVersion: number): number {
    if (count > this.#capacity) this.#grow(count + (count >> 1));
    const slot = tick % this.size;
    this.#meta[slot * 3] = tick;
    this.#meta[slot * 3 + 1] = count;
    this.#meta[slot * 3 + 2] = globalVersion;
    this.#newest = slot;
    return slot;
  }

  #grow(capacity: number): void {
    const rows = new Int32Array(this.size * capacity);
    for (let slot = 0; slot < this.size; slot++) {
      const from = slot * this.#capacity;
      rows.set(this.#rows.subarray(from, from + this.#capacity), slot * capacity);
    }
    this.#rows = rows;
    this.#capacity = capacity;
  }
}
