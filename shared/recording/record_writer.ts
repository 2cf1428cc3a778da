import { ByteWriter, zigzag } from "../protocol/bytes.ts";
import { type RecordedArgValue, RecordKind } from "./format.ts";

const FLOAT = new Float64Array(1);
const FLOAT_BYTES = new Uint8Array(FLOAT.buffer);
const HASH_BYTES = new Uint8Array(4);
const UTF8 = new TextEncoder();

/** Value tags of a changed input field or a command argument: see RECORDING.md. */
export const ValueTag = {
  UINT: 0,
  NEGATIVE_INT: 1,
  FLOAT64: 2,
  STEPS_256: 3,
  STRING: 4,
  FALSE: 5,
  TRUE: 6,
} as const;

/** A field's change coded as whole 1/256ths (a view time moves by 256 a tick). */
const STEPS = 256;

/**
 * Encodes the records of one chunk: the operations of whole ticks in the order the room did
 * them. Inputs are coded against the same player's previous input in the chunk (sequence step
 * and only the fields that changed), and that context starts afresh with every chunk, so each
 * chunk decodes on its own. Appending allocates nothing once the buffer has grown.
 */
export class RecordWriter {
  readonly #bytes = new ByteWriter(16 * 1024);
  readonly #fieldCount: number;
  readonly #defaultDtMs: number;
  /** Per player: previous sequence, then the previous field values. */
  readonly #previous = new Map<number, Float64Array>();
  #ticks = 0;

  /** @param fieldCount input fields per input; @param defaultDtMs the header's step */
  constructor(fieldCount: number, defaultDtMs: number) {
    this.#fieldCount = fieldCount;
    this.#defaultDtMs = defaultDtMs;
  }

  /** Bytes written since the chunk began. */
  get length(): number {
    return this.#bytes.length;
  }

  /** Whole ticks written since the chunk began. */
  get ticks(): number {
    return this.#ticks;
  }

  /** The chunk's bytes (a copy) and a fresh start for the next chunk. */
  takeChunk(): Uint8Array<ArrayBuffer> {
    const bytes = this.#bytes.toBytes();
    this.#bytes.reset();
    this.#previous.clear();
    this.#ticks = 0;
    return bytes;
  }

  /** A player joined. */
  join(playerId: number, name: string): void {
    this.#bytes.writeByte(RecordKind.JOIN);
    this.#bytes.writeVarint(playerId);
    this.#string(name);
  }

  /** A player left. */
  leave(playerId: number): void {
    this.#bytes.writeByte(RecordKind.LEAVE);
    this.#bytes.writeVarint(playerId);
    this.#previous.delete(playerId);
  }

  /**
   * A command run: `commandIndex` is its place in the header's `commands`, `args` its checked
   * arguments in declared order.
   */
  command(playerId: number, commandIndex: number, args: readonly RecordedArgValue[]): void {
    const bytes = this.#bytes;
    bytes.writeByte(RecordKind.COMMAND);
    bytes.writeVarint(playerId);
    bytes.writeVarint(commandIndex);
    for (const arg of args) {
      if (typeof arg === "string") {
        bytes.writeByte(ValueTag.STRING);
        this.#string(arg);
      } else if (typeof arg === "boolean") bytes.writeByte(arg ? ValueTag.TRUE : ValueTag.FALSE);
      else this.#value(arg);
    }
  }

  /** An input applied: `values` holds the header's `inputFields`, in order. */
  input(playerId: number, sequence: number, values: ArrayLike<number>): void {
    const bytes = this.#bytes;
    const fieldCount = this.#fieldCount;
    bytes.writeByte(RecordKind.INPUT);
    bytes.writeVarint(playerId);
    let previous = this.#previous.get(playerId);
    if (previous === undefined) {
      previous = new Float64Array(fieldCount + 1).fill(NaN);
      previous[0] = 0;
      this.#previous.set(playerId, previous);
    }
    const step = sequence - previous[0]!;
    // A sequence never goes back within a player's life; 0 marks "absolute" for the odd case.
    if (step > 0 && step < 0xffff_ffff) bytes.writeVarint(step);
    else {
      bytes.writeVarint(0);
      bytes.writeVarint(sequence);
    }
    previous[0] = sequence;
    let mask = 0;
    for (let field = 0; field < fieldCount; field++) {
      if (!Object.is(values[field], previous[field + 1])) mask |= 1 << field;
    }
    bytes.writeVarint(mask);
    for (let field = 0; field < fieldCount; field++) {
      if ((mask & (1 << field)) === 0) continue;
      const value = values[field]!;
      const before = previous[field + 1]!;
      previous[field + 1] = value;
      const steps = (value - before) * STEPS;
      // A view time: 256ths of a tick that move by about 256 an input, 2 bytes instead of 9.
      if (
        Number.isInteger(steps) && Math.abs(steps) < 0x4000_0000 &&
        before + steps / STEPS === value && !Object.is(value, -0)
      ) {
        bytes.writeByte(ValueTag.STEPS_256);
        bytes.writeVarint(zigzag(steps));
      } else this.#value(value);
    }
  }

  /**
   * A tick ended; `hash` is the state's hash after the step, `framed` whether the room kept its
   * world frame.
   */
  tick(dtMs: number, hash: number, framed = true): void {
    const bytes = this.#bytes;
    if (dtMs === this.#defaultDtMs) {
      bytes.writeByte(framed ? RecordKind.TICK : RecordKind.UNFRAMED_TICK);
    } else {
      bytes.writeByte(RecordKind.TICK_DT);
      this.#float(dtMs);
      bytes.writeByte(framed ? 1 : 0);
    }
    HASH_BYTES[0] = hash & 0xff;
    HASH_BYTES[1] = (hash >>> 8) & 0xff;
    HASH_BYTES[2] = (hash >>> 16) & 0xff;
    HASH_BYTES[3] = (hash >>> 24) & 0xff;
    bytes.writeBytes(HASH_BYTES);
    this.#ticks++;
  }

  /** A keyframe of `tick`: quantized rows, global numbers, the packed state. */
  keyframe(
    tick: number,
    rows: readonly number[],
    global: readonly number[] | null,
    state: Uint8Array | null,
  ): void {
    const bytes = this.#bytes;
    bytes.writeByte(RecordKind.KEYFRAME);
    bytes.writeVarint(tick);
    bytes.writeVarint(rows.length);
    for (const value of rows) this.#value(value);
    if (global === null) bytes.writeByte(0);
    else {
      bytes.writeByte(1);
      bytes.writeVarint(global.length);
      for (const value of global) this.#value(value);
    }
    if (state === null) bytes.writeByte(0);
    else {
      bytes.writeByte(1);
      bytes.writeVarint(state.length);
      bytes.writeBytes(state);
    }
  }

  /** The game threw; nothing follows in this recording. */
  failure(message: string): void {
    this.#bytes.writeByte(RecordKind.FAILURE);
    this.#string(message.slice(0, 4000));
  }

  #value(value: number): void {
    const bytes = this.#bytes;
    if (Number.isInteger(value) && Math.abs(value) <= 0xffff_ffff && !Object.is(value, -0)) {
      bytes.writeByte(value >= 0 ? ValueTag.UINT : ValueTag.NEGATIVE_INT);
      bytes.writeVarint(Math.abs(value));
      return;
    }
    bytes.writeByte(ValueTag.FLOAT64);
    this.#float(value);
  }

  #float(value: number): void {
    FLOAT[0] = value;
    this.#bytes.writeBytes(FLOAT_BYTES);
  }

  #string(text: string): void {
    const encoded = UTF8.encode(text);
    this.#bytes.writeVarint(encoded.length);
    this.#bytes.writeBytes(encoded);
  }
}
