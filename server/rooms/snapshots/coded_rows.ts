import { ByteWriter } from "../../../shared/protocol/bytes.ts";
import {
  type EntityCoding,
  type EntityTable,
  writeFullRow,
  writeRowChange,
} from "../../../shared/protocol/entity_delta.ts";

/**
 * The coded bytes of this tick's entity rows, each coded at most once a tick however many clients
 * are sent it: with interest management every client is sent its own subset, but an entity's row
 * in full, or its change since a given baseline tick, is the same bytes for all of them.
 *
 * One instance codes against one baseline (or in full); {@linkcode CodedRows.begin} retargets it
 * each tick without clearing anything.
 */
export class CodedRows {
  /** Baseline tick coded against this tick, 0 for full rows, -1 when unused. */
  baselineTick = -1;
  readonly #bytes = new ByteWriter(4096);

  #generation = 0;
  #stamps = new Int32Array(0);
  #masks = new Int32Array(0);
  #starts = new Int32Array(0);
  #ends = new Int32Array(0);
  #coding: EntityCoding | undefined;
  #current: EntityTable | undefined;
  #base: EntityTable | undefined;
  #ticks = 0;

  /**
   * Code rows of `current` against `base` (the world frame of `baselineTick`, `ticks` older) or,
   * with `base` null, in full. Rows coded before this call are forgotten.
   */
  begin(
    coding: EntityCoding,
    current: EntityTable,
    base: EntityTable | null,
    baselineTick: number,
    ticks: number,
  ): void {
    this.baselineTick = baselineTick;
    this.#coding = coding;
    this.#current = current;
    this.#base = base ?? undefined;
    this.#ticks = ticks;
    this.#bytes.reset();
    if (this.#stamps.length < current.count) {
      const capacity = current.count * 2;
      this.#stamps = new Int32Array(capacity);
      this.#masks = new Int32Array(capacity);
      this.#starts = new Int32Array(capacity);
      this.#ends = new Int32Array(capacity);
      this.#generation = 0;
    }
    // A generation stamp per row marks what is coded this tick: no clearing per tick.
    if (++this.#generation === 0x3fff_ffff) {
      this.#stamps.fill(0);
      this.#generation = 1;
    }
  }

  /**
   * Code, for every entity of the baseline frame still in this tick's world, its change: `map`
   * gives each baseline row's row now (−1: gone). Done once per baseline a tick, for all clients;
   * afterwards {@linkcode CodedRows.masks} is read directly in the per-client loop.
   */
  codeChanges(map: Int32Array, baseCount: number): void {
    const coding = this.#coding, current = this.#current, base = this.#base;
    if (coding === undefined || current === undefined || base === undefined) {
      throw new Error("Cannot code row changes: no baseline was begun");
    }
    const stride = coding.stride;
    for (let baseRow = 0; baseRow < baseCount; baseRow++) {
      const row = map[baseRow]!;
      if (row < 0) continue;
      const start = this.#bytes.length;
      const mask = writeRowChange(
        base.values,
        baseRow * stride,
        current.values,
        row * stride,
        coding,
        this.#ticks,
        this.#bytes,
      );
      this.#record(row, mask, start);
    }
  }

  /**
   * Per row of this tick's world, its change mask since the baseline (0: as predicted), for the
   * rows {@linkcode CodedRows.codeChanges} coded; valid until the next begin.
   */
  get masks(): Int32Array {
    return this.#masks;
  }

  /** Code `row` in full on first use. Only when begun without a baseline. */
  full(row: number): void {
    if (this.#stamps[row] === this.#generation) return;
    const coding = this.#coding, current = this.#current;
    if (coding === undefined || current === undefined) {
      throw new Error("Cannot code a row: nothing was begun");
    }
    const start = this.#bytes.length;
    writeFullRow(current.values, row * coding.stride, coding.stride, this.#bytes);
    this.#record(row, 1, start);
  }

  /** Append the bytes coded for `row` by {@linkcode CodedRows.change} or {@linkcode CodedRows.full}. */
  copyTo(row: number, out: ByteWriter): void {
    out.appendFrom(this.#bytes, this.#starts[row]!, this.#ends[row]!);
  }

  /** Append the bytes coded for each of `rows[0..count)`, in that order. */
  copyRowsTo(rows: Int32Array, count: number, out: ByteWriter): void {
    out.appendPieces(this.#bytes, this.#starts, this.#ends, rows, count);
  }

  #record(row: number, mask: number, start: number): void {
    this.#stamps[row] = this.#generation;
    this.#masks[row] = mask;
    this.#starts[row] = start;
    this.#ends[row] = this.#bytes.length;
  }
}
