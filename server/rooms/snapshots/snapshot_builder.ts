import { ByteWriter } from "../../../shared/protocol/bytes.ts";
import {
  createEntityTable,
  encodeEntityDelta,
  type EntityCoding,
  EntityDeltaScratch,
  type EntityTable,
  MAX_QUANTIZED,
  reserveEntityTable,
  writeChangeBits,
  writeRemovedIds,
} from "../../../shared/protocol/entity_delta.ts";
import {
  codingFromWire,
  type EntityFieldSpec,
  type EntitySchemaWire,
  quantize,
  schemaToWire,
} from "../../../shared/protocol/entity_schema.ts";
import { FrameEncoder } from "../../../shared/protocol/mod.ts";
import { CodedRows } from "./coded_rows.ts";
import { RowMaps } from "./row_maps.ts";
import { appendSetRows, ViewRing } from "./view_ring.ts";
import { type InterestOptions, ViewSelector, ViewSplit } from "./view_selection.ts";
import { type WorldFrame, WorldFrames } from "./world_frames.ts";

export type { InterestOptions } from "./view_selection.ts";

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
 * Builds each client's snapshot for a tick. The world is quantized once a tick into a ring of
 * world frames; a client's sent view is only a bitset over that frame's rows. Per client it selects
 * the visible entities and codes them against the view that client last acknowledged, stitching
 * together row codes shared by all clients (see {@linkcode CodedRows}). Clients that see the
 * whole world and share a baseline share one coded body.
 */
export class SnapshotBuilder {
  /** The schema as the welcome carries it. */
  readonly wire: EntitySchemaWire;
  readonly #coding: EntityCoding;
  readonly #stride: number;
  readonly #scales: number[];
  readonly #wraps: number[];
  readonly #xColumn: number;
  readonly #yColumn: number;
  readonly #frames: WorldFrames;
  readonly #rowMaps: RowMaps;
  readonly #selector: ViewSelector | undefined;
  #frame: WorldFrame;
  #order = new Float64Array(64);
  /** One client's view sorted against its baseline: reused for every client. */
  readonly #split = new ViewSplit();
  #changedRows = new Int32Array(64);
  #keptMasks = new Int32Array(64);
  readonly #fullRows = new CodedRows();
  readonly #rowChanges: CodedRows[] = [];
  #rowChangesInUse = 0;
  readonly #scratch = new EntityDeltaScratch();
  readonly #writer = new ByteWriter(4096);
  readonly #encoder = new FrameEncoder(256);
  readonly #sharedEntities = new Map<number, Uint8Array>();
  readonly #coded: CodedEntities = { baselineTick: 0, sendGlobal: false, entities: NIL_GLOBAL };
  #packedGlobal: Uint8Array = NIL_GLOBAL;
  #global: number[] | null = null;
  #globalVersion = 0;
  #tick = 0;
  /** Pairs of columns: a position, then the velocity column the runtime derives from it. */
  readonly #derived: Int32Array;

  /** @param schema the game's columns; @param interest view rules, or none for whole-world */
  constructor(schema: readonly EntityFieldSpec[], interest?: InterestOptions) {
    this.wire = schemaToWire(schema);
    const derived: number[] = [];
    this.wire.entityVelocities.forEach((velocity, column) => {
      if (velocity === 0 || schema[velocity]?.derived !== true) return;
      if ((schema[velocity]?.scale ?? 1) !== (schema[column]?.scale ?? 1)) {
        throw new RangeError(
          `Cannot derive ${schema[velocity]?.name} from ${
            schema[column]?.name
          }: their scales differ`,
        );
      }
      derived.push(column, velocity);
    });
    this.#derived = Int32Array.from(derived);
    this.#coding = codingFromWire(this.wire);
    this.#stride = schema.length;
    this.#scales = this.wire.entityScales;
    this.#wraps = this.wire.entityWraps;
    this.#xColumn = interest === undefined ? -1 : this.wire.entityFields.indexOf(interest.xField);
    this.#yColumn = interest === undefined ? -1 : this.wire.entityFields.indexOf(interest.yField);
    if (interest !== undefined && (this.#xColumn < 1 || this.#yColumn < 1)) {
      throw new TypeError(
        `Cannot use interest fields ${interest.xField}, ${interest.yField}: not in the schema`,
      );
    }
    this.#frames = new WorldFrames(this.#stride);
    this.#rowMaps = new RowMaps(this.#frames);
    this.#selector = interest === undefined ? undefined : new ViewSelector(interest, this.#rowMaps);
    this.#frame = { tick: -1, table: createEntityTable(this.#stride, 0) };
  }

  /** A fresh ring of sent views for a client that just joined or resumed. */
  createViewRing(): ViewRing {
    return new ViewRing();
  }

  /** The quantized world of `tick` while it is remembered (lag compensation rewinds to it). */
  worldFrame(tick: number): WorldFrame | undefined {
    return this.#frames.get(tick);
  }

  /** Entities in the world this tick. */
  get worldCount(): number {
    return this.#frame.table.count;
  }

  /**
   * Take the tick's world: `rows` is row-major, `stride` numbers per entity with the id first,
   * in any order. `global` is the game's global data (or `null`). Ticks must increase.
   * Derived velocity columns (`EntityFieldSpec.derived`) are filled here from the previous
   * tick's world; `teleported` ids get 0.
   * @throws {RangeError} on a duplicate id, a value that does not fit the quantized range, or
   * rows whose length is not a multiple of the stride (a game wrote a row short or long)
   */
  beginTick(
    tick: number,
    rows: readonly number[],
    global: number[] | null,
    teleported: readonly number[] = [],
  ): void {
    const previousTick = this.#tick;
    if (!(tick > this.#tick)) {
      throw new RangeError(`Cannot begin tick ${tick}: tick ${this.#tick} was already begun`);
    }
    const stride = this.#stride;
    if (rows.length % stride !== 0) {
      throw new RangeError(
        `Cannot begin tick ${tick}: ${rows.length} numbers is not a whole number of ${stride}-column rows`,
      );
    }
    this.#tick = tick;
    this.#sharedEntities.clear();
    const count = rows.length / stride;
    this.#frame = this.#frames.claim(tick);
    const world = this.#frame.table;
    reserveEntityTable(world, stride, count);
    this.#reserveRows(count);
    // Sort by id through keys `id × capacity + index`: a typed sort without a comparator is
    // native and several times faster than calling back into JavaScript per comparison.
    const order = this.#order, capacity = order.length;
    let sorted = true;
    for (let index = 0; index < count; index++) {
      const id = rows[index * stride]!;
      if (!Number.isInteger(id) || id < 1 || id > MAX_QUANTIZED) {
        throw new RangeError(`Cannot snapshot entity: id ${id} is not a positive 31-bit integer`);
      }
      order[index] = id * capacity + index;
      if (index > 0 && id < rows[(index - 1) * stride]!) sorted = false;
    }
    if (!sorted) order.subarray(0, count).sort();
    const ids = world.ids, values = world.values, scales = this.#scales, wraps = this.#wraps;
    for (let index = 0; index < count; index++) {
      // Float modulo is a slow library call: skipped when the rows came sorted (the usual case).
      const source = (sorted ? index : order[index]! % capacity) * stride;
      const id = rows[source]!;
      if (index > 0 && ids[index - 1] === id) {
        throw new RangeError(`Cannot snapshot entities: id ${id} appears twice`);
      }
      ids[index] = id;
      const target = index * stride;
      values[target] = id;
      // Out-of-range values are rare: one check per row, on the largest magnitude.
      let largest = 0;
      for (let column = 1; column < stride; column++) {
        const value = quantize(rows[source + column]!, scales[column]!, wraps[column]!);
        largest = Math.max(largest, Math.abs(value));
        values[target + column] = value;
      }
      if (!(largest <= MAX_QUANTIZED)) this.#refuseRow(rows, source);
    }
    world.count = count;
    if (this.#derived.length > 0) this.#deriveVelocities(world, previousTick, teleported);
    this.#selector?.begin(
      world,
      stride,
      this.#xColumn,
      this.#scales[this.#xColumn] ?? 1,
      this.#yColumn,
      this.#scales[this.#yColumn] ?? 1,
    );
    this.#rowMaps.begin(world);
    this.#fullRows.begin(this.#coding, world, null, 0, 0);
    this.#rowChangesInUse = 0;
    if (!sameNumbers(this.#global, global)) {
      this.#global = global === null ? null : [...global];
      this.#packedGlobal = this.#encoder.packGlobal(this.#global);
      this.#globalVersion++;
    }
  }

  /**
   * Fill the derived velocity columns of `world`: each entity's position change since the world
   * of `previousTick`, per tick, or its previous velocity when that is within one step of it
   * (both tables are sorted by id, so one merge walk finds every entity's previous row); 0 for an
   * entity that is new or teleported.
   */
  #deriveVelocities(world: EntityTable, previousTick: number, teleported: readonly number[]): void {
    const derived = this.#derived, stride = this.#stride;
    const ids = world.ids, values = world.values;
    const previous = previousTick > 0 ? this.#frames.get(previousTick)?.table : undefined;
    const ticks = this.#tick - previousTick;
    let at = 0;
    for (let index = 0; index < world.count; index++) {
      const id = ids[index]!, row = index * stride;
      let before = -1;
      if (previous !== undefined) {
        while (at < previous.count && previous.ids[at]! < id) at++;
        if (at < previous.count && previous.ids[at] === id) before = at * stride;
      }
      for (let pair = 0; pair < derived.length; pair += 2) {
        const position = derived[pair]!, velocity = derived[pair + 1]!;
        if (previous === undefined || before < 0) {
          values[row + velocity] = 0;
          continue;
        }
        // `+ 0`: no −0 from rounding a small negative change.
        const moved =
          Math.round((values[row + position]! - previous.values[before + position]!) / ticks) + 0;
        // A steady speed that is not a whole number of steps a tick moves by n and n + 1 steps in
        // turn: keeping the previous velocity within one step keeps the column unchanged (no byte
        // a tick for it), and the position's residual absorbs the step.
        const kept = previous.values[before + velocity]!;
        values[row + velocity] = Math.abs(moved - kept) <= 1 ? kept : moved;
      }
    }
    // Rare: a respawn, a portal. A jump is no velocity.
    for (const id of teleported) {
      const index = findId(ids, world.count, id);
      if (index < 0) continue;
      for (let pair = 0; pair < derived.length; pair += 2) {
        values[index * stride + derived[pair + 1]!] = 0;
      }
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

  /**
   * The quantized entities the client of `ring` was sent at `tick`, while both its view and the
   * world frame are remembered (tests check the client rebuilt exactly this).
   */
  sentTable(ring: ViewRing, tick: number): EntityTable | undefined {
    const slot = ring.find(tick);
    const frame = this.#frames.get(tick);
    if (slot < 0 || frame === undefined) return undefined;
    const source = frame.table, stride = this.#stride;
    const whole = ring.countOf(slot) < 0;
    const count = whole ? source.count : ring.countOf(slot);
    const rows = new Int32Array(Math.max(1, source.count));
    if (whole) { for (let row = 0; row < count; row++) rows[row] = row; }
    else {
      const bits = ring.bits, offset = ring.offsetOf(slot);
      let listed = 0;
      for (let word = 0; word < ring.wordsOf(slot); word++) {
        listed = appendSetRows(bits[offset + word]!, word, rows, listed);
      }
    }
    const table = createEntityTable(stride, Math.max(1, count));
    for (let index = 0; index < count; index++) {
      const row = rows[index]!;
      table.ids[index] = source.ids[row]!;
      table.values.set(source.values.subarray(row * stride, (row + 1) * stride), index * stride);
    }
    table.count = count;
    return table;
  }

  #code(ring: ViewRing, playerId: number, ackedTick: number): CodedEntities {
    // A baseline in the slot this tick is about to overwrite is as good as forgotten.
    const usable = ackedTick > 0 && this.#tick - ackedTick < ring.size;
    let baseline = usable ? ring.find(ackedTick) : -1;
    const baseFrame = baseline < 0 ? undefined : this.#frames.get(ackedTick);
    if (baseFrame === undefined) baseline = -1;
    const coded = this.#coded;
    coded.baselineTick = baseline < 0 ? 0 : ackedTick;
    coded.sendGlobal = baseline < 0 || ring.globalVersionOf(baseline) !== this.#globalVersion;
    const world = this.#frame.table;
    const selector = this.#selector;
    if (selector === undefined) {
      ring.claim(this.#tick, -1, this.#globalVersion, 0);
      // Everyone sees the whole world: clients that share a baseline share the coded bytes.
      let shared = this.#sharedEntities.get(coded.baselineTick);
      if (shared === undefined) {
        this.#writer.reset();
        encodeEntityDelta(
          baseFrame?.table ?? null,
          world,
          this.#coding,
          this.#writer,
          this.#scratch,
          this.#tick - coded.baselineTick,
        );
        shared = this.#writer.toBytes();
        this.#sharedEntities.set(coded.baselineTick, shared);
      }
      coded.entities = shared;
      return coded;
    }
    // A whole-world view cannot be a baseline here (the room's interest rules never change).
    const usableBaseline = baseFrame === undefined || ring.countOf(baseline) < 0 ? -1 : baseline;
    if (usableBaseline < 0) {
      coded.baselineTick = 0;
      coded.sendGlobal = true;
    }
    // Select before claiming: the slot claimed may be the oldest view, the newest's neighbour.
    const split = this.#split;
    selector.select(ring, playerId, usableBaseline, baseFrame?.table.ids ?? world.ids, split);
    const words = split.words;
    const slot = ring.claim(this.#tick, split.visibleCount, this.#globalVersion, words);
    const bits = ring.bits, offset = ring.offsetOf(slot), visible = split.visibleWords;
    for (let word = 0; word < words; word++) bits[offset + word] = visible[word]!;
    if (usableBaseline < 0 || baseFrame === undefined) this.#codeSplit(split, undefined);
    else this.#codeSplit(split, this.#rowChangesFor(ring.tickOf(usableBaseline), baseFrame));
    coded.entities = this.#writer.view();
    return coded;
  }

  /** The added section: the count, then per row its id gap and its full row bytes (shared). */
  #writeAdded(rows: Int32Array, count: number): void {
    const out = this.#writer, ids = this.#frame.table.ids, full = this.#fullRows;
    out.writeVarint(count);
    let previousId = 0;
    for (let index = 0; index < count; index++) {
      const row = rows[index]!;
      const id = ids[row]!;
      out.writeVarint(id - previousId);
      previousId = id;
      full.full(row);
      full.copyTo(row, out);
    }
  }

  /**
   * A client's view sorted against its baseline, in the layout of `encodeEntityDelta`: removed
   * ids, added rows in full, then the kept rows' change bits and changes, each row's bytes shared
   * by every client (`changes` is the rows' coding against the baseline; none for a full view).
   */
  #codeSplit(split: ViewSplit, changes: CodedRows | undefined): void {
    const out = this.#writer;
    out.reset();
    writeRemovedIds(split.removedIds, split.removedCount, out);
    this.#writeAdded(split.added, split.addedCount);
    const kept = split.keptCount;
    out.writeVarint(kept);
    if (changes === undefined || kept === 0) return;
    const keptRows = split.kept, rowMasks = changes.masks;
    const changedRows = this.#changedRows, masks = this.#keptMasks;
    let changed = 0;
    for (let index = 0; index < kept; index++) {
      const row = keptRows[index]!;
      const mask = rowMasks[row]!;
      masks[index] = mask;
      // Listed without a branch on the (unpredictable) mask: the next row overwrites a miss.
      changedRows[changed] = row;
      changed += +(mask !== 0);
    }
    writeChangeBits(masks, kept, this.#coding.hotMask, out);
    changes.copyRowsTo(changedRows, changed, out);
  }

  /**
   * The row changes against `baselineTick` this tick, coded for every row when the first client
   * that needs them asks.
   */
  #rowChangesFor(baselineTick: number, baseFrame: WorldFrame): CodedRows {
    for (let index = 0; index < this.#rowChangesInUse; index++) {
      const changes = this.#rowChanges[index];
      if (changes !== undefined && changes.baselineTick === baselineTick) return changes;
    }
    let changes = this.#rowChanges[this.#rowChangesInUse];
    if (changes === undefined) {
      changes = new CodedRows();
      this.#rowChanges.push(changes);
    }
    const map = this.#rowMaps.from(baselineTick);
    if (map === undefined) throw new Error(`No world frame for baseline tick ${baselineTick}`);
    this.#rowChangesInUse++;
    changes.begin(
      this.#coding,
      this.#frame.table,
      baseFrame.table,
      baselineTick,
      this.#tick - baselineTick,
    );
    changes.codeChanges(map, baseFrame.table.count);
    return changes;
  }

  /** Throw for the row at `source` whose value does not fit the quantized range. */
  #refuseRow(rows: readonly number[], source: number): never {
    for (let column = 1; column < this.#stride; column++) {
      const value = quantize(
        rows[source + column]!,
        this.#scales[column]!,
        this.#wraps[column]!,
      );
      if (!(Math.abs(value) <= MAX_QUANTIZED)) {
        throw new RangeError(
          `Cannot snapshot entity ${rows[source]}: ${this.wire.entityFields[column]} = ${
            rows[source + column]
          } does not fit`,
        );
      }
    }
    throw new RangeError(`Cannot snapshot entity ${rows[source]}: a value does not fit`);
  }

  #reserveRows(count: number): void {
    if (this.#order.length >= count) return;
    const capacity = count * 2;
    this.#order = new Float64Array(capacity);
    this.#changedRows = new Int32Array(capacity);
    this.#keptMasks = new Int32Array(capacity);
  }
}

function sameNumbers(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** Index of `id` among the first `count` sorted `ids`, or −1. */
function findId(ids: Int32Array, count: number, id: number): number {
  let low = 0, high = count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1, value = ids[middle]!;
    if (value === id) return middle;
    if (value < id) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
