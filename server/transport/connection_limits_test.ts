import assert from "node:assert/strict";
import {
  addressKey,
  AddressSlots,
  MessageRateLimiter,
  resolveConnectionLimits,
} from "./connection_limits.ts";

Deno.test("addressKey() keeps IPv4, maps IPv4-mapped IPv6, and groups IPv6 by /64", () => {
  assert.equal(addressKey("127.0.0.1"), "127.0.0.1");
  assert.equal(addressKey("::ffff:10.0.0.7"), "10.0.0.7");
  assert.equal(addressKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8:1:2::9"), "2001:db8:1:2::/64");
  assert.equal(addressKey("[2001:DB8:0001:0002:aaaa::1]"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(addressKey("::1"), "0:0:0:0::/64");
  assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
});

Deno.test("AddressSlots grants up to the limit per key and frees on release", () => {
  const slots = new AddressSlots(2);
  assert.equal(slots.acquire("a"), true);
  assert.equal(slots.acquire("a"), true);
  assert.equal(slots.acquire("a"), false);
  assert.equal(slots.acquire("b"), true);
  slots.release("a");
  assert.equal(slots.count("a"), 1);
  assert.equal(slots.acquire("a"), true);
  slots.release("a");
  slots.release("a");
  slots.release("a");
  assert.equal(slots.count("a"), 0);
});

Deno.test("resolveConnectionLimits() fills defaults and refuses timeouts that cannot cut a stall", () => {
  const limits = resolveConnectionLimits();
  assert.equal(limits.maxConnectionsPerAddress, 32);
  assert.equal(limits.pingTimeoutMs, 10_000);
  assert.ok(limits.joinTimeoutMs > limits.pingTimeoutMs);
  assert.equal(resolveConnectionLimits({ pingTimeoutMs: 0, joinTimeoutMs: 5 }).joinTimeoutMs, 5);
  assert.throws(() => resolveConnectionLimits({ joinTimeoutMs: 5000 }), /above pingTimeoutMs/);
  assert.throws(() => resolveConnectionLimits({ maxMessagesPerSecond: 0 }), RangeError);
  assert.throws(() => resolveConnectionLimits({ messageBurst: NaN }), RangeError);
});

Deno.test("MessageRateLimiter accepts the burst, drops the next 120, and kicks on the 121st", () => {
  const limiter = new MessageRateLimiter(resolveConnectionLimits(), 0);
  const decisions = Array.from({ length: 361 }, () => limiter.take(0));
  assert.equal(decisions.filter((decision) => decision === "accept").length, 240);
  assert.equal(decisions.filter((decision) => decision === "drop").length, 120);
  assert.equal(decisions.at(-1), "kick");
});

Deno.test("MessageRateLimiter only throttles a burst the client then pays back by slowing down", () => {
  const limiter = new MessageRateLimiter(resolveConnectionLimits(), 0);
  for (let index = 0; index < 300; index++) limiter.take(0);
  // One second of silence earns 120 tokens and halves the throttled count's pressure.
  assert.equal(limiter.take(1000), "accept");
  let atMs = 1000;
  for (let index = 0; index < 600; index++) {
    atMs += 10; // 100 a second, under the average of 120
    assert.equal(limiter.take(atMs), "accept", `message ${index}`);
  }
});

Deno.test("MessageRateLimiter kicks a sustained 2x flood and tolerates 1.4x (only dropping)", () => {
  const flood = new MessageRateLimiter(resolveConnectionLimits(), 0);
  let kickedAtMs = -1;
  for (let index = 0; index < 10_000 && kickedAtMs < 0; index++) {
    const atMs = index * (1000 / 240);
    if (flood.take(atMs) === "kick") kickedAtMs = atMs;
  }
  // 240 a second: the burst lasts 2 s, then 120 drops at 60 net a second: about 4 s in all.
  assert.ok(kickedAtMs > 3000 && kickedAtMs < 6000, `kicked at ${kickedAtMs} ms`);
  const steady = new MessageRateLimiter(resolveConnectionLimits(), 0);
  const decisions = Array.from(
    { length: 168 * 60 },
    (_, index) => steady.take(index * (1000 / 168)),
  );
  assert.ok(!decisions.includes("kick"));
  assert.ok(decisions.includes("drop"));
});
