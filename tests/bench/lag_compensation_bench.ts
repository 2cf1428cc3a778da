import type { EntityFieldSpec } from "../../server/rooms/game.ts";
import { LagCompensation } from "../../server/rooms/lag_compensation.ts";
import { SnapshotBuilder } from "../../server/rooms/snapshots/snapshot_builder.ts";

// The cost of one rewound shot: find the two world frames around a view time up to 250 ms back,
// then cast a ray through every entity blended as the client blends it. Entities walk randomly
// in a 2000 × 2000 world (WORKLOAD.md) with the arena's columns and precision.
const SCHEMA: EntityFieldSpec[] = [
  { name: "id" },
  { name: "kind" },
  { name: "x", scale: 8, hot: true },
  { name: "y", scale: 8, hot: true },
  { name: "angle", scale: 256 / (2 * Math.PI), wrap: 256 },
  { name: "hp" },
];
const TICK_MS = 1000 / 30;

function rewoundShot(entities: number) {
  const builder = new SnapshotBuilder(SCHEMA);
  const lag = new LagCompensation(builder, builder.wire, TICK_MS, { xField: "x", yField: "y" });
  let seed = 18;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const xs = Array.from({ length: entities }, () => 20 + random() * 1960);
  const ys = Array.from({ length: entities }, () => 20 + random() * 1960);
  const rows: number[] = [];
  let tick = 0;
  for (; tick < 40; tick++) {
    rows.length = 0;
    for (let index = 0; index < entities; index++) {
      xs[index] = Math.min(1980, Math.max(20, (xs[index] ?? 0) + (random() - 0.5) * 13));
      ys[index] = Math.min(1980, Math.max(20, (ys[index] ?? 0) + (random() - 0.5) * 13));
      rows.push(index + 1, 0, xs[index] ?? 0, ys[index] ?? 0, 0, 100);
    }
    builder.beginTick(tick + 1, rows, null);
  }
  const newest = tick;
  const radiusOf = (id: number) => (id % 3 === 0 ? 0 : 20);
  let shot = 0, hits = 0;
  return () => {
    shot++;
    const shooter = 1 + (shot % entities), target = 1 + ((shot * 7) % entities);
    const viewTime = newest - random() * 7.5;
    lag.prepare(shooter, viewTime, newest);
    const fromX = xs[shooter - 1] ?? 0, fromY = ys[shooter - 1] ?? 0;
    const aim = Math.atan2((ys[target - 1] ?? 0) - fromY, (xs[target - 1] ?? 0) - fromX);
    if (lag.raycast(fromX, fromY, Math.cos(aim), Math.sin(aim), 1000, radiusOf).id !== 0) hits++;
    return hits;
  };
}

for (const entities of [64, 264]) {
  const shoot = rewoundShot(entities);
  Deno.bench(`rewound shot (find frames, blend, ray test), ${entities} entities`, {
    group: "lag compensation",
  }, () => {
    shoot();
  });
}
