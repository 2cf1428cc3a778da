import assert from "node:assert/strict";
import { ManualClock } from "../tick/clock.ts";
import { type PongHolder, PongHolds } from "./pong_holds.ts";

class Holder implements PongHolder {
  heldPingAtMs = 0;
  readonly sentAtMs: number[] = [];
  constructor(readonly clock: ManualClock) {}
  sendHeldPong(): void {
    this.sentAtMs.push(this.clock.now());
  }
}

Deno.test("PongHolds sends a held pong alone exactly when it has waited the longest hold", () => {
  const clock = new ManualClock(1000);
  const holds = new PongHolds({ maxHoldMs: 40, clock });
  const first = new Holder(clock), second = new Holder(clock);
  first.heldPingAtMs = clock.now();
  holds.hold(first);
  clock.advance(20);
  second.heldPingAtMs = clock.now();
  holds.hold(second);
  clock.advance(19.9);
  assert.deepEqual(first.sentAtMs, [], "39.9 ms is not yet the longest hold");
  clock.advance(0.1);
  assert.deepEqual(first.sentAtMs, [1040], "the first goes at 40 ms");
  assert.deepEqual(second.sentAtMs, []);
  assert.equal(holds.size, 1);
  clock.advance(20);
  assert.deepEqual(second.sentAtMs, [1060], "the second at its own 40 ms");
  assert.equal(holds.size, 0);
  assert.equal(clock.pendingTimers, 0, "no timer while nothing is held");
});

Deno.test("PongHolds never sends a released pong, keeps one timer, and stop() clears it", () => {
  const clock = new ManualClock(0);
  const holds = new PongHolds({ maxHoldMs: 30, clock });
  const carried = new Holder(clock), overdue = new Holder(clock), later = new Holder(clock);
  holds.hold(carried);
  holds.hold(overdue);
  assert.equal(clock.pendingTimers, 1, "one timer for every hold");
  holds.release(carried);
  assert.equal(clock.pendingTimers, 1, "a release leaves the timer");
  clock.advance(10);
  later.heldPingAtMs = 10;
  holds.hold(later);
  clock.advance(20);
  assert.deepEqual(carried.sentAtMs, []);
  assert.deepEqual(overdue.sentAtMs, [30]);
  assert.deepEqual(later.sentAtMs, [], "re-armed for the next oldest");
  assert.equal(clock.pendingTimers, 1);
  holds.stop();
  assert.equal(holds.size, 0);
  assert.equal(clock.pendingTimers, 0);
  clock.advance(100);
  assert.deepEqual(later.sentAtMs, [], "stopped holds send nothing");
});
