import assert from "node:assert/strict";
import { cosOf, sinOf } from "./_trig.ts";

Deno.test("sinOf() and cosOf() agree with Math.sin and Math.cos within 2^-52 on [-π, π]", () => {
  let worst = 0;
  for (let index = 0; index <= 200_000; index++) {
    const angle = -Math.PI + index * 2 * Math.PI / 200_000;
    const pairs: [number, number][] = [
      [sinOf(angle), Math.sin(angle)],
      [cosOf(angle), Math.cos(angle)],
    ];
    for (const [mine, theirs] of pairs) {
      worst = Math.max(worst, Math.abs(mine - theirs));
    }
  }
  // Absolute error: near a zero of sin or cos a relative one says nothing about a position.
  assert.ok(worst <= Number.EPSILON, `worst error ${worst}`);
  assert.equal(sinOf(0), 0);
  assert.equal(cosOf(0), 1);
  assert.equal(cosOf(Math.PI), -1);
});
