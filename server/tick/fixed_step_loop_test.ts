import assert from "node:assert/strict";
import { ManualClock, realClock } from "./clock.ts";
import { FixedStepLoop } from "./fixed_step_loop.ts";

Deno.test("FixedStepLoop runs 60 steps in 2 s at 30 Hz on a driven clock without drift", () => {
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

Deno.test("FixedStepLoop holds 30 Hz on the real clock: 60 ± 1 steps in 2 s", async () => {
  let steps = 0;
  const loop = new FixedStepLoop({
    stepIntervalMs: 1000 / 30,
    clock: realClock,
    onStep: () => steps++,
  });
  const startedMs = performance.now();
  loop.start();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  loop.stop();
  const elapsedMs = performance.now() - startedMs;
  const expected = Math.floor(elapsedMs / (1000 / 30));
  assert.ok(Math.abs(steps - expected) <= 1, `${steps} steps in ${elapsedMs.toFixed(0)} ms`);
  assert.ok(Math.abs(steps - 60) <= 1, `${steps} steps in 2 s`);
});
