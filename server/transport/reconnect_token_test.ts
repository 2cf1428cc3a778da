import assert from "node:assert/strict";
import { ReconnectTokens } from "./reconnect_token.ts";

const SECRET = new Uint8Array(32).fill(7);

function tokensAt(clock: { nowMs: number }, options: { secret?: Uint8Array; ttlMs?: number } = {}) {
  return new ReconnectTokens({ secret: SECRET, ttlMs: 10_000, now: () => clock.nowMs, ...options });
}

Deno.test("ReconnectTokens.issue() signs a token that verify() accepts with its claims", async () => {
  const clock = { nowMs: 1_000_000 };
  const tokens = tokensAt(clock);
  const token = await tokens.issue("dots-1", 3);
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  assert.ok(token.length <= 512);
  assert.deepEqual(await tokens.verify(token, "dots-1"), {
    ok: true,
    claims: { roomId: "dots-1", playerId: 3, expiresAtMs: 1_010_000 },
  });
  assert.equal((await tokens.verify(token)).ok, true);
});

Deno.test("ReconnectTokens.verify() refuses a token for another room", async () => {
  const tokens = tokensAt({ nowMs: 0 });
  const check = await tokens.verify(await tokens.issue("dots-1", 3), "dots-2");
  assert.deepEqual(check, {
    ok: false,
    reason: 'Reconnect token is for room "dots-1", not "dots-2"',
  });
});

Deno.test("ReconnectTokens.verify() refuses a token once it has expired", async () => {
  const clock = { nowMs: 0 };
  const tokens = tokensAt(clock);
  const token = await tokens.issue("dots-1", 3);
  clock.nowMs = 9_999;
  assert.equal((await tokens.verify(token)).ok, true);
  clock.nowMs = 12_500;
  assert.deepEqual(await tokens.verify(token), {
    ok: false,
    reason: "Reconnect token expired 3 s ago",
  });
});

Deno.test("ReconnectTokens.verify() refuses a token signed under another secret", async () => {
  const clock = { nowMs: 0 };
  const token = await tokensAt(clock, { secret: new Uint8Array(32).fill(8) }).issue("dots-1", 3);
  const check = await tokensAt(clock).verify(token);
  assert.equal(check.ok, false);
  assert.match(check.ok ? "" : check.reason, /signature does not match/);
});

Deno.test("ReconnectTokens.verify() refuses altered claims, a cut MAC and garbage", async () => {
  const tokens = tokensAt({ nowMs: 0 });
  const token = await tokens.issue("dots-1", 3);
  const [claims = "", mac = ""] = token.split(".");
  // Claims naming player 4 in the same room, signed by nobody.
  const forgedClaims = btoa(JSON.stringify(["rt1", "dots-1", 4, 10_000]))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const flipped = mac.slice(0, -2) + (mac.at(-2) === "A" ? "B" : "A") + mac.at(-1);
  const cases: [string, RegExp][] = [
    [`${forgedClaims}.${mac}`, /signature does not match/],
    [`${claims}.${flipped}`, /signature does not match/],
    [`${claims}.${mac.slice(0, 40)}`, /malformed/],
    [`${claims}.${mac}.x`, /malformed/],
    [claims, /malformed/],
    ["", /malformed/],
    ["a.b", /malformed/],
    [`${claims}.${mac.slice(0, -1)}=`, /malformed/],
    [`${claims}+.${mac}`, /malformed/],
    ["x".repeat(513), /malformed/],
    ["\u00ff.\u00ff", /malformed/],
  ];
  for (const [bad, reason] of cases) {
    const check = await tokens.verify(bad);
    assert.equal(check.ok, false, bad);
    assert.match(check.ok ? "" : check.reason, reason, bad);
  }
});

Deno.test("ReconnectTokens rejects a short secret, a bad lifetime and a bad player id", async () => {
  assert.throws(() => new ReconnectTokens({ secret: new Uint8Array(31) }), RangeError);
  assert.throws(() => new ReconnectTokens({ ttlMs: 0 }), RangeError);
  assert.throws(() => new ReconnectTokens({ ttlMs: Infinity }), RangeError);
  await assert.rejects(new ReconnectTokens().issue("dots-1", 0), RangeError);
  await assert.rejects(new ReconnectTokens().issue("dots-1", 1.5), RangeError);
});

Deno.test("ReconnectTokens copies its secret: changing the caller's buffer changes nothing", async () => {
  const secret = new Uint8Array(32).fill(1);
  const tokens = new ReconnectTokens({ secret });
  const token = await tokens.issue("dots-1", 1);
  secret.fill(2);
  assert.equal((await tokens.verify(token)).ok, true);
});
