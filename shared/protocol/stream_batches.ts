/**
 * The reliable stream of a WebTransport session carries the same frame batches a WebSocket
 * message does, each prefixed by its length (a varint), since a stream has no message boundaries.
 * A datagram carries exactly one batch and needs no prefix. See PROTOCOL.md, "WebTransport".
 * @module
 */
import { varintSize } from "./bytes.ts";
import { FrameError, FrameErrorReason } from "./frame_error.ts";

/** `batch` prefixed by its length as a varint, ready to write to a stream. */
export function prefixBatch(batch: Uint8Array): Uint8Array<ArrayBuffer> {
  let length = batch.length;
  const out = new Uint8Array(varintSize(length) + length);
  let at = 0;
  while (length >= 0x80) {
    out[at++] = (length & 0x7f) | 0x80;
    length = Math.floor(length / 128);
  }
  out[at++] = length;
  out.set(batch, at);
  return out;
}

/**
 * Cuts a stream's bytes, arriving in chunks of any size, back into the batches that were
 * written. A length over `maxBatchBytes` is refused before its bytes arrive, so a peer cannot
 * make the reader buffer more than one batch's limit.
 *
 * @example Usage
 * ```ts
 * import { BatchReader, prefixBatch } from "./stream_batches.ts";
 * import assert from "node:assert/strict";
 *
 * const reader = new BatchReader(4096);
 * const bytes = prefixBatch(new Uint8Array([2, 3, 7, 0]));
 * assert.deepEqual(reader.push(bytes.subarray(0, 2)), []);
 * assert.deepEqual(reader.push(bytes.subarray(2)), [new Uint8Array([2, 3, 7, 0])]);
 * ```
 */
export class BatchReader {
  readonly #maxBatchBytes: number;
  #pending: Uint8Array = new Uint8Array(0);

  /** @param maxBatchBytes longest batch accepted (the message limit of the sender's side) */
  constructor(maxBatchBytes: number) {
    this.#maxBatchBytes = maxBatchBytes;
  }

  /** Bytes held of a batch not yet complete. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  /**
   * Add a chunk; returns the batches it completes, in order (copies: they stay valid).
   * @throws {FrameError} `too_big` for a batch over the limit, `bad_varint` for a bad prefix
   */
  push(chunk: Uint8Array): Uint8Array[] {
    let bytes = chunk;
    if (this.#pending.length > 0) {
      bytes = new Uint8Array(this.#pending.length + chunk.length);
      bytes.set(this.#pending);
      bytes.set(chunk, this.#pending.length);
    }
    const batches: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length) {
      const prefix = this.#readLength(bytes, at);
      if (prefix === undefined) break;
      const [length, start] = prefix;
      if (start + length > bytes.length) break;
      batches.push(bytes.slice(start, start + length));
      at = start + length;
    }
    this.#pending = at === bytes.length ? new Uint8Array(0) : bytes.slice(at);
    return batches;
  }

  /** The batch length at `at` and where its bytes start, or undefined while the prefix is cut. */
  #readLength(bytes: Uint8Array, at: number): [number, number] | undefined {
    let length = 0;
    for (let index = 0; index < 5; index++) {
      if (at + index >= bytes.length) return undefined;
      const byte = bytes[at + index]!;
      length += (byte & 0x7f) * 2 ** (7 * index);
      if (byte < 0x80) {
        if (byte === 0 && index > 0) {
          throw new FrameError(
            FrameErrorReason.BAD_VARINT,
            "Cannot read stream batch: overlong length prefix",
          );
        }
        if (length === 0) {
          throw new FrameError(FrameErrorReason.TRUNCATED, "Cannot read stream batch: empty batch");
        }
        if (length > this.#maxBatchBytes) {
          throw new FrameError(
            FrameErrorReason.TOO_BIG,
            `Cannot read stream batch: ${length} bytes, limit ${this.#maxBatchBytes}`,
          );
        }
        return [length, at + index + 1];
      }
    }
    throw new FrameError(
      FrameErrorReason.BAD_VARINT,
      "Cannot read stream batch: length prefix over 5 bytes",
    );
  }
}
