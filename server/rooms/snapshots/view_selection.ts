import type { EntityTable } from "../../../shared/protocol/entity_delta.ts";
import { InterestGrid } from "./interest_grid.ts";
import type { RowMaps } from "./row_maps.ts";
import type { ViewRing } from "./view_ring.ts";

/**
 * Interest management: which entities a player is sent. An entity enters the view when it is
 * within `halfWidth` × `halfHeight` of the player and leaves only beyond that plus `margin`, so
 * entities on the edge do not flicker in and out.
 */
export interface InterestOptions {
  /** Column holding the x position. */
  xField: string;
  /** Column holding the y position. */
  yField: string;
  /** Half the view's width, in world units. */
  halfWidth: number;
  /** Half the view's height, in world units. */
  halfHeight: number;
  /** Extra distance before a visible entity is dropped. */
  margin: number;
  /**
   * Grid cell edge in world units.
   * @default 256
   */
  cellSize?: number;
}

/**
 * Worlds up to this many entities are scanned whole for each view rather than through the grid.
 * At the workload's S3 (150 entities, a view of a third of the world) the scan is the faster.
 */
const LINEAR_SCAN_MAX_ENTITIES = 512;

/**
 * One client's view of a tick sorted against the baseline view its snapshot is coded against:
 * the rows of this tick's world it sees (ascending), of those the rows the baseline showed too
 * (kept) and those it did not (added), and the ids the baseline showed that it no longer does
 * (removed, ascending). Filled by {@linkcode ViewSelector.select}; reused from call to call.
 */
export class ViewSplit {
  /** Rows seen this tick, ascending; the first {@linkcode ViewSplit.visibleCount}. */
  visible = new Int32Array(64);
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

  /** Make room for a world of `worldCount` rows and a baseline of `baseCount`. */
  reserve(worldCount: number, baseCount: number): void {
    if (this.visible.length < worldCount) {
      const capacity = worldCount * 2;
      this.visible = new Int32Array(capacity);
      this.kept = new Int32Array(capacity);
      this.added = new Int32Array(capacity);
      this.leaving = new Int32Array(capacity);
    }
    const removable = worldCount + baseCount;
    if (this.removedIds.length < removable) this.removedIds = new Int32Array(removable * 2);
    if (this.goneIds.length < baseCount) this.goneIds = new Int32Array(baseCount * 2);
  }
}

/**
 * Selects each player's view of a tick's world: the rows inside its box, with hysteresis against
 * the view it was sent last, sorted against the baseline view in the same pass. Positions are
 * taken once a tick; small worlds are scanned whole, bigger ones through a grid.
 */
export class ViewSelector {
  readonly #interest: InterestOptions;
  readonly #rowMaps: RowMaps;
  readonly #grid: InterestGrid;
  #world: EntityTable | undefined;
  #xs = new Float64Array(64);
  #ys = new Float64Array(64);
  #candidates = new Int32Array(64);
  /** Per row: the stamp of the last selection whose previous view had it. */
  #wasSent = new Int32Array(64);
  /** Per row: the stamp of the last selection whose baseline view had it. */
  #inBaseline = new Int32Array(64);
  /** Per row: the stamp of the last selection that found it visible (the grid path). */
  #seen = new Int32Array(64);
  #stamp = 0;

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
    this.#world = world;
    const count = world.count;
    if (this.#xs.length < count) {
      const capacity = count * 2;
      this.#xs = new Float64Array(capacity);
      this.#ys = new Float64Array(capacity);
      this.#candidates = new Int32Array(capacity);
      this.#wasSent = new Int32Array(capacity);
      this.#inBaseline = new Int32Array(capacity);
      this.#seen = new Int32Array(capacity);
      this.#stamp = 0;
    }
    const values = world.values;
    for (let row = 0; row < count; row++) {
      this.#xs[row] = (values[row * stride + xColumn] ?? 0) / xScale;
      this.#ys[row] = (values[row * stride + yColumn] ?? 0) / yScale;
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
      ring.lastCenterX = this.#xs[own] ?? 0;
      ring.lastCenterY = this.#ys[own] ?? 0;
    }
    const centerX = ring.lastCenterX;
    const centerY = ring.lastCenterY;
    const enterX = interest.halfWidth, enterY = interest.halfHeight;
    const stayX = enterX + interest.margin, stayY = enterY + interest.margin;
    // Rows sent last time and rows of the baseline carry this call's stamp in their own arrays;
    // stamps need no clearing between clients.
    const stamp = this.#nextStamp();
    const baseCount = baseline < 0 ? 0 : Math.max(0, ring.countOf(baseline));
    split.reserve(worldCount, baseCount);
    // Usually the client has acknowledged the newest view: then one marking serves both.
    const wasSent = this.#wasSent;
    const inBaseline = baseline === ring.newest ? wasSent : this.#inBaseline;
    if (inBaseline !== wasSent) this.#mark(ring, ring.newest, wasSent, stamp);
    const gone = this.#markBaseline(
      ring,
      baseline,
      baseCount,
      baselineIds,
      inBaseline,
      stamp,
      split.goneIds,
    );
    const xs = this.#xs, ys = this.#ys;
    const visible = split.visible, kept = split.kept, added = split.added;
    const leaving = split.leaving;
    let visibleCount = 0, keptCount = 0, addedCount = 0, leavingCount = 0;
    if (worldCount <= LINEAR_SCAN_MAX_ENTITIES) {
      // One pass over the packed positions yields the rows in id order, already sorted into kept,
      // added and leaving. Branch-free: whether a row is in view is a coin toss the CPU cannot
      // predict, and a mispredicted branch per row cost more than the arithmetic (measured:
      // 1.5 µs against 0.6 µs a view of 150). A row is written to every list and kept by one.
      for (let row = 0; row < worldCount; row++) {
        const dx = Math.abs((xs[row] ?? 0) - centerX);
        const dy = Math.abs((ys[row] ?? 0) - centerY);
        const sees = inView(dx, dy, enterX, enterY, stayX, stayY, +(wasSent[row] === stamp)) |
          +(row === own);
        const had = +(inBaseline[row] === stamp);
        visible[visibleCount] = row;
        visibleCount += sees;
        kept[keptCount] = row;
        keptCount += sees & had;
        added[addedCount] = row;
        addedCount += sees & (had ^ 1);
        leaving[leavingCount] = row;
        leavingCount += had & (sees ^ 1);
      }
    } else {
      const candidates = this.#candidates;
      const found = this.#grid.query(
        centerX - stayX,
        centerY - stayY,
        centerX + stayX,
        centerY + stayY,
        candidates,
      );
      for (let index = 0; index < found; index++) {
        const row = candidates[index] ?? 0;
        const dx = Math.abs((xs[row] ?? 0) - centerX);
        const dy = Math.abs((ys[row] ?? 0) - centerY);
        visible[visibleCount] = row;
        visibleCount += inView(dx, dy, enterX, enterY, stayX, stayY, +(wasSent[row] === stamp));
      }
      visible.subarray(0, visibleCount).sort();
      if (own >= 0 && findRow(visible, visibleCount, own) < 0) {
        // The own entity is always sent, even when it stands outside its own view box.
        visible[visibleCount++] = own;
        visible.subarray(0, visibleCount).sort();
      }
      const seen = this.#seen;
      for (let index = 0; index < visibleCount; index++) {
        const row = visible[index] ?? 0;
        seen[row] = stamp;
        if (inBaseline[row] === stamp) kept[keptCount++] = row;
        else added[addedCount++] = row;
      }
      for (let row = 0; row < worldCount; row++) {
        if (inBaseline[row] === stamp && seen[row] !== stamp) leaving[leavingCount++] = row;
      }
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

  /** Stamp the rows (in this tick's world) of the view in `slot` of `ring`, if any. */
  #mark(ring: ViewRing, slot: number, marks: Int32Array, stamp: number): void {
    const count = slot < 0 ? 0 : ring.countOf(slot);
    if (count <= 0) return;
    const map = this.#rowMaps.from(ring.tickOf(slot));
    if (map === undefined) return;
    const rows = ring.rows, offset = ring.offsetOf(slot);
    for (let index = 0; index < count; index++) {
      const row = map[rows[offset + index] ?? 0] ?? -1;
      if (row >= 0) marks[row] = stamp;
    }
  }

  /**
   * Stamp in `marks` the baseline view's rows that are still in the world, and list the ids of
   * those that are not (ascending) in `goneIds`; returns how many are gone.
   */
  #markBaseline(
    ring: ViewRing,
    slot: number,
    count: number,
    ids: Int32Array,
    marks: Int32Array,
    stamp: number,
    goneIds: Int32Array,
  ): number {
    if (count === 0) return 0;
    const map = this.#rowMaps.from(ring.tickOf(slot));
    if (map === undefined) {
      throw new Error(`Cannot sort a view against tick ${ring.tickOf(slot)}: its frame is gone`);
    }
    const rows = ring.rows, offset = ring.offsetOf(slot);
    let gone = 0;
    for (let index = 0; index < count; index++) {
      const baseRow = rows[offset + index] ?? 0;
      const row = map[baseRow] ?? -1;
      if (row >= 0) marks[row] = stamp;
      else goneIds[gone++] = ids[baseRow] ?? 0;
    }
    return gone;
  }

  #nextStamp(): number {
    if (++this.#stamp === 0x3fff_ffff) {
      this.#wasSent.fill(0);
      this.#inBaseline.fill(0);
      this.#seen.fill(0);
      this.#stamp = 1;
    }
    return this.#stamp;
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
    const id = ids[rows[index] ?? 0] ?? 0;
    while (other < otherCount && (others[other] ?? 0) < id) out[count++] = others[other++] ?? 0;
    out[count++] = id;
  }
  while (other < otherCount) out[count++] = others[other++] ?? 0;
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
    const probe = values[middle] ?? 0;
    if (probe === value) return middle;
    if (probe < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
