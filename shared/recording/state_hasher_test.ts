import assert from "node:assert/strict";
import { StateHasher } from "./state_hasher.ts";

function hashOf(values: readonly number[]): number {
  const hasher = new StateHasher();
  for (const value of values) hasher.number(value);
  return hasher.digest();
}

Deno.test("StateHasher: a one-bit change of any word, in every lane and the padded tail, changes the hash", () => {
  // Five values: ten words over the four lanes, then a padded half round.
  const base = [1.5, -2.25, 1e9 + 0.125, 7, 1 / 3];
  const words = new Uint32Array(new Float64Array(base).buffer);
  const before = hashOf(base);
  for (let word = 0; word < words.length; word++) {
    for (const bit of [0, 13, 31]) {
      const changed = new Uint32Array(words);
      changed[word] = (changed[word]! ^ (1 << bit)) >>> 0;
      const values = [...new Float64Array(changed.buffer)];
      assert.notEqual(hashOf(values), before, `bit ${bit} of word ${word} is not hashed`);
    }
  }
});

Deno.test("StateHasher: a trailing zero, the padding of an odd count, still changes the hash", () => {
  assert.notEqual(hashOf([1]), hashOf([1, 0]));
  assert.notEqual(hashOf([]), hashOf([0]));
  assert.notEqual(hashOf([1, 2, 3]), hashOf([1, 2, 3, 0]));
});

Deno.test("StateHasher: -0 hashes as 0, and a reset hasher hashes as a new one", () => {
  assert.equal(hashOf([-0, 1]), hashOf([0, 1]));
  const hasher = new StateHasher();
  hasher.number(99);
  hasher.reset();
  hasher.string("ada");
  const fresh = new StateHasher();
  fresh.string("ada");
  assert.equal(hasher.digest(), fresh.digest());
});

Deno.test("StateHasher: the hash of a fixed input is RECORDING.md's (a change needs a new format version)", () => {
  // Worked out by hand from RECORDING.md's description (an independent Python implementation).
  assert.equal(hashOf([1.5, 2, -3.25]), 0x5ff05778);
  const many: number[] = [];
  for (let index = 0; index < 3000; index++) many.push(index * 0.5);
  assert.equal(hashOf(many), 0x7af3e809);
});
