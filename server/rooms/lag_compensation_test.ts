import assert from "node:assert/strict";
import type { EntityFieldSpec } from "./game.ts";
import { LagCompensation, type Point } from "./lag_compensation.ts";
import { SnapshotBuilder } from "./snapshots/snapshot_builder.ts";

const SCHEMA: EntityFieldSpec[] = [
  { name: "id" },
  { name: "x", scale: 8, hot: true },
  { name: "y", scale: 8, hot: true },
];
const TICK_MS = 1000 / 30;

/** A builder fed `frames` (each a list of `[id, x, y]`) as ticks 1, 2, 3…, and its rewind. */
function rewindOver(frames: number[][][]): LagCompensation {
  const builder = new SnapshotBuilder(SCHEMA);
  frames.forEach((rows, index) => builder.beginTick(index + 1, rows.flat(), null));
  return new LagCompensation(builder, builder.wire, TICK_MS, { xField: "x", yField: "y" });
}

Deno.test("LagCompensation.positionOf() blends two frames as the client does, on the 1/8 grid", () => {
  const lag = rewindOver([[[1, 0, 0], [2, 50, 50]], [[1, 10.06, 20], [2, 50, 50]], [[1, 20, 40]]]);
  const at: Point = { x: 0, y: 0 };
  lag.prepare(2, 1.25, 3);
  assert.equal(lag.rewindMs, 1.75 * TICK_MS);
  assert.ok(lag.positionOf(1, at));
  // 10.06 travelled as 80 steps of 1/8: 10, as the client received it.
  assert.deepEqual(at, { x: 2.5, y: 5 });
  assert.equal(lag.positionOf(2, at), false, "the shooter is never rewound");
  lag.prepare(1, 2.5, 3);
  assert.equal(lag.positionOf(2, at), false, "gone in the newer frame: the client drew it no more");
  lag.prepare(2, 5, 3);
  assert.ok(lag.positionOf(1, at));
  assert.deepEqual(at, { x: 20, y: 40 }, "a view past the newest frame is the newest frame");
});

Deno.test("LagCompensation.positionOf() does not blend a teleport, and shows a newcomer as it is", () => {
  const lag = rewindOver([[[1, 0, 0]], [[1, 500, 0], [3, 7, 7]]]);
  const at: Point = { x: 0, y: 0 };
  lag.prepare(9, 1.4, 2);
  assert.ok(lag.positionOf(1, at));
  assert.deepEqual(at, { x: 0, y: 0 });
  lag.prepare(9, 1.6, 2);
  assert.ok(lag.positionOf(1, at));
  assert.deepEqual(at, { x: 500, y: 0 });
  assert.ok(lag.positionOf(3, at));
  assert.deepEqual(at, { x: 7, y: 7 });
});

Deno.test("LagCompensation.raycast() hits the first rewound circle, skips radius 0, names the nearest miss", () => {
  const lag = rewindOver([
    [[1, 0, 0], [2, 100, 0], [3, 200, 0], [4, 300, 30]],
    [[1, 0, 0], [2, 100, 100], [3, 200, 0], [4, 300, 30]],
  ]);
  lag.prepare(1, 1, 2);
  // At the view time entity 2 still stood on the ray; now it has moved off it.
  let hit = lag.raycast(0, 0, 1, 0, 1000, () => 20);
  assert.equal(hit.id, 2);
  assert.equal(hit.distance, 80);
  // The game leaves entity 2 out: the ray goes on to entity 3.
  hit = lag.raycast(0, 0, 1, 0, 1000, (id) => (id === 2 ? 0 : 20));
  assert.deepEqual([hit.id, hit.x, hit.y], [3, 200, 0]);
  // Out of range of 3; entity 4 passes 10 units outside its circle.
  hit = lag.raycast(0, 0, 1, 0, 1000, (id) => (id === 4 ? 20 : 0));
  assert.deepEqual([hit.id, hit.nearestId, hit.missBy], [0, 4, 10]);
  hit = lag.raycast(0, 0, 1, 0, 150, (id) => (id === 3 ? 20 : 0));
  assert.deepEqual([hit.id, hit.nearestId], [0, 0]);
});
