import { FrameError, FrameErrorReason } from "./frame_error.ts";

/** Largest value a varint may carry: the protocol's counters are unsigned 32-bit. */
export const MAX_VARINT = 0xffff_ffff;

/**
 * An append-only byte buffer that grows by doubling and is reused between messages, so the
 * send path does not allocate once it has warmed up.
 */
export class ByteWriter {
  #bytes: Uint8Array<ArrayBuffer>;
  #length = 0;

  /** @param initialBytes starting capacity */
  constructor(initialBytes = 1024) {
    this.#bytes = new Uint8Array(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Forget what was written; keeps the capacity. */
  reset(): void {
    this.#length = 0;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed > this.#bytes.length) this.#bytes = grownBytes(this.#bytes, this.#length, needed);
  }

  /** Append one byte (0..255). */
  writeByte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  /** Append an unsigned LEB128 varint of at most 32 bits. */
  writeVarint(value: number): void {
    // Fast path for the common one-byte case: `>>> 0` equals the value only for integers 0..2^32−1.
    if (value < 0x80 && (value >>> 0) === value && this.#length < this.#bytes.length) {
      this.#bytes[this.#length++] = value;
      return;
    }
    if (!Number.isInteger(value) || value < 0 || value > MAX_VARINT) {
      throw new RangeError(`Cannot write varint: ${value} is not an integer in 0..${MAX_VARINT}`);
    }
    this.#reserve(5);
    while (value >= 0x80) {
      this.#bytes[this.#length++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.#bytes[this.#length++] = value;
  }

  /** Append raw bytes. */
  writeBytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /**
   * Append bytes `start..end` of what `source` has written, without allocating: the way cached
   * pieces of an encoding are stitched into a message.
   */
  appendFrom(source: ByteWriter, start: number, end: number): void {
    const length = end - start;
    this.#reserve(Math.max(length, 8));
    const from = source.#bytes, to = this.#bytes, at = this.#length;
    if (length <= 8) {
      // Most pieces are a few bytes: copy a fixed 8 (what lies past `end` is overwritten by the
      // next write), so the loop has no data-dependent exit to mispredict. Past the source's
      // capacity there is nothing to copy: 0 is the intended value there.
      for (let index = 0; index < 8; index++) to[at + index] = from[start + index] ?? 0;
    } else if (length > 32) to.set(from.subarray(start, end), at);
    else for (let index = 0; index < length; index++) to[at + index] = from[start + index]!;
    this.#length += length;
  }

  /**
   * Append, for each of `pieces[0..count)`, bytes `starts[piece]..ends[piece]` of what `source`
   * has written: {@linkcode ByteWriter.appendFrom} for many pieces with one capacity check, the
   * way a client's row codes are stitched together.
   */
  appendPieces(
    source: ByteWriter,
    starts: Int32Array,
    ends: Int32Array,
    pieces: Int32Array,
    count: number,
  ): void {
    let total = 0;
    for (let index = 0; index < count; index++) {
      const piece = pieces[index]!;
      total += ends[piece]! - starts[piece]!;
    }
    this.#reserve(total + 8);
    const from = source.#bytes, to = this.#bytes;
    let at = this.#length;
    for (let index = 0; index < count; index++) {
      const piece = pieces[index]!;
      const start = starts[piece]!, length = ends[piece]! - start;
      if (length <= 8) {
        // A fixed 8 bytes, as in appendFrom: the next piece overwrites what lies past the end.
        for (let offset = 0; offset < 8; offset++) to[at + offset] = from[start + offset] ?? 0;
      } else {
        for (let offset = 0; offset < length; offset++) to[at + offset] = from[start + offset]!;
      }
      at += length;
    }
    this.#length = at;
  }

  /** A view of what was written; valid until the next write or reset. */
  view(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }

  /** A copy of what was written, safe to hand to `WebSocket.send`. */
  toBytes(): Uint8Array<ArrayBuffer> {
    return this.#bytes.slice(0, this.#length);
  }
}

/**
 * A buffer of at least `needed` bytes, doubled from `bytes`' capacity, that starts with the first
 * `length` bytes of `bytes`: how an append-only buffer grows.
 */
export function grownBytes(
  bytes: Uint8Array<ArrayBuffer>,
  length: number,
  needed: number,
): Uint8Array<ArrayBuffer> {
  let capacity = bytes.length * 2;
  while (capacity < needed) capacity *= 2;
  const grown = new Uint8Array(capacity);
  grown.set(bytes.subarray(0, length));
  return grown;
}

/** Map a signed integer to an unsigned one, small magnitudes to small numbers: 0, −1, 1 → 0, 1, 2. */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** The inverse of {@linkcode zigzag}. */
export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** Number of bytes {@linkcode ByteWriter.writeVarint} uses for `value`. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

/**
 * A cursor over untrusted bytes. Every read checks bounds and throws {@linkcode FrameError}
 * with the name of what was being decoded.
 */
export class ByteReader {
  #bytes: Uint8Array;
  #offset = 0;

  /** @param bytes the message; not copied */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Start over on another message: one reader serves a whole connection. */
  reset(bytes: Uint8Array): void {
    this.#bytes = bytes;
    this.#offset = 0;
  }

  /** Index of the next unread byte. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Read one byte; `what` names it in the error. */
  readByte(what: string): number {
    const value = this.#bytes[this.#offset];
    if (value === undefined) {
      throw new FrameError(
        FrameErrorReason.TRUNCATED,
        `Cannot decode ${what}: buffer ends at byte ${this.#offset}`,
      );
    }
    this.#offset++;
    return value;
  }

  /** Read a canonical unsigned LEB128 varint of at most 32 bits. */
  readVarint(what: string): number {
    let value = 0;
    let multiplier = 1;
    for (let index = 0; index < 5; index++) {
      const byte = this.readByte(what);
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && index > 0) {
          throw new FrameError(
            FrameErrorReason.BAD_VARINT,
            `Cannot decode ${what}: varint has a redundant zero byte`,
          );
        }
        if (value > MAX_VARINT) {
          throw new FrameError(
            FrameErrorReason.BAD_VARINT,
            `Cannot decode ${what}: varint ${value} exceeds ${MAX_VARINT}`,
          );
        }
        return value;
      }
      multiplier *= 128;
    }
    throw new FrameError(
      FrameErrorReason.BAD_VARINT,
      `Cannot decode ${what}: varint is longer than 5 bytes`,
    );
  }

  /** Read `length` bytes as a view (no copy). */
  readBytes(length: number, what: string): Uint8Array {
    if (length > this.remaining) {
      throw new FrameError(
        FrameErrorReason.TRUNCATED,
        `Cannot decode ${what}: body has ${this.remaining} bytes, header announced ${length}`,
      );
    }
    const view = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return view;
  }
}
