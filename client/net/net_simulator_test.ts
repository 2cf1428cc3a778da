import assert from "node:assert/strict";
import { NetSimulator } from "./net_simulator.ts";

/** A clock and timer queue the test advances by hand. */
function drivenTimers() {
  let nowMs = 0;
  let nextId = 1;
  const timers = new Map<number, { dueMs: number; callback: () => void }>();
  return {
    clock: () => nowMs,
    schedule: (callback: () => void, delayMs: number) => {
      const id = nextId++;
      timers.set(id, { dueMs: nowMs + delayMs, callback });
      return () => void timers.delete(id);
    },
    pending: () => timers.size,
    advance(toMs: number) {
      while (true) {
        const due = [...timers.entries()].filter(([, timer]) => timer.dueMs <= toMs)
          .sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        nowMs = due[1].dueMs;
        due[1].callback();
      }
      nowMs = toMs;
    },
  };
}

Deno.test("NetSimulator passes messages through at once when no condition is set", () => {
  const timers = drivenTimers();
  const simulator = new NetSimulator(timers);
  const seen: number[] = [];
  simulator.receive(true, 12, (atMs) => seen.push(atMs));
  simulator.send(true, () => seen.push(-1));
  assert.deepEqual(seen, [12, -1]);
  assert.equal(timers.pending(), 0);
});

Deno.test("NetSimulator delays by latency plus jitter and keeps each direction in order", () => {
  const timers = drivenTimers();
  const randoms = [0.9, 0.1, 0.5];
  const simulator = new NetSimulator({ ...timers, random: () => randoms.shift() ?? 0 });
  simulator.conditions = { latencyMs: 100, jitterMs: 50, lossPercent: 0 };
  const seen: [string, number][] = [];
  // Due at 145, 105 and 125 ms: the second and third wait behind the first.
  for (const name of ["a", "b", "c"]) simulator.send(true, (atMs) => seen.push([name, atMs]));
  timers.advance(144);
  assert.deepEqual(seen, []);
  timers.advance(200);
  assert.deepEqual(seen, [["a", 145], ["b", 145], ["c", 145]]);
  simulator.clear();
});

Deno.test("NetSimulator drops only lossy messages, at the loss rate", () => {
  const timers = drivenTimers();
  let draw = 0;
  // 0.00, 0.25, 0.50, 0.75, … against 50% loss: every other one goes.
  const simulator = new NetSimulator({ ...timers, random: () => (draw++ % 4) / 4 });
  simulator.conditions = { latencyMs: 0, jitterMs: 0, lossPercent: 50 };
  let lossy = 0;
  let reliable = 0;
  for (let i = 0; i < 8; i++) simulator.receive(true, 0, () => lossy++);
  for (let i = 0; i < 8; i++) simulator.receive(false, 0, () => reliable++);
  assert.equal(lossy, 4);
  assert.equal(reliable, 8);
  assert.equal(simulator.dropped, 4);
});

Deno.test("NetSimulator.clear() cancels what is in flight", () => {
  const timers = drivenTimers();
  const simulator = new NetSimulator({ ...timers, random: () => 0 });
  simulator.conditions = { latencyMs: 100, jitterMs: 0, lossPercent: 0 };
  let delivered = 0;
  simulator.send(false, () => delivered++);
  simulator.clear();
  timers.advance(1000);
  assert.equal(delivered, 0);
  assert.equal(timers.pending(), 0);
});
