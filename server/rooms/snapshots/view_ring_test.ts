import assert from "node:assert/strict";
import { appendSetRows, bitCount, ViewRing } from "./view_ring.ts";

Deno.test("appendSetRows lists a word's rows ascending, bit 31 included", () => {
  const out = new Int32Array(40).fill(-1);
  let count = appendSetRows(0b1011, 0, out, 0);
  count = appendSetRows(1 << 31 | 1, 2, out, count);
  assert.deepEqual([...out.subarray(0, count)], [0, 1, 3, 64, 95]);
  assert.equal(appendSetRows(0, 5, out, count), count);
  assert.equal(appendSetRows(-1, 1, out, 0), 32);
  assert.deepEqual([...out.subarray(0, 32)], Array.from({ length: 32 }, (_, bit) => 32 + bit));
});

Deno.test("bitCount counts the set bits of a 32-bit word", () => {
  assert.equal(bitCount(0), 0);
  assert.equal(bitCount(-1), 32);
  assert.equal(bitCount(1 << 31), 1);
  assert.equal(bitCount(0x5555_5555), 16);
  assert.equal(bitCount(0b1011_0000_0001), 4);
});

Deno.test("ViewRing keeps a slot's bitset across growth and forgets views a ring old", () => {
  const ring = new ViewRing(4, 1);
  const first = ring.claim(1, 2, 0, 1);
  ring.bits[ring.offsetOf(first)] = 0b101;
  const wide = ring.claim(2, 3, 0, 3);
  ring.bits.set([7, 0, 1 << 31], ring.offsetOf(wide));
  assert.equal(ring.bits[ring.offsetOf(ring.find(1))], 0b101, "kept when the slots grew");
  assert.deepEqual([...ring.bits.subarray(ring.offsetOf(wide), ring.offsetOf(wide) + 3)], [
    7,
    0,
    1 << 31,
  ]);
  assert.equal(ring.wordsOf(wide), 3);
  ring.claim(5, 0, 0, 1);
  assert.equal(ring.find(1), -1, "tick 5 took tick 1's slot");
  assert.equal(ring.newest, ring.find(5));
});
