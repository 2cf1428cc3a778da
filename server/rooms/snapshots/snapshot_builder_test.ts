import assert from "node:assert/strict";
import { BaselineMissingError, SnapshotHistory } from "../../../client/net/snapshot_history.ts";
import {
  addPlayer,
  applyPlayerInput,
  Buttons,
  createArenaState,
  nextRandom,
  stepArena,
} from "../../../shared/game/arena/mod.ts";
import { quantize } from "../../../shared/protocol/entity_schema.ts";
import {
  FrameDecoder,
  FrameEncoder,
  MessageKind,
  type SnapshotMessage,
} from "../../../shared/protocol/mod.ts";
import { ARENA_ENTITY_SCHEMA, ARENA_INTEREST, createArenaGame } from "../../games/arena.ts";
import { SnapshotBuilder } from "./snapshot_builder.ts";
import type { ViewRing } from "./view_ring.ts";

interface SimClient {
  playerId: number;
  ring: ViewRing;
  history: SnapshotHistory;
  ackedTick: number;
  /** Snapshots in flight to the client: [deliver at tick, bytes]. */
  inbound: [number, Uint8Array][];
  /** Acks in flight to the server: [deliver at tick, tick acked]. */
  outbound: [number, number][];
  applied: number;
}

function run(interest: boolean, seed: number, npcCount = 60) {
  const random = { rngState: seed };
  const roll = () => nextRandom(random);
  const game = createArenaGame({ npcCount, interestManagement: interest });
  const state = createArenaState(seed, { npcCount });
  const builder = new SnapshotBuilder(ARENA_ENTITY_SCHEMA, interest ? ARENA_INTEREST : undefined);
  const encoder = new FrameEncoder();
  const decoder = new FrameDecoder();
  const welcome = { ...builder.wire };
  const clients: SimClient[] = [];
  for (let index = 0; index < 8; index++) {
    clients.push({
      playerId: addPlayer(state, `p${index}`).id,
      ring: builder.createViewRing(),
      history: new SnapshotHistory(welcome),
      ackedTick: 0,
      inbound: [],
      outbound: [],
      applied: 0,
    });
  }
  const rows: number[] = [];
  const global: number[] = [];
  let deltas = 0;
  let checked = 0;
  for (let tick = 1; tick <= 400; tick++) {
    for (const client of clients) {
      const buttons = Math.floor(roll() * 32) & (Buttons.UP | Buttons.LEFT | Buttons.RIGHT |
        Buttons.DOWN | Buttons.FIRE);
      applyPlayerInput(state, client.playerId, { buttons, aim: roll() * 6 - 3 }, 1000 / 30);
    }
    stepArena(state, 1000 / 30);
    rows.length = 0;
    global.length = 0;
    game.writeEntities(state, rows);
    game.writeGlobal?.(state, global);
    builder.beginTick(tick, rows, global);
    // Each entity's quantized row this tick, to check what clients rebuild independently.
    const expected = new Map<number, number[]>();
    for (let offset = 0; offset < rows.length; offset += ARENA_ENTITY_SCHEMA.length) {
      expected.set(
        rows[offset] ?? 0,
        ARENA_ENTITY_SCHEMA.map((field, column) =>
          quantize(rows[offset + column] ?? 0, field.scale ?? 1, field.wrap ?? 0) /
          (field.scale ?? 1)
        ),
      );
    }
    for (const client of clients) {
      // Acks arrive late and out of order; the server keeps the newest.
      client.outbound = client.outbound.filter(([due, acked]) => {
        if (due > tick) return true;
        if (acked === 0) client.ackedTick = 0;
        else if (acked > client.ackedTick) client.ackedTick = acked;
        return false;
      });
      if (roll() < 0.1) continue; // skipped for a congested client
      // The room's path: written straight into the client's batch.
      const baselineTick = builder.writeFor(
        client.ring,
        client.playerId,
        client.ackedTick,
        0,
        encoder,
      );
      if (baselineTick !== 0) deltas++;
      client.inbound.push([tick + Math.floor(roll() * 4), encoder.finish()]);
    }
    for (const client of clients) {
      const due = client.inbound.filter(([at]) => at <= tick);
      client.inbound = client.inbound.filter(([at]) => at > tick);
      due.sort(() => roll() - 0.5); // reordered by the network
      for (const [, bytes] of due) {
        const [message] = decoder.decodeServerBatch(bytes);
        assert.ok(message?.kind === MessageKind.SNAPSHOT);
        if (roll() < 0.01) client.history = new SnapshotHistory(welcome); // lost its history
        let world;
        try {
          world = client.history.apply(message as SnapshotMessage, tick);
        } catch (error) {
          assert.ok(error instanceof BaselineMissingError, String(error));
          client.outbound.push([tick + 1, 0]);
          continue;
        }
        client.applied++;
        // The rebuilt view is exactly what the server recorded as sent for that tick...
        const sent = builder.sentTable(client.ring, message.tick);
        if (sent !== undefined) {
          const table = client.history.tableAt(message.tick);
          if (table !== undefined) {
            assert.deepEqual(
              [...table.values.subarray(0, table.count * 7)],
              [...sent.values.subarray(0, sent.count * 7)],
              `client ${client.playerId} tick ${message.tick}`,
            );
          }
        }
        // ...and, for the current tick, every row equals the quantized world.
        if (message.tick === tick) {
          for (const [id, row] of world.entities) assert.deepEqual(row, expected.get(id));
          assert.ok(world.entities.has(client.playerId), "own player always present");
          assert.deepEqual(world.global, global);
          if (interest) assertInterest(expected, client.playerId, world.entities);
          checked++;
        }
        if (roll() < 0.9) client.outbound.push([tick + Math.floor(roll() * 5), message.tick]);
      }
    }
  }
  return { deltas, checked, applied: clients.reduce((sum, c) => sum + c.applied, 0) };
}

const X = ARENA_ENTITY_SCHEMA.findIndex((field) => field.name === ARENA_INTEREST.xField);
const Y = ARENA_ENTITY_SCHEMA.findIndex((field) => field.name === ARENA_INTEREST.yField);

/** Everything inside the player's view box is sent; nothing beyond it plus the margin is. */
function assertInterest(
  world: Map<number, number[]>,
  playerId: number,
  sent: Map<number, readonly number[]>,
): void {
  const own = world.get(playerId);
  assert.ok(own !== undefined);
  const { halfWidth, halfHeight, margin } = ARENA_INTEREST;
  for (const [id, row] of world) {
    const dx = Math.abs((row[X] ?? 0) - (own[X] ?? 0));
    const dy = Math.abs((row[Y] ?? 0) - (own[Y] ?? 0));
    if (dx <= halfWidth && dy <= halfHeight) assert.ok(sent.has(id), `${id} in view`);
    if (dx > halfWidth + margin || dy > halfHeight + margin) {
      assert.ok(!sent.has(id), `${id} far out of view`);
    }
  }
}

Deno.test("SnapshotBuilder deltas rebuild each client's exact quantized view under loss and reordering", () => {
  for (const interest of [true, false]) {
    for (const seed of [1, 2, 3]) {
      const result = run(interest, seed);
      assert.ok(result.deltas > 1000, `only ${result.deltas} deltas`);
      assert.ok(result.checked > 300, `only ${result.checked} current-tick checks`);
    }
  }
  // A world too big for the linear scan: views are selected through the interest grid.
  const result = run(true, 4, 700);
  assert.ok(result.deltas > 1000 && result.checked > 300);
});

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
    ] as const
  ) {
    assert.throws(() => new SnapshotBuilder(schema).beginTick(1, rows, null), error);
  }
  assert.throws(() => builder.beginTick(1, [1, 0], null), /tick 1 was already begun/);
});
