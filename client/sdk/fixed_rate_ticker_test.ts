import assert from "node:assert/strict";
import { FixedRateTicker } from "./fixed_rate_ticker.ts";

const TICK_MS = 1000 / 30;

Deno.test("FixedRateTicker.due() keeps the long-run rate however unevenly it is polled", () => {
  const ticker = new FixedRateTicker(TICK_MS);
  ticker.start(0);
  const times: number[] = [];
  // Polled at a jittery 60 Hz frame rate.
  for (let frame = 1; frame <= 180; frame++) {
    times.push(...ticker.due(frame * 16.7 + (frame % 3) * 4));
  }
  assert.ok(times.length >= 89 && times.length <= 91, `ticks ${times.length}`);
  // The scheduled times sit on a regular grid, whatever the polling.
  times.forEach((time, index) => assert.ok(Math.abs(time - (index + 1) * TICK_MS) < 1e-6));
});

Deno.test("FixedRateTicker.due() drops the backlog after a long stall", () => {
  const ticker = new FixedRateTicker(TICK_MS, 5);
  ticker.start(0);
  assert.equal(ticker.due(5000).length, 5);
  assert.deepEqual(ticker.due(5001), []);
  assert.ok(ticker.nextDueMs > 5001 && ticker.nextDueMs <= 5001 + TICK_MS);
});
