import assert from "node:assert/strict";
import { nextRandom, seedFromString } from "./prng.ts";

Deno.test("nextRandom() gives the same sequence for the same state", () => {
  const a = { rngState: 123 };
  const b = { rngState: 123 };
  for (let i = 0; i < 1000; i++) assert.equal(nextRandom(a), nextRandom(b));
  assert.equal(a.rngState, b.rngState);
});

Deno.test("nextRandom() returns floats in [0, 1) and keeps a uint32 state", () => {
  const source = { rngState: 0 };
  let sum = 0;
  for (let i = 0; i < 10_000; i++) {
    const value = nextRandom(source);
    assert.ok(value >= 0 && value < 1, `value ${value} out of range`);
    assert.ok(Number.isInteger(source.rngState) && source.rngState >= 0);
    assert.ok(source.rngState <= 0xffffffff);
    sum += value;
  }
  // A broken generator (stuck or biased) fails this; a fair one is within 0.01 by far.
  assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.01, `mean ${sum / 10_000}`);
});

Deno.test("seedFromString() is stable and tells room ids apart", () => {
  assert.equal(seedFromString("room-1"), seedFromString("room-1"));
  assert.notEqual(seedFromString("room-1"), seedFromString("room-2"));
  // FNV-1a 32 of the empty string is its offset basis.
  assert.equal(seedFromString(""), 0x811c9dc5);
  assert.equal(seedFromString("a"), 0xe40c292c);
});
