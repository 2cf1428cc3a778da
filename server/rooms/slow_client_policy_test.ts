import assert from "node:assert/strict";
import { ManualClock } from "../tick/clock.ts";
import { SlowClientPolicy, type SlowClientState } from "./slow_client_policy.ts";

Deno.test("SlowClientPolicy skips over the soft limit, and closes after the timeout over it", () => {
  const clock = new ManualClock(0);
  const policy = new SlowClientPolicy(
    { softLimitBytes: 1000, hardLimitBytes: 10_000, timeoutMs: 500 },
    clock,
  );
  const client: SlowClientState = { slowSinceMs: -1 };
  assert.equal(policy.judge(client, 1000), "send", "at the soft limit is not over it");
  clock.advance(100);
  assert.equal(policy.judge(client, 1001), "skip");
  assert.equal(client.slowSinceMs, 100);
  clock.advance(499);
  assert.equal(policy.judge(client, 5000), "skip", "499 ms over");
  clock.advance(1);
  assert.equal(policy.judge(client, 5000), "stalled", "500 ms over");
  assert.equal(
    policy.closeReason("stalled", 5000),
    "Client is not reading: over 1000 bytes queued for 500 ms",
  );
});

Deno.test("SlowClientPolicy restarts the timeout when a client drains, and closes over the hard limit at once", () => {
  const clock = new ManualClock(0);
  const policy = new SlowClientPolicy(
    { softLimitBytes: 1000, hardLimitBytes: 10_000, timeoutMs: 500 },
    clock,
  );
  const client: SlowClientState = { slowSinceMs: -1 };
  assert.equal(policy.judge(client, 2000), "skip");
  clock.advance(400);
  assert.equal(policy.judge(client, 0), "send");
  assert.equal(client.slowSinceMs, -1);
  assert.equal(policy.judge(client, 2000), "skip");
  clock.advance(400);
  assert.equal(policy.judge(client, 2000), "skip", "400 ms since it went over again");
  assert.equal(policy.judge(client, 10_001), "overflowing", "no waiting over the hard limit");
  assert.equal(
    policy.closeReason("overflowing", 10_001),
    "Client is not reading: 10001 bytes queued, limit 10000",
  );
});

Deno.test("SlowClientPolicy defaults to 256 KiB, 4 MiB and 5 s", () => {
  const policy = new SlowClientPolicy({}, new ManualClock());
  assert.deepEqual(
    [policy.softLimitBytes, policy.hardLimitBytes, policy.timeoutMs],
    [256 * 1024, 4 * 1024 * 1024, 5000],
  );
});
