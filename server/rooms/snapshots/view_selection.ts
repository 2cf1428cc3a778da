import type { EntityTable } from "../../../shared/protocol/entity_delta.ts";
import type { InterestOptions } from "../../../shared/protocol/entity_schema.ts";

export type { InterestOptions };
import { InterestGrid } from "./interest_grid.ts";
import type { RowMaps } from "./row_maps.ts";
import { appendSetRows, bitCount, type ViewRing } from "./view_ring.ts";

/**
 * Worlds up to this many entities are scanned whole for each view rather than through the grid.
 * At the workload's S3 (150 entities, a view of a third of the world) the scan is the faster.
 */
const LINEAR_SCAN_MAX_ENTITIES = 512;

/**
 * One client's view of a tick sorted against the baseline view its snapshot is coded against:
 * the rows of this tick's world it sees (as a bitset), of those the rows the baseline showed too
 * (kept) and those it did not (added), and the ids the baseline showed that it no longer does
 * (removed, ascending). Filled by {@linkcode ViewSelector.select}; reused from call to call.
 */
export class ViewSplit {
  /** Bitset of the rows seen this tick: {@linkcode ViewSplit.words} words. */
  visibleWords = new Int32Array(8);
  words = 0;
  visibleCount = 0;
  /** Rows seen now and in the baseline, ascending. */
  kept = new Int32Array(64);
  keptCount = 0;
  /** Rows seen now but not in the baseline, ascending. */
  added = new Int32Array(64);
  addedCount = 0;
  /** Ids seen in the baseline but not now, ascending. */
  removedIds = new Int32Array(64);
  removedCount = 0;
  /** Rows of this world the baseline showed that are out of view now, ascending. */
  leaving = new Int32Array(64);
  /** Ids the baseline showed that have left the world, ascending. */
  goneIds = new Int32Array(64);
  /** The previous and the baseline view as bitsets of this tick's rows. */
  previousWords = new Int32Array(8);
  baselineWords = new Int32Array(8);

  /** Make room for a world of `worldCount` rows and a baseline of `baseCount`. */
  reserve(worldCount: number, baseCount: number): void {
    const words = (worldCount + 31) >>> 5;
    if (this.visibleWords.length < words) {
      this.visibleWords = new Int32Array(words * 2);
      this.previousWords = new Int32Array(words * 2);
      this.baselineWords = new Int32Array(words * 2);
    }
    if (this.kept.length < worldCount) {
      const capacity = worldCount * 2;
      this.kept = new Int32Array(capacity);
      this.added = new Int32Array(capacity);
      this.leaving = new Int32Array(capacity);
    }
    if (this.removedIds.length < baseCount) this.removedIds = new Int32Array(baseCount * 2);
    if (this.goneIds.length < baseCount) this.goneIds = new Int32Array(baseCount * 2);
  }
}

/**
 * Selects each player's view of a tick's world: the rows inside its box, with hysteresis against
 * the view it was sent last, sorted against the baseline view. Views are bitsets over the rows of
 * the world frame, so the sorting is a few word operations. Positions are taken once a tick;
 * small worlds are scanned whole, bigger ones through a grid.
 */
export class ViewSelector {
  readonly #interest: InterestOptions;
  readonly #rowMaps: RowMaps;
  readonly #grid: InterestGrid;
  #world: EntityTable | undefined;
  #xs = new Float64Array(64);
  #ys = new Float64Array(64);
  #candidates = new Int32Array(64);

  /** @param interest the view rules; @param rowMaps where previous views' rows are now */
  constructor(interest: InterestOptions, rowMaps: RowMaps) {
    this.#interest = interest;
    this.#rowMaps = rowMaps;
    this.#grid = new InterestGrid(interest.cellSize ?? 256);
  }

  /**
   * Take the tick's world; positions are `values[row × stride + column] / scale` of the x and y
   * columns.
   */
  begin(
    world: EntityTable,
    stride: number,
    xColumn: number,
    xScale: number,
    yColumn: number,
    yScale: number,
  ): void {
    const count = world.count;
    // Checked once a tick, so the reads of positions here and in `select` trust their indices.
    const columnsFit = xColumn >= 0 && xColumn < stride && yColumn >= 0 && yColumn < stride;
    if (!columnsFit || world.values.length < count * stride) {
      throw new RangeError(
        `Cannot take a world of ${count} ${stride}-column rows: it has ${world.values.length} values, positions are in columns ${xColumn} and ${yColumn}`,
      );
    }
    this.#world = world;
    if (this.#xs.length < count) {
      const capacity = count * 2;
      this.#xs = new Float64Array(capacity);
      this.#ys = new Float64Array(capacity);
      this.#candidates = new Int32Array(capacity);
    }
    const values = world.values;
    for (let row = 0; row < count; row++) {
      this.#xs[row] = values[row * stride + xColumn]! / xScale;
      this.#ys[row] = values[row * stride + yColumn]! / yScale;
    }
    if (count > LINEAR_SCAN_MAX_ENTITIES) this.#grid.rebuild(this.#xs, this.#ys, count);
  }

  /**
   * Fill `split` with the rows `playerId` sees, keeping entities of the newest view in `ring`
   * that are still within the margin, sorted against the view in ring slot `baseline` (−1: none,
   * every row is added); `baselineIds` are the ids of that view's world frame. The player's own
   * entity is always in; without one, the view stays where it was.
   */
  select(
    ring: ViewRing,
    playerId: number,
    baseline: number,
    baselineIds: Int32Array,
    split: ViewSplit,
  ): void {
    const world = this.#world;
    if (world === undefined) throw new Error("Cannot select a view before a world is begun");
    const interest = this.#interest;
    const worldCount = world.count;
    const own = findRow(world.ids, worldCount, playerId);
    if (own >= 0) {
      ring.lastCenterX = this.#xs[own]!;
      ring.lastCenterY = this.#ys[own]!;
    }
    const centerX = ring.lastCenterX;
    const centerY = ring.lastCenterY;
    const enterX = interest.halfWidth, enterY = interest.halfHeight;
    const stayX = enterX + interest.margin, stayY = enterY + interest.margin;
    const baseCount = baseline < 0 ? 0 : Math.max(0, ring.countOf(baseline));
    split.reserve(worldCount, baseCount);
    const words = (worldCount + 31) >>> 5;
    split.words = words;
    // Usually the client has acknowledged the newest view: then it serves both purposes.
    const gone = this.#viewWords(ring, baseline, words, split.baselineWords, baselineIds, split);
    const previous = baseline >= 0 && baseline === ring.newest
      ? split.baselineWords
      : split.previousWords;
    if (previous !== split.baselineWords) {
      this.#viewWords(ring, ring.newest, words, previous, undefined, split);
    }
    const xs = this.#xs, ys = this.#ys;
    const visible = split.visibleWords;
    if (worldCount <= LINEAR_SCAN_MAX_ENTITIES) {
      // One pass over the packed positions, a bit per row. Branch-free: whether a row is in view
      // is a coin toss the CPU cannot predict, and a mispredicted branch per row cost more than
      // the arithmetic (1.5 µs against 0.6 µs a view of 150, commit 8d2d543,
      // `deno bench tests/bench/snapshot_builder_bench.ts`).
      for (let word = 0; word < words; word++) {
        const first = word << 5;
        const bits = Math.min(32, worldCount - first);
        const wasSent = previous[word]!;
        let seen = 0;
        for (let bit = 0; bit < bits; bit++) {
          const dx = Math.abs(xs[first + bit]! - centerX);
          const dy = Math.abs(ys[first + bit]! - centerY);
          seen |= inView(dx, dy, enterX, enterY, stayX, stayY, (wasSent >>> bit) & 1) << bit;
        }
        visible[word] = seen;
      }
    } else {
      visible.fill(0, 0, words);
      const candidates = this.#candidates;
      const found = this.#grid.query(
        centerX - stayX,
        centerY - stayY,
        centerX + stayX,
        centerY + stayY,
        candidates,
      );
      for (let index = 0; index < found; index++) {
        const row = candidates[index]!;
        const dx = Math.abs(xs[row]! - centerX);
        const dy = Math.abs(ys[row]! - centerY);
        const wasSent = (previous[row >>> 5]! >>> (row & 31)) & 1;
        visible[row >>> 5] = visible[row >>> 5]! |
          (inView(dx, dy, enterX, enterY, stayX, stayY, wasSent) << (row & 31));
      }
    }
    // The own entity is always sent, even when it stands outside its own view box.
    if (own >= 0) visible[own >>> 5] = visible[own >>> 5]! | (1 << (own & 31));
    const base = split.baselineWords;
    const kept = split.kept, added = split.added, leaving = split.leaving;
    let visibleCount = 0, keptCount = 0, addedCount = 0, leavingCount = 0;
    for (let word = 0; word < words; word++) {
      const seen = visible[word]!, had = base[word]!;
      visibleCount += bitCount(seen);
      keptCount = appendSetRows(seen & had, word, kept, keptCount);
      addedCount = appendSetRows(seen & ~had, word, added, addedCount);
      leavingCount = appendSetRows(had & ~seen, word, leaving, leavingCount);
    }
    split.visibleCount = visibleCount;
    split.keptCount = keptCount;
    split.addedCount = addedCount;
    split.removedCount = mergeIds(
      leaving,
      leavingCount,
      world.ids,
      split.goneIds,
      gone,
      split.removedIds,
    );
  }

  /**
   * Write into `out` (`words` words) the view in `slot` of `ring` as a bitset of this tick's
   * rows: a copy when no entity came or went since, else remapped. With `ids` (the ids of the
   * view's frame), the ids of its entities that left the world go to `split.goneIds`, ascending;
   * returns how many. An empty or forgotten view is all zeros. `split.leaving` serves as scratch
   * (it is filled only after both views are read).
   */
  #viewWords(
    ring: ViewRing,
    slot: number,
    words: number,
    out: Int32Array,
    ids: Int32Array | undefined,
    split: ViewSplit,
  ): number {
    const mapping = slot < 0 || ring.countOf(slot) <= 0
      ? undefined
      : this.#rowMaps.mapping(ring.tickOf(slot));
    if (mapping === undefined) {
      if (ids !== undefined && slot >= 0 && ring.countOf(slot) > 0) {
        throw new Error(`Cannot sort a view against tick ${ring.tickOf(slot)}: its frame is gone`);
      }
      out.fill(0, 0, words);
      return 0;
    }
    const bits = ring.bits, offset = ring.offsetOf(slot), slotWords = ring.wordsOf(slot);
    if (mapping.identity) {
      // Same rows as this tick, so the same number of words: a copy, nothing to clear first.
      for (let word = 0; word < slotWords; word++) out[word] = bits[offset + word]!;
      return 0;
    }
    out.fill(0, 0, words);
    const map = mapping.map, rows = split.leaving, goneIds = split.goneIds;
    let gone = 0;
    for (let word = 0; word < slotWords; word++) {
      const count = appendSetRows(bits[offset + word]!, word, rows, 0);
      for (let index = 0; index < count; index++) {
        const oldRow = rows[index]!;
        const row = map[oldRow]!;
        if (row >= 0) out[row >>> 5] = out[row >>> 5]! | (1 << (row & 31));
        else if (ids !== undefined) goneIds[gone++] = ids[oldRow]!;
      }
    }
    return gone;
  }
}

/**
 * Write into `out` the ids of `rows` (ascending rows of a world whose ids are `ids`) merged with
 * the ascending `others`; returns how many. Usually `others` is empty.
 */
function mergeIds(
  rows: Int32Array,
  rowCount: number,
  ids: Int32Array,
  others: Int32Array,
  otherCount: number,
  out: Int32Array,
): number {
  let count = 0, other = 0;
  for (let index = 0; index < rowCount; index++) {
    const id = ids[rows[index]!]!;
    while (other < otherCount && others[other]! < id) out[count++] = others[other++]!;
    out[count++] = id;
  }
  while (other < otherCount) out[count++] = others[other++]!;
  return count;
}

/**
 * 1 when an entity `dx`, `dy` from the view centre is visible: inside the enter box, or inside the
 * stay box and sent last time (`wasSent` 1); else 0. Arithmetic on 0/1, not branches.
 */
function inView(
  dx: number,
  dy: number,
  enterX: number,
  enterY: number,
  stayX: number,
  stayY: number,
  wasSent: number,
): number {
  const stays = +(dx <= stayX) & +(dy <= stayY);
  const enters = +(dx <= enterX) & +(dy <= enterY);
  return stays & (enters | wasSent);
}

/** Binary search for `value` among the first `count` ascending values; −1 when absent. */
function findRow(values: Int32Array, count: number, value: number): number {
  let low = 0, high = count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const probe = values[middle]!;
    if (probe === value) return middle;
    if (probe < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
