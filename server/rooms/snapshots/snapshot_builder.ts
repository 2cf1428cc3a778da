import { ByteWriter } from "../../../shared/protocol/bytes.ts";
import {
  createEntityTable,
  encodeEntityDelta,
  type EntityCoding,
  EntityDeltaScratch,
  type EntityTable,
  MAX_QUANTIZED,
  reserveEntityTable,
} from "../../../shared/protocol/entity_delta.ts";
import {
  codingFromWire,
  type EntityFieldSpec,
  type EntitySchemaWire,
  quantize,
  schemaToWire,
} from "../../../shared/protocol/entity_schema.ts";
import { FrameEncoder } from "../../../shared/protocol/mod.ts";
import { InterestGrid } from "./interest_grid.ts";
import { type SentView, ViewRing } from "./view_ring.ts";

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

/** What one client's snapshot codes: reused per call, valid until the next. */
interface CodedEntities {
  baselineTick: number;
  sendGlobal: boolean;
  entities: Uint8Array;
}

/** msgpack nil: the `global` of a snapshot whose global data did not change. */
const NIL_GLOBAL = new Uint8Array([0xc0]);

/** A snapshot body for one client and the baseline it was coded against (0 = full). */
export interface EncodedSnapshot {
  body: Uint8Array;
  baselineTick: number;
}

/**
 * Builds each client's snapshot for a tick: quantizes the world once, indexes it in a grid, then
 * per client selects the visible entities and codes them against the snapshot that client last
 * acknowledged. Clients that see the whole world and share a baseline share one encoded body.
 */
export class SnapshotBuilder {
  /** The schema as the welcome carries it. */
  readonly wire: EntitySchemaWire;
  readonly #coding: EntityCoding;
  readonly #stride: number;
  readonly #scales: number[];
  readonly #wraps: number[];
  readonly #interest: InterestOptions | undefined;
  readonly #xColumn: number;
  readonly #yColumn: number;
  readonly #grid: InterestGrid | undefined;
  readonly #world: EntityTable;
  #xs = new Float64Array(64);
  #ys = new Float64Array(64);
  #order = new Int32Array(64);
  #visible = new Int32Array(64);
  #candidates = new Int32Array(64);
  #marks = new Uint8Array(64);
  #visibleCount = 0;
  readonly #scratch = new EntityDeltaScratch();
  readonly #writer = new ByteWriter(4096);
  readonly #encoder = new FrameEncoder(256);
  readonly #sharedEntities = new Map<number, Uint8Array>();
  readonly #coded: CodedEntities = { baselineTick: 0, sendGlobal: false, entities: NIL_GLOBAL };
  #packedGlobal: Uint8Array = NIL_GLOBAL;
  #global: number[] | null = null;
  #globalVersion = 0;
  #tick = 0;

  /** @param schema the game's columns; @param interest view rules, or none for whole-world */
  constructor(schema: readonly EntityFieldSpec[], interest?: InterestOptions) {
    this.wire = schemaToWire(schema);
    this.#coding = codingFromWire(this.wire);
    this.#stride = schema.length;
    this.#scales = this.wire.entityScales;
    this.#wraps = this.wire.entityWraps;
    this.#interest = interest;
    this.#xColumn = interest === undefined ? -1 : this.wire.entityFields.indexOf(interest.xField);
    this.#yColumn = interest === undefined ? -1 : this.wire.entityFields.indexOf(interest.yField);
    if (interest !== undefined && (this.#xColumn < 1 || this.#yColumn < 1)) {
      throw new TypeError(
        `Cannot use interest fields ${interest.xField}, ${interest.yField}: not in the schema`,
      );
    }
    this.#grid = interest === undefined ? undefined : new InterestGrid(interest.cellSize ?? 256);
    this.#world = createEntityTable(this.#stride, 64);
  }

  /** A fresh ring of sent views for a client that just joined or resumed. */
  createViewRing(): ViewRing {
    return new ViewRing(this.#stride);
  }

  /** Entities in the world this tick. */
  get worldCount(): number {
    return this.#world.count;
  }

  /**
   * Take the tick's world: `rows` is row-major, `stride` numbers per entity with the id first,
   * in any order. `global` is the game's global data (or `null`).
   * @throws {RangeError} on a duplicate id or a value that does not fit the quantized range
   */
  beginTick(tick: number, rows: readonly number[], global: number[] | null): void {
    this.#tick = tick;
    this.#sharedEntities.clear();
    const stride = this.#stride;
    const count = Math.floor(rows.length / stride);
    const world = this.#world;
    reserveEntityTable(world, stride, count);
    if (this.#order.length < count) {
      this.#order = new Int32Array(count * 2);
      this.#xs = new Float64Array(count * 2);
      this.#ys = new Float64Array(count * 2);
      this.#visible = new Int32Array(count * 2);
      this.#candidates = new Int32Array(count * 2);
      this.#marks = new Uint8Array(count * 2);
    }
    const order = this.#order;
    for (let index = 0; index < count; index++) order[index] = index;
    order.subarray(0, count).sort((a, b) => (rows[a * stride] ?? 0) - (rows[b * stride] ?? 0));
    for (let index = 0; index < count; index++) {
      const source = (order[index] ?? 0) * stride;
      const id = rows[source] ?? 0;
      if (!Number.isInteger(id) || id < 1 || id > MAX_QUANTIZED) {
        throw new RangeError(`Cannot snapshot entity: id ${id} is not a positive 31-bit integer`);
      }
      if (index > 0 && world.ids[index - 1] === id) {
        throw new RangeError(`Cannot snapshot entities: id ${id} appears twice`);
      }
      world.ids[index] = id;
      const target = index * stride;
      world.values[target] = id;
      for (let column = 1; column < stride; column++) {
        const value = quantize(
          rows[source + column] ?? 0,
          this.#scales[column] ?? 1,
          this.#wraps[column] ?? 0,
        );
        if (!(Math.abs(value) <= MAX_QUANTIZED)) {
          throw new RangeError(
            `Cannot snapshot entity ${id}: ${this.wire.entityFields[column]} = ${
              rows[source + column]
            } does not fit`,
          );
        }
        world.values[target + column] = value;
      }
      if (this.#grid !== undefined) {
        this.#xs[index] = (world.values[target + this.#xColumn] ?? 0) /
          (this.#scales[this.#xColumn] ?? 1);
        this.#ys[index] = (world.values[target + this.#yColumn] ?? 0) /
          (this.#scales[this.#yColumn] ?? 1);
      }
    }
    world.count = count;
    this.#grid?.rebuild(this.#xs, this.#ys, count);
    if (!sameNumbers(this.#global, global)) {
      this.#global = global === null ? null : [...global];
      this.#packedGlobal = this.#encoder.packGlobal(this.#global);
      this.#globalVersion++;
    }
  }

  /**
   * Append one client's snapshot for this tick to `out`, coded against its view of `ackedTick`
   * when that view is still in its ring, and record it in the ring as a future baseline. The
   * room's per-client path: nothing is encoded twice and no body is allocated.
   * @returns the baseline tick used, 0 for a full snapshot
   */
  writeFor(
    ring: ViewRing,
    playerId: number,
    ackedTick: number,
    lastInputSequence: number,
    out: FrameEncoder,
  ): number {
    const coded = this.#code(ring, playerId, ackedTick);
    out.addSnapshotParts(
      this.#tick,
      coded.baselineTick,
      lastInputSequence,
      coded.entities,
      coded.sendGlobal ? this.#packedGlobal : NIL_GLOBAL,
    );
    return coded.baselineTick;
  }

  /** Like {@linkcode SnapshotBuilder.writeFor}, but returns the body alone (tests, benchmarks). */
  encodeFor(ring: ViewRing, playerId: number, ackedTick: number): EncodedSnapshot {
    const coded = this.#code(ring, playerId, ackedTick);
    const body = this.#encoder.encodeSnapshotBody({
      entities: coded.entities,
      global: coded.sendGlobal ? this.#global : null,
    });
    return { body, baselineTick: coded.baselineTick };
  }

  #code(ring: ViewRing, playerId: number, ackedTick: number): CodedEntities {
    // A baseline in the slot this tick is about to overwrite is as good as forgotten.
    const usable = ackedTick > 0 && this.#tick - ackedTick < ring.size;
    const baseline = usable ? ring.get(ackedTick) : undefined;
    const coded = this.#coded;
    coded.baselineTick = baseline?.tick ?? 0;
    coded.sendGlobal = baseline === undefined || baseline.globalVersion !== this.#globalVersion;
    const previous = ring.newest;
    const slot = ring.claim(this.#tick);
    slot.globalVersion = this.#globalVersion;
    if (this.#interest === undefined) {
      // Everyone sees the whole world: clients that share a baseline share the coded bytes.
      copyRows(this.#world, slot.table, this.#stride, null, this.#world.count);
      let shared = this.#sharedEntities.get(coded.baselineTick);
      if (shared === undefined) {
        this.#codeEntities(baseline, slot.table);
        shared = this.#writer.toBytes();
        this.#sharedEntities.set(coded.baselineTick, shared);
      }
      coded.entities = shared;
      return coded;
    }
    this.#selectVisible(ring, previous, playerId);
    copyRows(this.#world, slot.table, this.#stride, this.#visible, this.#visibleCount);
    this.#codeEntities(baseline, slot.table);
    coded.entities = this.#writer.view();
    return coded;
  }

  #codeEntities(baseline: SentView | undefined, table: EntityTable): void {
    this.#writer.reset();
    encodeEntityDelta(
      baseline?.table ?? null,
      table,
      this.#coding,
      this.#writer,
      this.#scratch,
      baseline === undefined ? 0 : this.#tick - baseline.tick,
    );
  }

  #selectVisible(ring: ViewRing, previous: SentView | undefined, playerId: number): void {
    const interest = this.#interest;
    const grid = this.#grid;
    if (interest === undefined || grid === undefined) return;
    const world = this.#world;
    const own = findRow(world.ids, world.count, playerId);
    if (own >= 0) {
      ring.lastCenterX = this.#xs[own] ?? 0;
      ring.lastCenterY = this.#ys[own] ?? 0;
    }
    const centerX = ring.lastCenterX;
    const centerY = ring.lastCenterY;
    const enterX = interest.halfWidth, enterY = interest.halfHeight;
    const stayX = enterX + interest.margin, stayY = enterY + interest.margin;
    // Marks per world row: bit 1 = visible now, bit 2 = was sent last time (for hysteresis).
    // Walking the rows in order then yields the visible rows sorted by id, with no sort.
    const worldCount = world.count, worldIds = world.ids;
    const marks = this.#marks;
    marks.fill(0, 0, worldCount);
    if (previous !== undefined) {
      const previousIds = previous.table.ids, previousCount = previous.table.count;
      for (let p = 0, w = 0; p < previousCount && w < worldCount;) {
        const previousId = previousIds[p] ?? 0, worldId = worldIds[w] ?? 0;
        if (previousId === worldId) {
          marks[w] = 2;
          p++;
          w++;
        } else if (previousId < worldId) p++;
        else w++;
      }
    }
    const xs = this.#xs, ys = this.#ys;
    const candidates = this.#candidates;
    const found = grid.query(
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
      if (dx > stayX || dy > stayY) continue;
      if ((dx <= enterX && dy <= enterY) || ((marks[row] ?? 0) & 2) !== 0) marks[row] = 1;
    }
    if (own >= 0) marks[own] = 1;
    const visible = this.#visible;
    let count = 0;
    for (let row = 0; row < worldCount; row++) if (marks[row] === 1) visible[count++] = row;
    this.#visibleCount = count;
  }
}

function sameNumbers(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** Binary search for `id` among the first `count` sorted ids; −1 when absent. */
function findRow(ids: Int32Array, count: number, id: number): number {
  let low = 0, high = count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const value = ids[middle] ?? 0;
    if (value === id) return middle;
    if (value < id) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Copy rows of `source` (all, or those listed in `rows`) into `target`. */
function copyRows(
  source: EntityTable,
  target: EntityTable,
  stride: number,
  rows: Int32Array | null,
  count: number,
): void {
  if (target.ids.length < count) reserveEntityTable(target, stride, count);
  if (rows === null) {
    target.ids.set(source.ids.subarray(0, count));
    target.values.set(source.values.subarray(0, count * stride));
  } else {
    const from = source.values, to = target.values;
    for (let index = 0; index < count; index++) {
      const row = rows[index] ?? 0;
      target.ids[index] = source.ids[row] ?? 0;
      // A plain loop: `set(subarray(…))` would allocate a view per row on the hot path.
      for (let column = 0, a = row * stride, b = index * stride; column < stride; column++) {
        to[b + column] = from[a + column] ?? 0;
      }
    }
  }
  target.count = count;
}
