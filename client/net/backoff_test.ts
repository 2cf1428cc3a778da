import assert from "node:assert/strict";
import { Backoff } from "./backoff.ts";

Deno.test("Backoff.next() doubles from 0.5 s up to 8 s and starts again after reset()", () => {
  const backoff = new Backoff({ jitter: 0 });
  const delays = Array.from({ length: 7 }, () => backoff.next());
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  assert.equal(backoff.attempts, 7);
  backoff.reset();
  assert.equal(backoff.next(), 500);
});

Deno.test("Backoff.next() adds at most the jitter share", () => {
  const backoff = new Backoff({ jitter: 0.2, random: () => 0.999 });
  const delay = backoff.next();
  assert.ok(delay > 500 && delay < 600);
});
