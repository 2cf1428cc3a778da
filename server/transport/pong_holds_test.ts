import assert from "node:assert/strict";
import { type PongHolder, PongHolds } from "./pong_holds.ts";

class Holder implements PongHolder {
  heldPingAtMs = 0;
  sentAtMs: number[] = [];
  sendHeldPong(): void {
    this.sentAtMs.push(performance.now());
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a held pong is sent alone once it has waited the longest hold, not before", async () => {
  const holds = new PongHolds(40);
  const first = new Holder(), second = new Holder();
  first.heldPingAtMs = performance.now();
  holds.hold(first);
  await sleep(20);
  second.heldPingAtMs = performance.now();
  holds.hold(second);
  await sleep(30);
  assert.equal(first.sentAtMs.length, 1, "the first waited 50 ms");
  assert.ok((first.sentAtMs[0] ?? 0) - first.heldPingAtMs >= 40);
  assert.equal(second.sentAtMs.length, 0, "the second waited 30 ms");
  await sleep(30);
  assert.equal(second.sentAtMs.length, 1);
  assert.ok((second.sentAtMs[0] ?? 0) - second.heldPingAtMs >= 40);
  assert.equal(holds.size, 0);
});

Deno.test("a released pong is never sent by the hold, and stop() ends the timer", async () => {
  const holds = new PongHolds(30);
  const carried = new Holder(), overdue = new Holder();
  carried.heldPingAtMs = overdue.heldPingAtMs = performance.now();
  holds.hold(carried);
  holds.hold(overdue);
  holds.release(carried);
  await sleep(50);
  assert.deepEqual(carried.sentAtMs, []);
  assert.equal(overdue.sentAtMs.length, 1);
  // The test's timer sanitizer fails if the hold's timer outlived stop().
  holds.hold(carried);
  holds.release(carried);
  holds.stop();
  assert.equal(holds.size, 0);
});
