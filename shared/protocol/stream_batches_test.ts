import assert from "node:assert/strict";
import { defineInput, encodeBatch, FrameDecoder, FrameError, MessageKind } from "./mod.ts";
import { BatchReader, prefixBatch } from "./stream_batches.ts";

Deno.test("prefixBatch() writes the length as a varint before the batch", () => {
  assert.deepEqual(prefixBatch(new Uint8Array([7, 8])), new Uint8Array([2, 7, 8]));
  const long = prefixBatch(new Uint8Array(300));
  assert.deepEqual(long.subarray(0, 2), new Uint8Array([0xac, 0x02]));
  assert.equal(long.length, 302);
});

Deno.test("BatchReader cuts batches split and joined across chunks at any byte", () => {
  const batches = [
    encodeBatch([{ kind: MessageKind.PING, clientTimeMs: 12.5 }]),
    new Uint8Array(200).fill(9),
    encodeBatch([{ kind: MessageKind.ACK, tick: 77 }]),
  ];
  const stream = new Uint8Array(batches.reduce((sum, batch) => sum + batch.length + 2, 0));
  let length = 0;
  for (const batch of batches) {
    const framed = prefixBatch(batch);
    stream.set(framed, length);
    length += framed.length;
  }
  for (let cut = 1; cut < length; cut++) {
    for (const step of [1, 3, cut]) {
      const reader = new BatchReader(4096);
      const out: Uint8Array[] = [];
      for (let at = 0; at < length; at += step) {
        out.push(...reader.push(stream.subarray(at, Math.min(length, at + step))));
      }
      assert.deepEqual(out, batches, `chunks of ${step}`);
      assert.equal(reader.pendingBytes, 0);
    }
  }
});

/** An input declaration like the arena's (shared/protocol knows no game). */
const INPUT = defineInput([
  { name: "buttons", type: "bits", bits: 6 },
  { name: "aim", type: "axis", min: -1000, max: 1000, scale: 10_000 },
]);

Deno.test("a datagram is one batch: the same decoder reads it with no prefix", () => {
  const datagram = encodeBatch([
    { kind: MessageKind.INPUT, sequence: 4, clientTick: 9, values: [1, 0.5] },
    { kind: MessageKind.INPUT, sequence: 5, clientTick: 10, values: [1, 0.5] },
    { kind: MessageKind.ACK, tick: 8 },
  ], INPUT);
  const decoder = new FrameDecoder();
  decoder.inputLayout = INPUT;
  const messages = decoder.decodeClientBatch(datagram);
  assert.deepEqual(messages.map((message) => message.kind), [2, 2, 3]);
});

Deno.test("BatchReader refuses a length over the limit before its bytes arrive, and bad prefixes", () => {
  const reader = new BatchReader(4096);
  assert.throws(
    () => reader.push(new Uint8Array([0x88, 0x27])),
    (error) =>
      error instanceof FrameError && error.reason === "too_big" &&
      error.message === "Cannot read stream batch: 5000 bytes, limit 4096",
  );
  assert.throws(
    () => new BatchReader(4096).push(new Uint8Array([0x80, 0x00])),
    (error) => error instanceof FrameError && error.reason === "bad_varint",
  );
  assert.throws(
    () => new BatchReader(4096).push(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
    (error) => error instanceof FrameError && error.reason === "bad_varint",
  );
  assert.throws(
    () => new BatchReader(4096).push(new Uint8Array([0])),
    (error) => error instanceof FrameError && error.reason === "truncated",
  );
});
