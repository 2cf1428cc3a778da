import { ByteReader, ByteWriter, unzigzag, zigzag } from "./bytes.ts";
import { FrameError, FrameErrorReason } from "./frame_error.ts";

// Reads written `array[index]!` are in bounds by the loop around them: rows below a table's count
// (at most its capacity), columns below the stride (the coding's arrays have one entry per column;
// the welcome's decoder checks their lengths). `?? 0` there would turn a bug into a silent zero.

/**
 * A set of entities as quantized integer rows, sorted by id. Row `i` is
 * `values[i × stride .. (i + 1) × stride)`, its first column the id (also in `ids[i]`).
 */
export interface EntityTable {
  /** Entities in the table. */
  count: number;
  /** Ids ascending; only the first `count` are meaningful. */
  ids: Int32Array;
  /** Row-major quantized values, `stride` per entity; only the first `count` rows count. */
  values: Int32Array;
}

/** How the columns of a table are coded; both ends derive it from the welcome. */
export interface EntityCoding {
  /** Columns per entity, id included. */
  stride: number;
  /** Per column: period of a wrapping value (an angle), 0 when the column does not wrap. */
  wraps: readonly number[];
  /** Columns that change on most ticks (positions): bit `c − 1` for column `c`. */
  hotMask: number;
  /** Per column: its velocity column (values predicted as `base + velocity × ticks`), or 0. */
  velocities: readonly number[];
}

/** Most columns an entity may have: a column mask is a 31-bit integer, bit `c − 1` for column `c`. */
export const MAX_COLUMNS = 32;

/**
 * writeRowChange's per-column differences: written and read within one call, never state between
 * calls. A module constant rather than the caller's buffer passed in, which cost 1.6 µs of a 56 µs
 * S3 room tick (3%; `deno bench tests/bench/snapshot_builder_bench.ts`, interest off, minimum of
 * 4 runs alternated with the module constant's build, 55.9 against 57.5 µs, shared machine).
 */
const ROW_DIFFERENCES = new Float64Array(MAX_COLUMNS);

/** Largest quantized value; keeps zigzag varints within 32 bits. */
export const MAX_QUANTIZED = 2 ** 31 - 1;

/** An empty table to grow. */
export function createEntityTable(stride: number, capacity = 16): EntityTable {
  return { count: 0, ids: new Int32Array(capacity), values: new Int32Array(capacity * stride) };
}

/** Make room for `count` entities, keeping what is there. */
export function reserveEntityTable(table: EntityTable, stride: number, count: number): void {
  if (table.ids.length >= count) return;
  let capacity = Math.max(16, table.ids.length);
  while (capacity < count) capacity *= 2;
  const ids = new Int32Array(capacity);
  ids.set(table.ids.subarray(0, table.count));
  const values = new Int32Array(capacity * stride);
  values.set(table.values.subarray(0, table.count * stride));
  table.ids = ids;
  table.values = values;
}

/** A column's difference, the short way round for a wrapping one (an angle). */
function wrapResidual(difference: number, wrap: number): number {
  if (wrap === 0) return difference;
  let wrapped = difference % wrap;
  if (wrapped < -wrap / 2) wrapped += wrap;
  else if (wrapped >= wrap / 2) wrapped -= wrap;
  return wrapped;
}

function applyResidual(base: number, delta: number, wrap: number): number {
  if (wrap === 0) return base + delta;
  const sum = (base + delta) % wrap;
  return sum < 0 ? sum + wrap : sum;
}

/**
 * Encode `current` relative to `baseline` (the table the client acknowledged), or in full when
 * `baseline` is `null`. Layout (all varints unsigned LEB128, values zigzag), see PROTOCOL.md:
 * removed ids, added rows, kept count, a bit section (changed flag per kept entity, then a
 * "hot columns only" flag per changed entity), then per changed entity its column mask unless hot,
 * and the zigzag residual of each column in the mask.
 */
export function encodeEntityDelta(
  baseline: EntityTable | null,
  current: EntityTable,
  coding: EntityCoding,
  out: ByteWriter,
  scratch: EntityDeltaScratch,
  ticksSinceBaseline: number,
): void {
  const { stride } = coding;
  const base = baseline ?? EMPTY_TABLE;
  const work = scratch.reserve(base.count, current.count);
  const { removedIds, keptRows, baseRows, addedRows, masks, changes } = work;
  const baseIds = base.ids, currentIds = current.ids;
  // One merge of the two sorted id lists sorts every entity into removed, kept or added.
  let removed = 0, kept = 0, added = 0;
  let b = 0, c = 0;
  while (b < base.count || c < current.count) {
    const baseId = b < base.count ? baseIds[b]! : Infinity;
    const currentId = c < current.count ? currentIds[c]! : Infinity;
    if (baseId < currentId) {
      removedIds[removed++] = baseId;
      b++;
    } else if (baseId === currentId) {
      keptRows[kept] = c++;
      baseRows[kept++] = b++;
    } else addedRows[added++] = c++;
  }
  writeRemovedIds(removedIds, removed, out);
  out.writeVarint(added);
  let previousId = 0;
  for (let index = 0; index < added; index++) {
    const row = addedRows[index]!;
    const id = currentIds[row]!;
    out.writeVarint(id - previousId);
    previousId = id;
    writeFullRow(current.values, row * stride, stride, out);
  }
  out.writeVarint(kept);
  // The changes go to scratch first: the bit section, which needs every mask, comes before them.
  changes.reset();
  for (let index = 0; index < kept; index++) {
    masks[index] = writeRowChange(
      base.values,
      baseRows[index]! * stride,
      current.values,
      keptRows[index]! * stride,
      coding,
      ticksSinceBaseline,
      changes,
    );
  }
  writeChangeBits(masks, kept, coding.hotMask, out);
  out.appendFrom(changes, 0, changes.length);
}

/** Write the removed section: the count, then each id as the gap from the one before. */
export function writeRemovedIds(ids: Int32Array, count: number, out: ByteWriter): void {
  out.writeVarint(count);
  let previousId = 0;
  for (let index = 0; index < count; index++) {
    const id = ids[index]!;
    out.writeVarint(id - previousId);
    previousId = id;
  }
}

/** Write an added entity's columns after the id, each a zigzag varint. */
export function writeFullRow(
  values: Int32Array,
  offset: number,
  stride: number,
  out: ByteWriter,
): void {
  for (let column = 1; column < stride; column++) {
    out.writeVarint(zigzag(values[offset + column]!));
  }
}

/**
 * Write how a kept entity's row differs from its baseline row carried `ticks` ahead by its
 * velocity columns: the column mask (left out when it is exactly the hot mask) and the zigzag
 * residual of each column in it. Writes nothing when the row is as predicted.
 * @returns the column mask, 0 when nothing changed
 */
export function writeRowChange(
  baseValues: Int32Array,
  baseOffset: number,
  values: Int32Array,
  offset: number,
  coding: EntityCoding,
  ticks: number,
  out: ByteWriter,
): number {
  const { stride, wraps, hotMask, velocities } = coding;
  const differences = ROW_DIFFERENCES;
  let mask = 0;
  for (let column = 1; column < stride; column++) {
    const difference = values[offset + column]! -
      predict(baseValues, baseOffset, column, velocities, ticks);
    differences[column] = difference;
    mask |= +(difference !== 0) << (column - 1);
  }
  if (mask === 0) return 0;
  if (mask !== hotMask) out.writeVarint(mask);
  for (let column = 1; column < stride; column++) {
    if ((mask & (1 << (column - 1))) === 0) continue;
    out.writeVarint(zigzag(wrapResidual(differences[column]!, wraps[column]!)));
  }
  return mask;
}

/**
 * Write the bit section for `count` kept entities given their column masks: a changed flag per
 * kept entity, then a "hot columns only" flag per changed one, padded with zero bits to a byte.
 */
export function writeChangeBits(
  masks: Int32Array,
  count: number,
  hotMask: number,
  out: ByteWriter,
): void {
  // Branch-free per entity: whether a row changed is unpredictable, a mispredicted branch per row
  // costs more than the bit arithmetic.
  let byte = 0;
  let bit = 0;
  for (let index = 0; index < count; index++) {
    byte |= +(masks[index]! !== 0) << bit;
    if (++bit === 8) {
      out.writeByte(byte);
      byte = bit = 0;
    }
  }
  for (let index = 0; index < count; index++) {
    const mask = masks[index]!;
    const changed = +(mask !== 0);
    byte |= (changed & +(mask === hotMask)) << bit;
    bit += changed;
    if (bit === 8) {
      out.writeByte(byte);
      byte = bit = 0;
    }
  }
  if (bit !== 0) out.writeByte(byte);
}

/** A baseline value carried forward by its velocity column, if it has one. */
function predict(
  values: Int32Array,
  row: number,
  column: number,
  velocities: readonly number[],
  ticks: number,
): number {
  const base = values[row + column]!;
  const velocity = velocities[column]!;
  return velocity === 0 ? base : base + values[row + velocity]! * ticks;
}

const EMPTY_TABLE: EntityTable = {
  count: 0,
  ids: new Int32Array(0),
  values: new Int32Array(0),
};

/** The work arrays of one {@linkcode encodeEntityDelta} call. */
export interface EntityDeltaWork {
  removedIds: Int32Array;
  keptRows: Int32Array;
  baseRows: Int32Array;
  addedRows: Int32Array;
  masks: Int32Array;
  /** The changes of the kept rows, written before the bit section is known. */
  changes: ByteWriter;
}

/** Reusable work arrays for {@linkcode encodeEntityDelta}, so encoding does not allocate. */
export class EntityDeltaScratch {
  #work: EntityDeltaWork = {
    removedIds: new Int32Array(64),
    keptRows: new Int32Array(64),
    baseRows: new Int32Array(64),
    addedRows: new Int32Array(64),
    masks: new Int32Array(64),
    changes: new ByteWriter(1024),
  };

  /** Arrays large enough for a baseline of `baseCount` and a table of `currentCount` rows. */
  reserve(baseCount: number, currentCount: number): EntityDeltaWork {
    const work = this.#work;
    if (work.removedIds.length < baseCount) work.removedIds = new Int32Array(baseCount * 2);
    if (work.keptRows.length < currentCount) {
      const size = currentCount * 2;
      work.keptRows = new Int32Array(size);
      work.baseRows = new Int32Array(size);
      work.addedRows = new Int32Array(size);
      work.masks = new Int32Array(size);
    }
    return work;
  }
}

function fail(detail: string): never {
  throw new FrameError(FrameErrorReason.BAD_FIELD, `Cannot decode snapshot entities: ${detail}`);
}

/** Ints in one slab that decoded tables are cut from. */
const SLAB_INTS = 64 * 1024;

/**
 * Decodes snapshot entities, keeping its work arrays from call to call (the decoding side of
 * {@linkcode EntityDeltaScratch}): decoding allocates only its result, and results are cut from a
 * slab. A typed array of its own per table costs an off-heap allocation each, the dearest part of
 * decoding a snapshot; views of a slab cost an object, and a slab is freed once no table cut from
 * it is alive. One decoder per client (or per history) keeps clients from sharing state.
 */
export class EntityDeltaDecoder {
  #slab = new Int32Array(0);
  #slabUsed = 0;
  #removedIds = new Int32Array(64);
  #keptRows = new Int32Array(64);
  /** Per kept row: bit 1 = changed, bit 2 = hot columns only. */
  #flags = new Uint8Array(64);
  #added = new Int32Array(64 * 8);

  /** A table for `count` rows cut from the slab. */
  #table(stride: number, count: number): EntityTable {
    const capacity = Math.max(1, count);
    const ints = capacity * (stride + 1);
    if (this.#slabUsed + ints > this.#slab.length) {
      this.#slab = new Int32Array(Math.max(SLAB_INTS, ints));
      this.#slabUsed = 0;
    }
    const at = this.#slabUsed;
    const ids = this.#slab.subarray(at, at + capacity);
    const values = this.#slab.subarray(at + capacity, at + ints);
    this.#slabUsed += ints;
    return { count: 0, ids, values };
  }

  /**
   * Rebuild the table a server encoded with {@linkcode encodeEntityDelta} from the same
   * `baseline`. Validates every count, id and value; throws {@linkcode FrameError}. The result
   * stays valid after later calls.
   */
  decode(
    baseline: EntityTable | null,
    bytes: Uint8Array,
    coding: EntityCoding,
    maxEntities: number,
    ticksSinceBaseline: number,
  ): EntityTable {
    const { stride, wraps, hotMask, velocities } = coding;
    const base = baseline ?? EMPTY_TABLE;
    const reader = new ByteReader(bytes);
    const what = "snapshot entities";
    const removedCount = reader.readVarint(what);
    if (removedCount > base.count) fail(`${removedCount} removed, baseline has ${base.count}`);
    if (this.#removedIds.length < removedCount) this.#removedIds = new Int32Array(removedCount * 2);
    const removedIds = this.#removedIds;
    let previous = 0;
    for (let index = 0; index < removedCount; index++) {
      const gap = reader.readVarint(what);
      if (gap === 0) fail("removed ids are not ascending");
      previous += gap;
      removedIds[index] = previous;
    }
    const addedCount = reader.readVarint(what);
    if (addedCount > maxEntities) fail(`${addedCount} added entities, limit is ${maxEntities}`);
    if (this.#added.length < addedCount * stride) {
      this.#added = new Int32Array(addedCount * stride * 2);
    }
    // Added rows wait here: they merge with the kept rows, whose changes come later in the bytes.
    const added = this.#added;
    previous = 0;
    for (let index = 0; index < addedCount; index++) {
      const gap = reader.readVarint(what);
      if (gap === 0) fail("added ids are not ascending");
      previous += gap;
      if (previous > MAX_QUANTIZED) fail(`id ${previous} is too large`);
      added[index * stride] = previous;
      for (let column = 1; column < stride; column++) {
        const value = unzigzag(reader.readVarint(what));
        if (Math.abs(value) > MAX_QUANTIZED) fail(`value ${value} out of range`);
        added[index * stride + column] = value;
      }
    }
    const keptCount = reader.readVarint(what);
    if (keptCount !== base.count - removedCount) {
      fail(`${keptCount} kept entities, baseline ${base.count} less ${removedCount} removed`);
    }
    // Kept rows are the baseline's rows that were not removed, in id order: one merge, since both
    // id lists ascend, which also proves every removed id was in the baseline.
    if (this.#keptRows.length < keptCount) {
      this.#keptRows = new Int32Array(keptCount * 2);
      this.#flags = new Uint8Array(keptCount * 2);
    }
    const keptRows = this.#keptRows, flags = this.#flags;
    let kept = 0, removedSeen = 0;
    for (let row = 0; row < base.count; row++) {
      const id = base.ids[row]!;
      if (removedSeen < removedCount && removedIds[removedSeen] === id) removedSeen++;
      else if (kept < keptCount) keptRows[kept++] = row;
      else fail("removed ids are not all in the baseline");
    }
    if (removedSeen !== removedCount) fail("removed ids are not all in the baseline");
    // Bit section: a changed flag per kept row, then a hot-only flag per changed row.
    let byte = 0;
    let bit = 8;
    let changed = 0;
    for (let index = 0; index < keptCount; index++) {
      if (bit === 8) {
        byte = reader.readByte(what);
        bit = 0;
      }
      const flag = (byte >> bit++) & 1;
      flags[index] = flag;
      changed += flag;
    }
    for (let index = 0; index < keptCount; index++) {
      if (flags[index] === 0) continue;
      if (bit === 8) {
        byte = reader.readByte(what);
        bit = 0;
      }
      flags[index] = 1 | (((byte >> bit++) & 1) << 1);
    }
    if (bit !== 8 && (byte >> bit) !== 0) fail("padding bits are set");
    const total = keptCount + addedCount;
    if (total > maxEntities) fail(`${total} entities, limit is ${maxEntities}`);
    // Merge kept and added rows by id into the result, applying each kept row's change on the way.
    const result = this.#table(stride, total);
    const values = result.values;
    const allColumns = stride >= 32 ? 0x7fffffff : (1 << (stride - 1)) - 1;
    let k = 0, a = 0;
    for (let index = 0; index < total; index++) {
      const keptId = k < keptCount ? base.ids[keptRows[k]!]! : Infinity;
      const addedId = a < addedCount ? added[a * stride]! : Infinity;
      if (keptId === addedId) fail(`id ${addedId} is both added and kept`);
      const row = index * stride;
      if (addedId < keptId) {
        result.ids[index] = addedId;
        for (let column = 0; column < stride; column++) {
          values[row + column] = added[a * stride + column]!;
        }
        a++;
        continue;
      }
      const baseRow = keptRows[k]! * stride;
      result.ids[index] = keptId;
      for (let column = 0; column < stride; column++) {
        const value = predict(base.values, baseRow, column, velocities, ticksSinceBaseline);
        if (Math.abs(value) > MAX_QUANTIZED) fail(`value ${value} out of range`);
        values[row + column] = value;
      }
      const flag = flags[k++]!;
      if (flag === 0) continue;
      let mask = hotMask;
      if ((flag & 2) === 0) {
        mask = reader.readVarint(what);
        if (mask === 0 || (mask & ~allColumns) !== 0) fail(`column mask ${mask} is invalid`);
      }
      for (let column = 1; column < stride; column++) {
        if ((mask & (1 << (column - 1))) === 0) continue;
        const delta = unzigzag(reader.readVarint(what));
        const value = applyResidual(values[row + column]!, delta, wraps[column]!);
        if (Math.abs(value) > MAX_QUANTIZED) fail(`value ${value} out of range`);
        values[row + column] = value;
      }
    }
    result.count = total;
    if (reader.remaining !== 0) {
      throw new FrameError(
        FrameErrorReason.TRAILING_BYTES,
        `Cannot decode snapshot entities: ${reader.remaining} bytes left over`,
      );
    }
    if (changed > keptCount) fail("more changed rows than kept rows");
    return result;
  }
}
