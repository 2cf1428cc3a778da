import { SERVER_BODY_STRUCTURES } from "./body.ts";
import type { ByteWriter } from "./bytes.ts";

/**
 * The contract between the server's hand-laid snapshot bodies and msgpackr, which decodes them
 * at the client: a snapshot body is msgpackr's record of the agreed structure `{entities,
 * global}`, and the server writes its bytes itself (per client, straight into the batch) instead
 * of asking msgpackr. `snapshot_body_test.ts` holds these against msgpackr's own output.
 * @module
 */

/** msgpack nil: the `global` of a snapshot whose global numbers did not change. */
export const MSGPACK_NIL: Uint8Array = new Uint8Array([0xc0]);

/**
 * The first byte of a snapshot body. msgpackr writes a record of agreed structure `i` as the one
 * byte `0x40 + i` followed by the values in the structure's key order; `{entities, global}` is
 * structure 1 of `SERVER_BODY_STRUCTURES`.
 */
export const SNAPSHOT_RECORD_BYTE: number = 0x40 +
  SERVER_BODY_STRUCTURES.findIndex((keys) => keys[0] === "entities" && keys[1] === "global");

/**
 * Bytes of the msgpack `bin` header before `length` bytes of binary: `bin 8` (`c4` and a
 * 1-byte length) below 256 bytes, `bin 16` (`c5`, 2 bytes) below 65,536, else `bin 32` (`c6`,
 * 4 bytes). msgpackr picks the smallest that fits, and so must the server.
 *
 * @example
 * ```ts
 * import { binHeaderSize } from "./snapshot_body.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([0, 255, 256, 65_535, 65_536].map(binHeaderSize), [2, 2, 3, 3, 5]);
 * ```
 */
export function binHeaderSize(length: number): number {
  return length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}

/** Write the msgpack `bin` header for `length` bytes of binary; lengths are big-endian. */
export function writeBinHeader(out: ByteWriter, length: number): void {
  // The same thresholds as binHeaderSize, tested to agree; not a call to it, as this runs per
  // client per tick.
  if (length < 0x100) {
    out.writeByte(0xc4);
    out.writeByte(length);
  } else if (length < 0x10000) {
    out.writeByte(0xc5);
    out.writeByte(length >>> 8);
    out.writeByte(length & 0xff);
  } else {
    out.writeByte(0xc6);
    out.writeByte(length >>> 24);
    out.writeByte((length >>> 16) & 0xff);
    out.writeByte((length >>> 8) & 0xff);
    out.writeByte(length & 0xff);
  }
}
