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
