import assert from "node:assert/strict";
import { SnapshotHistory } from "../../../client/net/snapshot_history.ts";
import { FrameDecoder, FrameEncoder, type SnapshotMessage } from "../../../shared/protocol/mod.ts";
import { SnapshotBuilder } from "./snapshot_builder.ts";

// The property test of the whole snapshot path, driven by the demo game, is
// tests/snapshot_property_test.ts: this folder's tests use no game of their own.

Deno.test("SnapshotBuilder interest keeps far entities out and edge entities in (hysteresis)", () => {
  const schema = [{ name: "id" }, { name: "x", hot: true }, { name: "y", hot: true }];
  const builder = new SnapshotBuilder(schema, {
    xField: "x",
    yField: "y",
    halfWidth: 100,
    halfHeight: 100,
    margin: 20,
    cellSize: 50,
  });
  const ring = builder.createViewRing();
  const history = new SnapshotHistory({ ...builder.wire });
  const encoder = new FrameEncoder();
  const decoder = new FrameDecoder();
  const send = (tick: number, rows: number[], acked: number) => {
    builder.beginTick(tick, rows, null);
    const snapshot = builder.encodeFor(ring, 1, acked);
    encoder.addSnapshot(tick, snapshot.baselineTick, 0, snapshot.body);
    const [message] = decoder.decodeServerBatch(encoder.finish());
    return [...history.apply(message as SnapshotMessage, tick).entities.keys()];
  };
  // Player 1 at the origin; 2 just inside the view, 3 far away, 4 between view and margin.
  assert.deepEqual(send(1, [1, 0, 0, 2, 90, 0, 3, 500, 500, 4, 110, 0], 0), [1, 2]);
  // 2 drifts into the margin band: still visible. 4 stays outside: never entered.
  assert.deepEqual(send(2, [1, 0, 0, 2, 115, 0, 3, 500, 500, 4, 110, 0], 1), [1, 2]);
  // 2 leaves the margin: removed. 3 comes close: added.
  assert.deepEqual(send(3, [1, 0, 0, 2, 125, 0, 3, 50, 50, 4, 110, 0], 2), [1, 3]);
});

Deno.test("SnapshotBuilder takes rows in any order and refuses bad ids and values", () => {
  const schema = [{ name: "id" }, { name: "x", scale: 8 }];
  const builder = new SnapshotBuilder(schema);
  const history = new SnapshotHistory({ ...builder.wire });
  const encoder = new FrameEncoder();
  const decoder = new FrameDecoder();
  builder.beginTick(1, [30, 3, 10, 1, 20, 2.5], null);
  const snapshot = builder.encodeFor(builder.createViewRing(), 10, 0);
  encoder.addSnapshot(1, snapshot.baselineTick, 0, snapshot.body);
  const [message] = decoder.decodeServerBatch(encoder.finish());
  const world = history.apply(message as SnapshotMessage, 1);
  assert.deepEqual([...world.entities.entries()], [[10, [10, 1]], [20, [20, 2.5]], [30, [30, 3]]]);
  for (
    const [rows, error] of [
      [[1, 0, 1, 5], /id 1 appears twice/],
      [[1.5, 0], /id 1.5 is not a positive 31-bit integer/],
      [[0, 0], /id 0 is not/],
      [[2, 0, -4, 0], /id -4 is not/],
      [[2, 2 ** 30], /x = 1073741824 does not fit/],
      // A short last row is a game's bug, not an entity to drop silently.
      [[1, 0, 2], /3 numbers is not a whole number of 2-column rows/],
    ] as const
  ) {
    assert.throws(() => new SnapshotBuilder(schema).beginTick(1, rows, null), error);
  }
  assert.throws(() => builder.beginTick(1, [1, 0], null), /tick 1 was already begun/);
});

Deno.test("SnapshotBuilder derives velocity columns from its own world frames", () => {
  const schema = [
    { name: "id" },
    { name: "x", scale: 8, velocity: "vx" },
    { name: "vx", scale: 8, derived: true },
  ];
  const builder = new SnapshotBuilder(schema);
  const velocities = (tick: number) => {
    const table = builder.worldFrame(tick)?.table;
    if (table === undefined) throw new Error(`No frame of tick ${tick}`);
    return [...table.ids.subarray(0, table.count)].map((id, index) => [
      id,
      (table.values[index * 3 + 2] ?? NaN) / 8,
    ]);
  };
  // The game writes anything (here 99) in a derived column: the runtime's value wins.
  builder.beginTick(1, [1, 10, 99], null);
  assert.deepEqual(velocities(1), [[1, 0]]);
  builder.beginTick(2, [1, 12.5, 99, 2, 40, 99], null);
  // Entity 1 moved 2.5 units; entity 2 is new.
  assert.deepEqual(velocities(2), [[1, 2.5], [2, 0]]);
  // Three ticks later (snapshots every third tick): the move per tick.
  builder.beginTick(5, [1, 18.5, 0, 2, 400, 0], null);
  assert.deepEqual(velocities(5), [[1, 2], [2, 120]]);
  // A jump the game reports is no velocity.
  builder.beginTick(6, [1, 20.5, 0, 2, 30, 0], null, [2]);
  assert.deepEqual(velocities(6), [[1, 2], [2, 0]]);
  // A move within one step (1/8) of the velocity keeps it: a steady 2.0625 units a tick moves by
  // 16 and 17 steps in turn, and the column would otherwise change every tick.
  builder.beginTick(7, [1, 22.625, 0, 2, 30, 0], null);
  assert.deepEqual(velocities(7), [[1, 2], [2, 0]]);
  // More than one step off: the move is the new velocity.
  builder.beginTick(8, [1, 25, 0, 2, 30, 0], null);
  assert.deepEqual(velocities(8), [[1, 2.375], [2, 0]]);
  assert.throws(
    () =>
      new SnapshotBuilder([{ name: "id" }, { name: "x", scale: 8, velocity: "vx" }, {
        name: "vx",
        derived: true,
      }]),
    /Cannot derive vx from x: their scales differ/,
  );
});
