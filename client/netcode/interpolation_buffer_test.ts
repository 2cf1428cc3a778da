import assert from "node:assert/strict";
import { type BufferedSnapshot, InterpolationBuffer } from "./interpolation_buffer.ts";

const TICK_MS = 1000 / 30;
// Rows as the arena sends them: id, kind, x, y, angle.
const COLUMNS = { x: 2, y: 3, angle: 4 };

function snapshot(
  tick: number,
  receivedAtMs: number,
  rows: [id: number, x: number, y: number, angle: number][],
): BufferedSnapshot {
  return {
    tick,
    receivedAtMs,
    entities: new Map(rows.map(([id, x, y, angle]) => [id, [id, 0, x, y, angle]])),
  };
}

/** A snapshot of entity 1 at x = 10 × tick, arriving `transitMs` after its server time. */
function moving(tick: number, transitMs: number): BufferedSnapshot {
  return snapshot(tick, tick * TICK_MS + transitMs, [[1, tick * 10, 50, 0]]);
}

Deno.test("InterpolationBuffer.sample() blends halfway between the two snapshots around the render time", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS);
  buffer.push(snapshot(30, 30 * TICK_MS + 40, [[1, 300, 100, 3]]));
  buffer.push(snapshot(31, 31 * TICK_MS + 40, [[1, 310, 120, -3]]));
  buffer.push(snapshot(32, 32 * TICK_MS + 40, [[1, 320, 140, -3]]));
  // Too few arrivals to measure jitter: the delay starts at three snapshot intervals.
  assert.ok(Math.abs(buffer.delayMs - 100) < 1e-9);
  buffer.update(40 + buffer.delayMs + 30.5 * TICK_MS);
  const entity = buffer.sample(1);
  assert.ok(entity !== null);
  assert.ok(Math.abs(entity.x - 305) < 1e-9, `x ${entity.x}`);
  assert.ok(Math.abs(entity.y - 110) < 1e-9, `y ${entity.y}`);
  // From 3 rad to -3 rad the short way passes π, not 0.
  assert.ok(Math.PI - Math.abs(entity.angle) < 1e-9, `angle ${entity.angle}`);
  assert.equal(buffer.extrapolatingMs, 0);
});

Deno.test("InterpolationBuffer.sample() extrapolates a late entity for at most maxExtrapolationMs", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS, { maxExtrapolationMs: 100 });
  buffer.push(moving(30, 20));
  buffer.push(moving(31, 20));
  const delay = buffer.delayMs;
  // 50 ms past the newest snapshot: carried on at 10 units a tick (300 units/s).
  buffer.update(20 + delay + 31 * TICK_MS + 50);
  assert.ok(Math.abs((buffer.sample(1)?.x ?? NaN) - 325) < 1e-9);
  assert.ok(Math.abs(buffer.extrapolatingMs - 50) < 1e-9);
  // 400 ms past it: held at the 100 ms bound instead of flying on.
  buffer.update(20 + delay + 31 * TICK_MS + 400);
  assert.ok(Math.abs((buffer.sample(1)?.x ?? NaN) - 340) < 1e-9);
  assert.equal(buffer.extrapolatingMs, 100);
});

Deno.test("InterpolationBuffer.delayMs adapts to arrival jitter within its bounds", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS, { minDelayMs: 50, maxDelayMs: 250 });
  let tick = 1;
  for (let i = 0; i < 60; i++) buffer.push(moving(tick++, 30));
  // Steady arrivals: one interval plus a small margin is enough, so the floor applies.
  assert.equal(buffer.delayMs, 50);
  assert.ok(buffer.jitterMs < 1e-9);
  // Arrivals up to 80 ms late (in order, as over TCP): the delay must cover that.
  let late = 0;
  for (let i = 0; i < 60; i++) {
    late = (late * 37 + 23) % 81;
    buffer.push(moving(tick++, 30 + late));
  }
  assert.ok(buffer.jitterMs >= 60, `jitter ${buffer.jitterMs}`);
  assert.ok(buffer.delayMs > 100 && buffer.delayMs < 250, `delay ${buffer.delayMs}`);
  // Very late arrivals are capped at the ceiling.
  for (let i = 0; i < 60; i++) buffer.push(moving(tick++, 30 + (i % 2) * 400));
  assert.equal(buffer.delayMs, 250);
  // Steady again: the window forgets the old jitter.
  for (let i = 0; i < 60; i++) buffer.push(moving(tick++, 30));
  assert.equal(buffer.delayMs, 50);
});

Deno.test("InterpolationBuffer.update() glides the render time forward when the delay grows", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS);
  let tick = 1;
  for (let i = 0; i < 30; i++) buffer.push(moving(tick++, 30));
  let nowMs = tick * TICK_MS + 30;
  buffer.update(nowMs);
  let previous = buffer.renderTimeMs ?? NaN;
  const before = buffer.delayMs;
  for (let i = 0; i < 30; i++) buffer.push(moving(tick++, 30 + (i % 3) * 40));
  assert.ok(buffer.delayMs > before + 50);
  for (let frame = 0; frame < 60; frame++) {
    nowMs += 16;
    buffer.update(nowMs);
    const renderTime = buffer.renderTimeMs ?? NaN;
    const step = renderTime - previous;
    // Never backwards, never faster or slower than ±10% of real time.
    assert.ok(step >= 16 * 0.9 - 1e-9 && step <= 16 * 1.1 + 1e-9, `step ${step}`);
    previous = renderTime;
  }
});

Deno.test("InterpolationBuffer.sample() does not blend a teleport", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS);
  buffer.push(snapshot(30, 30 * TICK_MS, [[1, 100, 100, 0]]));
  buffer.push(snapshot(31, 31 * TICK_MS, [[1, 900, 900, 0]]));
  buffer.update(buffer.delayMs + 30.25 * TICK_MS);
  assert.equal(buffer.sample(1)?.x, 100);
  buffer.update(buffer.delayMs + 30.75 * TICK_MS);
  assert.equal(buffer.sample(1)?.x, 900);
});

Deno.test("InterpolationBuffer.sample() draws the newest snapshot when disabled", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS);
  buffer.push(moving(30, 0));
  buffer.push(moving(31, 0));
  buffer.update(buffer.delayMs + 30.5 * TICK_MS);
  buffer.enabled = false;
  assert.equal(buffer.sample(1)?.x, 310);
  assert.deepEqual(buffer.entities().map((entity) => entity.id), [1]);
  assert.equal(buffer.sample(2), null);
});

Deno.test("InterpolationBuffer.sample() shows a new entity at once and drops a removed one", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS);
  buffer.push(snapshot(30, 30 * TICK_MS, [[1, 0, 0, 0], [2, 50, 50, 0]]));
  buffer.push(snapshot(31, 31 * TICK_MS, [[1, 10, 0, 0], [3, 70, 70, 0]]));
  buffer.update(buffer.delayMs + 30.5 * TICK_MS);
  assert.equal(buffer.sample(2), null);
  assert.equal(buffer.sample(3)?.x, 70);
  assert.deepEqual(buffer.entities().map((entity) => entity.id), [1, 3]);
});

Deno.test("InterpolationBuffer.viewTicks() is the drawn tick with its fraction, never past the newest snapshot", () => {
  const buffer = new InterpolationBuffer(COLUMNS, TICK_MS);
  assert.equal(buffer.viewTicks(), 0, "nothing drawn yet");
  for (let tick = 30; tick <= 32; tick++) buffer.push(moving(tick, 40));
  buffer.update(40 + buffer.delayMs + 30.5 * TICK_MS);
  assert.ok(Math.abs(buffer.viewTicks() - 30.5) < 1e-9, `${buffer.viewTicks()}`);
  // The entity drawn there is the one the server rewinds to at that view.
  assert.ok(Math.abs((buffer.sample(1)?.x ?? 0) - 305) < 1e-9);
  // Extrapolating past tick 32: what was drawn there was never a snapshot.
  buffer.update(40 + buffer.delayMs + 34 * TICK_MS);
  assert.equal(buffer.viewTicks(), 32);
  buffer.enabled = false;
  assert.equal(buffer.viewTicks(), 32, "without interpolation the newest snapshot is drawn");
});
