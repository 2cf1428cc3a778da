import assert from "node:assert/strict";
import { ByteWriter } from "./bytes.ts";

Deno.test("ByteWriter.appendFrom copies short and long ranges of another writer, growing as needed", () => {
  const source = new ByteWriter(8);
  for (let value = 0; value < 100; value++) source.writeByte(value);
  const out = new ByteWriter(4);
  out.writeByte(255);
  out.appendFrom(source, 3, 7); // short: the byte loop
  out.appendFrom(source, 10, 60); // long: one set()
  out.appendFrom(source, 5, 5); // empty
  const expected = [255, 3, 4, 5, 6, ...Array.from({ length: 50 }, (_, index) => 10 + index)];
  assert.deepEqual([...out.view()], expected);
});

Deno.test("ByteWriter.appendPieces stitches listed pieces of another writer in the listed order", () => {
  const source = new ByteWriter(8);
  for (let value = 0; value < 100; value++) source.writeByte(value);
  // Pieces: 0 = 2..5, 1 = 5..5 (empty), 2 = 20..40 (long), 3 = 98..100 (at the very end).
  const starts = Int32Array.of(2, 5, 20, 98), ends = Int32Array.of(5, 5, 40, 100);
  const out = new ByteWriter(2);
  out.writeByte(255);
  out.appendPieces(source, starts, ends, Int32Array.of(3, 0, 1, 2), 4);
  out.writeByte(254);
  const long = Array.from({ length: 20 }, (_, index) => 20 + index);
  assert.deepEqual([...out.view()], [255, 98, 99, 2, 3, 4, ...long, 254]);
  out.appendPieces(source, starts, ends, Int32Array.of(0), 0);
  assert.equal(out.length, 27, "no pieces, no bytes");
});
