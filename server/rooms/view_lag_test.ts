import assert from "node:assert/strict";
import { ViewLag } from "./view_lag.ts";

const TICK_MS = 1000 / 30;

Deno.test("ViewLag.allowedMs() is round trip + interpolation delay + 2 ticks, open before a sample", () => {
  const lag = new ViewLag();
  assert.equal(lag.allowedMs(TICK_MS, TICK_MS), Number.POSITIVE_INFINITY);
  // A steady 20 ms: no jitter, so the delay is the client's floor of 50 ms.
  for (let sample = 0; sample < 10; sample++) lag.sample(20);
  assert.equal(lag.allowedMs(TICK_MS, TICK_MS), 20 + 50 + 2 * TICK_MS);
  // Round trips from 20 to 100 ms: the worst one, and a delay grown by the 80 ms spread.
  lag.sample(100);
  assert.equal(lag.allowedMs(TICK_MS, TICK_MS), 100 + (TICK_MS + 80 + 10) + 2 * TICK_MS);
  // The delay stops at the client's ceiling of 250 ms.
  lag.sample(900);
  assert.equal(lag.allowedMs(TICK_MS, TICK_MS), 900 + 250 + 2 * TICK_MS);
});

Deno.test("ViewLag forgets round trips older than its 32-sample window", () => {
  const lag = new ViewLag();
  lag.sample(500);
  for (let sample = 0; sample < 32; sample++) lag.sample(30);
  assert.equal(lag.maxRoundTripMs, 30);
  assert.equal(lag.sampleCount, 32);
});
