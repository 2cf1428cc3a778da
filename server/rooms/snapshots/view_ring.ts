/** Ticks of sent views (and of world frames) remembered: a baseline older than this is gone. */
export const VIEW_HISTORY_TICKS = 32;

/**
 * What one client was sent at one tick: the baseline its later deltas may refer to. The values
 * live once per room in that tick's world frame; a view keeps only which rows it showed.
 */
export interface SentView {
  /** Tick of the snapshot; -1 while the slot is unused. */
  tick: number;
  /** With interest management: the rows of that tick's world frame sent, ascending. */
  rows: Int32Array;
  /** Rows in `rows`; -1 when the client was sent the whole world. */
  count: number;
  /** Version of the room's global data the client then had. */
  globalVersion: number;
}

/**
 * The recent views sent to one client, in a fixed ring of reusable slots: a baseline older than
 * the ring is forgotten, and the next snapshot to that client is sent in full.
 */
export class ViewRing {
  readonly #slots: SentView[];
  #newest: SentView | undefined;
  /** View centre used when the client's own entity is gone (e.g. between death and respawn). */
  lastCenterX = 0;
  /** See {@linkcode ViewRing.lastCenterX}. */
  lastCenterY = 0;

  /** @param size ticks remembered */
  constructor(size = VIEW_HISTORY_TICKS) {
    this.#slots = Array.from({ length: size }, () => ({
      tick: -1,
      rows: new Int32Array(0),
      count: -1,
      globalVersion: -1,
    }));
  }

  /** Ticks remembered. */
  get size(): number {
    return this.#slots.length;
  }

  /** The view sent at `tick`, if still remembered. */
  get(tick: number): SentView | undefined {
    const slot = this.#slots[tick % this.#slots.length];
    return slot !== undefined && slot.tick === tick ? slot : undefined;
  }

  /** The newest view sent, used for hysteresis. */
  get newest(): SentView | undefined {
    return this.#newest;
  }

  /** The slot to fill for `tick`; it overwrites the view of `tick − size`. */
  claim(tick: number): SentView {
    const slot = this.#slots[tick % this.#slots.length];
    if (slot === undefined) throw new RangeError(`Cannot claim view slot for tick ${tick}`);
    slot.tick = tick;
    this.#newest = slot;
    return slot;
  }
}
