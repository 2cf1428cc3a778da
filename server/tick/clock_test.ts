import assert from "node:assert/strict";
import { ManualClock } from "./clock.ts";

Deno.test("ManualClock.advance() fires due timers in order, each at its due time", () => {
  const clock = new ManualClock(100);
  const fired: [string, number][] = [];
  clock.setTimer(() => fired.push(["b", clock.now()]), 20);
  clock.setTimer(() => {
    fired.push(["a", clock.now()]);
    clock.setTimer(() => fired.push(["c", clock.now()]), 15);
  }, 10);
  clock.advance(24);
  assert.deepEqual(fired, [["a", 110], ["b", 120]]);
  assert.equal(clock.now(), 124);
  clock.advance(1);
  assert.deepEqual(fired.at(-1), ["c", 125]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("ManualClock.advance() refuses a timer that re-arms itself at the same instant", () => {
  const clock = new ManualClock(0);
  const rearm = () => clock.setTimer(rearm, 0);
  clock.setTimer(rearm, 5);
  assert.throws(() => clock.advance(10), /timers fired at 5 ms without time moving/);
});
