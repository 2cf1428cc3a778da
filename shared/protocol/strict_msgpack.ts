import { FrameError, FrameErrorReason } from "./frame_error.ts";

/**
 * The msgpack reader for client bodies. It accepts only the subset the protocol's client messages
 * use — nil, booleans, integers, floats, UTF-8 strings and arrays — and refuses everything else
 * (maps, binary, every extension type, and with them every msgpackr feature: records, shared
 * references, bundled strings), so a body decodes to plain values whose count and size are bounded
 * by its own bytes. Every value consumes at least one byte and every byte is read once, so the work
 * is linear in the body; a declared length or count larger than the bytes left is refused before
 * anything is allocated. Error messages name the byte and the type, never decoded data.
 * @module
 */

/** Deepest nesting of arrays accepted by default; client bodies are flat arrays. */
export const STRICT_MSGPACK_MAX_DEPTH = 8;

/** Settings of {@linkcode StrictMsgpackReader}. */
export interface StrictMsgpackOptions {
  /**
   * Deepest nesting of arrays; the body itself is depth 1.
   * @default {STRICT_MSGPACK_MAX_DEPTH}
   */
  maxDepth?: number;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Names of the refused type bytes, for error messages. */
function typeName(byte: number): string {
  if ((byte & 0xf0) === 0x80 || byte === 0xde || byte === 0xdf) return "map";
  if (byte >= 0xc4 && byte <= 0xc6) return "bin";
  if (byte >= 0xc7 && byte <= 0xc9) return "ext";
  if (byte >= 0xd4 && byte <= 0xd8) return "fixext";
  return "reserved";
}

/**
 * Reads one msgpack value of the strict subset from a body. One reader serves many bodies; its
 * counters add up over all of them, for tests and benches that check the work stays linear.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StrictMsgpackReader } from "./strict_msgpack.ts";
 *
 * const reader = new StrictMsgpackReader();
 * // [2, "arena"] as msgpack
 * const body = new Uint8Array([0x92, 0x02, 0xa5, 0x61, 0x72, 0x65, 0x6e, 0x61]);
 * assert.deepEqual(reader.read(body, "join body"), [2, "arena"]);
 * // A fixext 1 (msgpackr's shared reference and the like) is refused
 * assert.throws(() => reader.read(new Uint8Array([0xd4, 0x70, 0x00]), "join body"));
 * ```
 */
export class StrictMsgpackReader {
  /** Values produced so far (arrays, strings, numbers, nil and booleans), over every body read. */
  valuesRead = 0;
  /** Bytes of bodies read so far. */
  bytesRead = 0;
  readonly #maxDepth: number;
  #bytes: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));
  #offset = 0;
  #what = "";

  /** @param options nesting limit */
  constructor(options: StrictMsgpackOptions = {}) {
    this.#maxDepth = options.maxDepth ?? STRICT_MSGPACK_MAX_DEPTH;
  }

  /**
   * Decode `body`, which must hold exactly one value.
   * @param what names the frame in error messages, e.g. `join frame`
   * @throws {FrameError} `trailing_bytes` when bytes are left after the value, else `bad_msgpack`
   *   (a refused type, a length past the end, nesting too deep, a string not UTF-8)
   */
  read(body: Uint8Array, what: string): unknown {
    this.#bytes = body;
    this.#view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    this.#offset = 0;
    this.#what = what;
    const value = this.#value(1);
    this.bytesRead += this.#offset;
    if (this.#offset !== body.length) {
      throw new FrameError(
        FrameErrorReason.TRAILING_BYTES,
        `Cannot decode ${what}: body is not msgpack: ${
          body.length - this.#offset
        } bytes after its value`,
      );
    }
    return value;
  }

  #fail(detail: string): never {
    throw new FrameError(
      FrameErrorReason.BAD_MSGPACK,
      `Cannot decode ${this.#what}: body is not msgpack: ${detail}`,
    );
  }

  /** Take `count` bytes; returns where they start. */
  #take(count: number, what: string): number {
    const at = this.#offset;
    if (count > this.#bytes.length - at) {
      this.#fail(
        `${what} at byte ${at} needs ${count} bytes, ${this.#bytes.length - at} left`,
      );
    }
    this.#offset = at + count;
    return at;
  }

  #value(depth: number): unknown {
    const at = this.#offset;
    const byte = this.#bytes[this.#take(1, "value")]!;
    this.valuesRead++;
    if (byte <= 0x7f) return byte;
    if (byte >= 0xe0) return byte - 0x100;
    if ((byte & 0xe0) === 0xa0) return this.#string(byte & 0x1f);
    if ((byte & 0xf0) === 0x90) return this.#array(byte & 0x0f, depth);
    const view = this.#view;
    switch (byte) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xca:
        return view.getFloat32(this.#take(4, "float 32"));
      case 0xcb:
        return view.getFloat64(this.#take(8, "float 64"));
      case 0xcc:
        return view.getUint8(this.#take(1, "uint 8"));
      case 0xcd:
        return view.getUint16(this.#take(2, "uint 16"));
      case 0xce:
        return view.getUint32(this.#take(4, "uint 32"));
      case 0xcf:
        return this.#safeInteger(view.getBigUint64(this.#take(8, "uint 64")), at);
      case 0xd0:
        return view.getInt8(this.#take(1, "int 8"));
      case 0xd1:
        return view.getInt16(this.#take(2, "int 16"));
      case 0xd2:
        return view.getInt32(this.#take(4, "int 32"));
      case 0xd3:
        return this.#safeInteger(view.getBigInt64(this.#take(8, "int 64")), at);
      case 0xd9:
        return this.#string(view.getUint8(this.#take(1, "str 8 length")));
      case 0xda:
        return this.#string(view.getUint16(this.#take(2, "str 16 length")));
      case 0xdb:
        return this.#string(view.getUint32(this.#take(4, "str 32 length")));
      case 0xdc:
        return this.#array(view.getUint16(this.#take(2, "array 16 length")), depth);
      case 0xdd:
        return this.#array(view.getUint32(this.#take(4, "array 32 length")), depth);
    }
    return this.#fail(
      `type 0x${byte.toString(16)} (${typeName(byte)}) at byte ${at} is not accepted`,
    );
  }

  #safeInteger(value: bigint, at: number): number {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      this.#fail(`64-bit integer at byte ${at} is beyond 2^53`);
    }
    return Number(value);
  }

  #string(length: number): string {
    const at = this.#take(length, "string");
    try {
      return UTF8.decode(this.#bytes.subarray(at, at + length));
    } catch {
      return this.#fail(`string at byte ${at} is not UTF-8`);
    }
  }

  #array(count: number, depth: number): unknown[] {
    // Every item takes at least one byte: a count beyond the bytes left is a lie, refused before
    // the array is allocated.
    const left = this.#bytes.length - this.#offset;
    if (count > left) {
      this.#fail(
        `array at byte ${this.#offset} announces ${count} items, ${left} bytes left`,
      );
    }
    if (depth > this.#maxDepth) {
      this.#fail(
        `arrays nest deeper than ${this.#maxDepth} at byte ${this.#offset}`,
      );
    }
    const items = new Array<unknown>(count);
    for (let index = 0; index < count; index++) items[index] = this.#value(depth + 1);
    return items;
  }
}
