import assert from "node:assert/strict";
import { type Clock, ManualClock, realClock, type TimerHandle } from "./clock.ts";
import { FixedStepLoop } from "./fixed_step_loop.ts";

Deno.test("FixedStepLoop runs exactly 60 steps in 2 s at 30 Hz on a driven clock without drift", () => {
  const clock = new ManualClock();
  let steps = 0;
  const loop = new FixedStepLoop({ stepIntervalMs: 1000 / 30, clock, onStep: () => steps++ });
  loop.start();
  for (let ms = 0; ms < 2000; ms += 7) clock.advance(7);
  clock.advance(2000 - Math.floor(2000 / 7) * 7);
  loop.stop();
  assert.equal(steps, 60);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("FixedStepLoop catches up at most maxCatchUpSteps after a 500 ms stall", () => {
  const clock = new ManualClock();
  const burstSizes: number[] = [];
  let current = 0;
  let dropped = 0;
  const loop = new FixedStepLoop({
    stepIntervalMs: 1000 / 30,
    maxCatchUpSteps: 3,
    clock,
    onStep: () => current++,
    onStepsDropped: (count) => dropped += count,
  });
  loop.start();
  clock.advance(100);
  burstSizes.push(current);
  current = 0;
  clock.stall(500);
  clock.advance(0);
  burstSizes.push(current);
  current = 0;
  clock.advance(990);
  loop.stop();
  assert.equal(burstSizes[1], 3, "the wake-up after the stall runs exactly the cap");
  assert.equal(loop.droppedSteps, dropped);
  assert.ok(dropped >= 11 && dropped <= 13, `dropped ${dropped}, expected the 500 ms backlog`);
  assert.ok(current >= 29 && current <= 30, `after the stall: ${current} steps in 990 ms`);
});

Deno.test("FixedStepLoop on the real clock accounts for every step of the elapsed time", async () => {
  // Only relative to the time that really passed, and counting steps dropped after a stall: a
  // loaded machine may delay the loop, but no step may be lost or invented.
  let steps = 0;
  const loop = new FixedStepLoop({
    stepIntervalMs: 1000 / 30,
    clock: realClock,
    onStep: () => steps++,
  });
  const startedMs = performance.now();
  loop.start();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  loop.stop();
  const elapsedMs = performance.now() - startedMs;
  const expected = Math.floor(elapsedMs / (1000 / 30));
  const accounted = steps + loop.droppedSteps;
  assert.ok(
    Math.abs(accounted - expected) <= 1,
    `${accounted} steps in ${elapsedMs.toFixed(0)} ms`,
  );
});

/** A clock that moves on by `creepMs` at every read and fires its timers `earlyMs` early. */
class CreepingClock implements Clock {
  #nowMs = 0;
  #timers = new Map<TimerHandle, { dueMs: number; callback: () => void }>();
  #nextHandle = 1;
  constructor(readonly creepMs: number, readonly earlyMs: number) {}
  now(): number {
    const now = this.#nowMs;
    this.#nowMs += this.creepMs;
    return now;
  }
  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const handle = this.#nextHandle++;
    this.#timers.set(handle, { dueMs: this.#nowMs + delayMs - this.earlyMs, callback });
    return handle;
  }
  clearTimer(handle: TimerHandle): void {
    this.#timers.delete(handle);
  }
  runUntil(endMs: number): void {
    for (;;) {
      let next: [TimerHandle, { dueMs: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (next === undefined || entry[1].dueMs < next[1].dueMs) next = entry;
      }
      if (next === undefined || next[1].dueMs > endMs) return;
      this.#timers.delete(next[0]);
      this.#nowMs = Math.max(this.#nowMs, next[1].dueMs);
      next[1].callback();
    }
  }
}

Deno.test("FixedStepLoop counts no dropped step when its timer fires a hair early", () => {
  // The clock moves 0.02 ms per read and timers fire 0.03 ms early: every wake comes 0.01 ms
  // before its step is due, which becomes due between the loop's check and its backlog check.
  const clock = new CreepingClock(0.02, 0.03);
  let steps = 0;
  const loop = new FixedStepLoop({ stepIntervalMs: 1000 / 30, clock, onStep: () => steps++ });
  loop.start();
  clock.runUntil(2000);
  loop.stop();
  assert.equal(loop.droppedSteps, 0);
  assert.ok(Math.abs(steps - 60) <= 1, `${steps} steps in 2 s`);
});
