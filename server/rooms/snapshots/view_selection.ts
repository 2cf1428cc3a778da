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
 * Selects each player's view of a tick's world: the rows inside its box, with hysteresis against
 * the view it was sent last. Positions are taken once a tick; small worlds are scanned whole,
 * bigger ones through a grid.
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
   * Write into `out` (room for the whole world) the rows `playerId` sees, ascending, keeping
   * entities of the newest view in `ring` that are still within the margin; returns how many.
   * The player's own entity is always in; without one, the view stays where it was.
   */
  select(ring: ViewRing, playerId: number, out: Int32Array): number {
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
    // Rows sent last time carry this call's stamp; stamps need no clearing between clients.
    const stamp = this.#nextStamp();
    const wasSent = this.#wasSent;
    const previous = ring.newest;
    const previousCount = previous < 0 ? 0 : ring.countOf(previous);
    const map = previousCount > 0 ? this.#rowMaps.from(ring.tickOf(previous)) : undefined;
    if (map !== undefined) {
      const rows = ring.rows, offset = ring.offsetOf(previous);
      for (let index = 0; index < previousCount; index++) {
        const row = map[rows[offset + index] ?? 0] ?? -1;
        if (row >= 0) wasSent[row] = stamp;
      }
    }
    const xs = this.#xs, ys = this.#ys;
    let count = 0;
    if (worldCount <= LINEAR_SCAN_MAX_ENTITIES) {
      // One pass over the packed positions yields the rows already in id order. Branch-free:
      // whether a row is in view is a coin toss the CPU cannot predict, and a mispredicted branch
      // per row cost more than the arithmetic (measured: 1.5 µs against 0.6 µs a view of 150).
      for (let row = 0; row < worldCount; row++) {
        const dx = Math.abs((xs[row] ?? 0) - centerX);
        const dy = Math.abs((ys[row] ?? 0) - centerY);
        out[count] = row;
        count += inView(dx, dy, enterX, enterY, stayX, stayY, +(wasSent[row] === stamp));
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
        out[count] = row;
        count += inView(dx, dy, enterX, enterY, stayX, stayY, +(wasSent[row] === stamp));
      }
      out.subarray(0, count).sort();
    }
    if (own >= 0 && findRow(out, count, own) < 0) {
      // The own entity is always sent, even when it stands outside its own view box.
      out[count++] = own;
      out.subarray(0, count).sort();
    }
    return count;
  }

  #nextStamp(): number {
    if (++this.#stamp === 0x3fff_ffff) {
      this.#wasSent.fill(0);
      this.#stamp = 1;
    }
    return this.#stamp;
  }
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
