import { grownBytes, MAX_VARINT, zigzag } from "../protocol/bytes.ts";
import { type RecordedArgValue, RecordKind } from "./format.ts";

const FLOAT = new Float64Array(1);
const FLOAT_BYTES = new Uint8Array(FLOAT.buffer);
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
  #bytes = new Uint8Array(16 * 1024);
  #length = 0;
  readonly #fieldCount: number;
  /** Most bytes one input record takes: kind, id, an absolute sequence, mask, float64 fields. */
  readonly #maxInputBytes: number;
  readonly #defaultDtMs: number;
  /**
   * Per player: the chunk it was last written in, previous sequence, then the previous field
   * values. Kept across chunks (a stale chunk number means "none yet") so a chunk allocates nothing.
   */
  readonly #previous = new Map<number, Float64Array>();
  #chunk = 0;
  #ticks = 0;

  /** @param fieldCount input fields per input; @param defaultDtMs the header's step */
  constructor(fieldCount: number, defaultDtMs: number) {
    this.#fieldCount = fieldCount;
    this.#maxInputBytes = 1 + 5 + 6 + 5 + fieldCount * 9;
    this.#defaultDtMs = defaultDtMs;
  }

  /** Bytes written since the chunk began. */
  get length(): number {
    return this.#length;
  }

  /** Whole ticks written since the chunk began. */
  get ticks(): number {
    return this.#ticks;
  }

  /** The chunk's bytes (a copy) and a fresh start for the next chunk. */
  takeChunk(): Uint8Array<ArrayBuffer> {
    const bytes = this.#bytes.slice(0, this.#length);
    this.#length = 0;
    this.#chunk++;
    this.#ticks = 0;
    return bytes;
  }

  /** A player joined. */
  join(playerId: number, name: string): void {
    this.#byte(RecordKind.JOIN);
    this.#varint(playerId);
    this.#string(name);
  }

  /** A player left. */
  leave(playerId: number): void {
    this.#byte(RecordKind.LEAVE);
    this.#varint(playerId);
    this.#previous.delete(playerId);
  }

  /**
   * A command run: `commandIndex` is its place in the header's `commands`, `args` its checked
   * arguments in declared order.
   */
  command(playerId: number, commandIndex: number, args: readonly RecordedArgValue[]): void {
    this.#byte(RecordKind.COMMAND);
    this.#varint(playerId);
    this.#varint(commandIndex);
    for (const arg of args) {
      if (typeof arg === "string") {
        this.#byte(ValueTag.STRING);
        this.#string(arg);
      } else if (typeof arg === "boolean") this.#byte(arg ? ValueTag.TRUE : ValueTag.FALSE);
      else this.#value(arg);
    }
  }

  /** An input applied: `values` holds the header's `inputFields`, in order. */
  input(playerId: number, sequence: number, values: ArrayLike<number>): void {
    const fieldCount = this.#fieldCount;
    let previous = this.#previous.get(playerId);
    if (previous === undefined) {
      previous = new Float64Array(fieldCount + 2);
      previous[0] = this.#chunk - 1;
      this.#previous.set(playerId, previous);
    }
    if (previous[0] !== this.#chunk) {
      // The player's first input in this chunk: every field counts as changed, the step as 0.
      previous.fill(NaN);
      previous[0] = this.#chunk;
      previous[1] = 0;
    }
    // One capacity check for the whole record, then plain stores.
    this.#reserve(this.#maxInputBytes);
    const bytes = this.#bytes;
    let at = this.#length;
    bytes[at++] = RecordKind.INPUT;
    at = writeVarint(bytes, at, playerId);
    const step = sequence - previous[1]!;
    // A sequence never goes back within a player's life; 0 marks "absolute" for the odd case.
    if (step > 0 && step < 0xffff_ffff) at = writeVarint(bytes, at, step);
    else {
      bytes[at++] = 0;
      at = writeVarint(bytes, at, sequence);
    }
    previous[1] = sequence;
    let mask = 0;
    for (let field = 0; field < fieldCount; field++) {
      if (!Object.is(values[field], previous[field + 2])) mask |= 1 << field;
    }
    at = writeVarint(bytes, at, mask);
    for (let field = 0; mask !== 0; field++, mask >>>= 1) {
      if ((mask & 1) === 0) continue;
      const value = values[field]!;
      const before = previous[field + 2]!;
      previous[field + 2] = value;
      const steps = (value - before) * STEPS;
      // A view time: 256ths of a tick that move by about 256 an input, 2 bytes instead of 9.
      if (
        Number.isInteger(steps) && Math.abs(steps) < 0x4000_0000 &&
        before + steps / STEPS === value && !Object.is(value, -0)
      ) {
        bytes[at++] = ValueTag.STEPS_256;
        at = writeVarint(bytes, at, zigzag(steps));
      } else at = writeValue(bytes, at, value);
    }
    this.#length = at;
  }

  /**
   * A tick ended; `hash` is the state's hash after the step, `framed` whether the room kept its
   * world frame.
   */
  tick(dtMs: number, hash: number, framed = true): void {
    if (dtMs === this.#defaultDtMs) {
      this.#byte(framed ? RecordKind.TICK : RecordKind.UNFRAMED_TICK);
    } else {
      this.#byte(RecordKind.TICK_DT);
      this.#reserve(8);
      this.#length = writeFloat(this.#bytes, this.#length, dtMs);
      this.#byte(framed ? 1 : 0);
    }
    this.#reserve(4);
    const bytes = this.#bytes, at = this.#length;
    bytes[at] = hash & 0xff;
    bytes[at + 1] = (hash >>> 8) & 0xff;
    bytes[at + 2] = (hash >>> 16) & 0xff;
    bytes[at + 3] = (hash >>> 24) & 0xff;
    this.#length = at + 4;
    this.#ticks++;
  }

  /** A keyframe of `tick`: quantized rows, global numbers, the packed state. */
  keyframe(
    tick: number,
    rows: readonly number[],
    global: readonly number[] | null,
    state: Uint8Array | null,
  ): void {
    this.#byte(RecordKind.KEYFRAME);
    this.#varint(tick);
    this.#varint(rows.length);
    for (const value of rows) this.#value(value);
    if (global === null) this.#byte(0);
    else {
      this.#byte(1);
      this.#varint(global.length);
      for (const value of global) this.#value(value);
    }
    if (state === null) this.#byte(0);
    else {
      this.#byte(1);
      this.#varint(state.length);
      this.#raw(state);
    }
  }

  /** The game threw; nothing follows in this recording. */
  failure(message: string): void {
    this.#byte(RecordKind.FAILURE);
    this.#string(message.slice(0, 4000));
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed > this.#bytes.length) this.#bytes = grownBytes(this.#bytes, this.#length, needed);
  }

  #byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  #varint(value: number): void {
    this.#reserve(5);
    this.#length = writeVarint(this.#bytes, this.#length, value);
  }

  #value(value: number): void {
    this.#reserve(9);
    this.#length = writeValue(this.#bytes, this.#length, value);
  }

  #raw(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#bytes.set(data, this.#length);
    this.#length += data.length;
  }

  #string(text: string): void {
    const encoded = UTF8.encode(text);
    this.#varint(encoded.length);
    this.#raw(encoded);
  }
}

/** Write `value` (an unsigned 32-bit integer) as a LEB128 varint at `at`; returns the end. */
function writeVarint(bytes: Uint8Array, at: number, value: number): number {
  if (!(value >= 0 && value <= MAX_VARINT && Number.isInteger(value))) {
    throw new RangeError(`Cannot write varint: ${value} is not an integer in 0..${MAX_VARINT}`);
  }
  while (value >= 0x80) {
    bytes[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  bytes[at++] = value;
  return at;
}

/** Write a number with its value tag at `at` (at most 9 bytes); returns the end. */
function writeValue(bytes: Uint8Array, at: number, value: number): number {
  if (Number.isInteger(value) && Math.abs(value) <= MAX_VARINT && !Object.is(value, -0)) {
    bytes[at] = value >= 0 ? ValueTag.UINT : ValueTag.NEGATIVE_INT;
    return writeVarint(bytes, at + 1, Math.abs(value));
  }
  bytes[at] = ValueTag.FLOAT64;
  return writeFloat(bytes, at + 1, value);
}

/** Write a float64, little-endian, at `at`; returns the end. */
function writeFloat(bytes: Uint8Array, at: number, value: number): number {
  FLOAT[0] = value;
  for (let index = 0; index < 8; index++) bytes[at + index] = FLOAT_BYTES[index]!;
  return at + 8;
}
