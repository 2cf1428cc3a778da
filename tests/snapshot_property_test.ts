import assert from "node:assert/strict";
import { BaselineMissingError, SnapshotHistory } from "../client/net/snapshot_history.ts";
import { ARENA_ENTITY_SCHEMA, ARENA_INTEREST, createArenaGame } from "../server/games/arena.ts";
import type { GameEvent } from "../server/rooms/game.ts";
import { SnapshotBuilder } from "../server/rooms/snapshots/snapshot_builder.ts";
import type { ViewRing } from "../server/rooms/snapshots/view_ring.ts";
import { Buttons, seedFromString } from "../shared/game/arena/mod.ts";
import type { EntityTable } from "../shared/protocol/entity_delta.ts";
import { dequantize, quantize } from "../shared/protocol/entity_schema.ts";
import { FrameDecoder, FrameEncoder, MessageKind } from "../shared/protocol/mod.ts";
import { seededRandom } from "./support/seeded_random.ts";

// The snapshot property test: a room's snapshot path (SnapshotBuilder.writeFor, the bytes the room
// sends) against the client's decoder (SnapshotHistory), under loss, delay, reordering and lost
// histories. The arena runs through its own Game hooks, so its velocity columns move and deltas
// are coded against velocity predictions. Every applied snapshot is compared, every column of
// every entity, with the world the server quantized at that snapshot's tick.

const STRIDE = ARENA_ENTITY_SCHEMA.length;
const VX = ARENA_ENTITY_SCHEMA.findIndex((field) => field.name === "vx");
const X = ARENA_ENTITY_SCHEMA.findIndex((field) => field.name === ARENA_INTEREST.xField);
const Y = ARENA_ENTITY_SCHEMA.findIndex((field) => field.name === ARENA_INTEREST.yField);
/** Snapshots stay in flight at most this many ticks; worlds are kept a little longer. */
const MAX_DELAY_TICKS = 4;

interface SimClient {
  playerId: number;
  ring: ViewRing;
  history: SnapshotHistory;
  ackedTick: number;
  /** Snapshots in flight to the client: [deliver at tick, bytes]. */
  inbound: [number, Uint8Array][];
  /** Acks in flight to the server: [deliver at tick, tick acked]. */
  outbound: [number, number][];
}

/** A tick's world as the server quantized it, in world units: id → row. */
type World = Map<number, number[]>;

/**
 * The world the game wrote, quantized; the velocity columns the runtime derives are taken from
 * its world frame `derived` (and checked against the positions in `derivedVelocitiesAreMoves`).
 */
function quantizedWorld(rows: readonly number[], derived: EntityTable | undefined): World {
  const world: World = new Map();
  for (let offset = 0, index = 0; offset < rows.length; offset += STRIDE, index++) {
    world.set(
      rows[offset] ?? 0,
      ARENA_ENTITY_SCHEMA.map((field, column) => {
        const steps = field.derived === true
          ? derived?.values[derivedRow(derived, rows[offset] ?? 0) * STRIDE + column] ?? NaN
          : quantize(rows[offset + column] ?? 0, field.scale ?? 1, field.wrap ?? 0);
        return dequantize(steps, field.scale ?? 1);
      }),
    );
  }
  return world;
}

/**
 * Each derived velocity is its entity's move since the previous tick, or its previous velocity
 * when that is within one step of the move (0 if new or jumped).
 */
function derivedVelocitiesAreMoves(
  builder: SnapshotBuilder,
  tick: number,
  jumped: number[],
): void {
  const now = builder.worldFrame(tick)?.table, before = builder.worldFrame(tick - 1)?.table;
  if (now === undefined) throw new Error(`No world frame of tick ${tick}`);
  for (let index = 0; index < now.count; index++) {
    const id: number = now.ids[index] ?? 0, row = index * STRIDE;
    const previous: number = before === undefined ? -1 : derivedRow(before, id);
    for (const [position, velocity] of [[X, VX], [Y, VX + 1]] as const) {
      let expected = 0;
      if (before !== undefined && previous >= 0 && !jumped.includes(id)) {
        const moved = (now.values[row + position] ?? 0) -
          (before.values[previous * STRIDE + position] ?? 0);
        const kept = before.values[previous * STRIDE + velocity] ?? NaN;
        expected = Math.abs(moved - kept) <= 1 ? kept : moved;
      }
      assert.equal(now.values[row + velocity], expected, `tick ${tick}, entity ${id}`);
    }
  }
}

function derivedRow(table: EntityTable, id: number): number {
  return table.ids.subarray(0, table.count).indexOf(id);
}

/** Counts of what a run exercised, so a run that checks little fails instead of passing. */
interface RunResult {
  deltas: number;
  checkedSnapshots: number;
  checkedRows: number;
  movingRows: number;
  oldBaselines: number;
}

function run(interest: boolean, seed: number, npcCount = 60): RunResult {
  const random = seededRandom(seed);
  const game = createArenaGame({ npcCount, interestManagement: interest });
  const state = game.createState(`property-${seed}`, seedFromString(`property-${seed}`));
  const builder = new SnapshotBuilder(game.entitySchema, game.interest);
  const encoder = new FrameEncoder();
  const decoder = new FrameDecoder();
  const welcome = { ...builder.wire };
  const events: GameEvent[] = [];
  const clients: SimClient[] = [];
  for (let index = 0; index < 8; index++) {
    clients.push({
      playerId: game.join(state, `p${index}`),
      ring: builder.createViewRing(),
      history: new SnapshotHistory(welcome),
      ackedTick: 0,
      inbound: [],
      outbound: [],
    });
  }
  const worlds = new Map<number, World>();
  const globals = new Map<number, number[]>();
  const rows: number[] = [];
  const result: RunResult = {
    deltas: 0,
    checkedSnapshots: 0,
    checkedRows: 0,
    movingRows: 0,
    oldBaselines: 0,
  };
  const moves = Buttons.UP | Buttons.LEFT | Buttons.RIGHT | Buttons.DOWN | Buttons.FIRE;
  for (let tick = 1; tick <= 400; tick++) {
    for (const client of clients) {
      // Held for a while, as players do, so velocities carry from tick to tick.
      const buttons = Math.floor(random() * 32) & moves;
      if (tick % 8 === 1 || random() < 0.05) {
        game.applyInput(
          state,
          client.playerId,
          { buttons, aim: random() * 6 - 3, viewTime: 0 },
          1000 / 30,
          events,
          undefined,
        );
      } else {
        const input = { buttons: Buttons.UP, aim: 1, viewTime: 0 };
        game.applyInput(state, client.playerId, input, 1000 / 30, events, undefined);
      }
    }
    game.step(state, 1000 / 30, events);
    events.length = 0;
    rows.length = 0;
    const global: number[] = [];
    const jumped: number[] = [];
    game.teleported?.(state, jumped);
    game.writeEntities(state, rows);
    game.writeGlobal?.(state, global);
    builder.beginTick(tick, rows, global, jumped);
    worlds.set(tick, quantizedWorld(rows, builder.worldFrame(tick)?.table));
    derivedVelocitiesAreMoves(builder, tick, jumped);
    globals.set(tick, global);
    worlds.delete(tick - MAX_DELAY_TICKS - 2);
    globals.delete(tick - MAX_DELAY_TICKS - 2);
    for (const client of clients) {
      // Acks arrive late and out of order; the server keeps the newest.
      client.outbound = client.outbound.filter(([due, acked]) => {
        if (due > tick) return true;
        if (acked === 0) client.ackedTick = 0;
        else if (acked > client.ackedTick) client.ackedTick = acked;
        return false;
      });
      if (random() < 0.1) continue; // skipped for a congested client
      const baselineTick = builder.writeFor(
        client.ring,
        client.playerId,
        client.ackedTick,
        0,
        encoder,
      );
      if (baselineTick !== 0) result.deltas++;
      if (baselineTick !== 0 && tick - baselineTick >= 3) result.oldBaselines++;
      client.inbound.push([tick + Math.floor(random() * MAX_DELAY_TICKS), encoder.finish()]);
    }
    for (const client of clients) {
      const due = client.inbound.filter(([at]) => at <= tick);
      client.inbound = client.inbound.filter(([at]) => at > tick);
      due.sort(() => random() - 0.5); // reordered by the network
      for (const [, bytes] of due) {
        const [message] = decoder.decodeServerBatch(bytes);
        assert.ok(message?.kind === MessageKind.SNAPSHOT, "expected a snapshot");
        if (random() < 0.01) client.history = new SnapshotHistory(welcome); // lost its history
        let decoded;
        try {
          decoded = client.history.apply(message, tick);
        } catch (error) {
          assert.ok(error instanceof BaselineMissingError, String(error));
          client.outbound.push([tick + 1, 0]);
          continue;
        }
        const where = `client ${client.playerId}, snapshot ${message.tick} at tick ${tick}`;
        const world = worlds.get(message.tick);
        const sent = builder.sentTable(client.ring, message.tick);
        assert.ok(world !== undefined, `${where}: no world kept`);
        assert.ok(sent !== undefined, `${where}: the server forgot what it sent`);
        const received = decoded.entities;
        // The client rebuilt exactly the ids the server says it sent...
        assert.deepEqual([...received.keys()], [...sent.ids.subarray(0, sent.count)], where);
        // ...and every column of every one of them is the server's quantized world at that tick.
        for (const [id, row] of received) {
          assert.deepEqual(row, world.get(id), `${where}, entity ${id}`);
          result.checkedRows++;
          if ((row[VX] ?? 0) !== 0) result.movingRows++;
        }
        assert.ok(received.has(client.playerId), `${where}: own player missing`);
        assert.deepEqual(decoded.global, globals.get(message.tick), `${where}: global`);
        if (interest) assertInterest(world, client.playerId, received, where);
        else assert.deepEqual([...received.keys()], [...world.keys()].sort((a, b) => a - b), where);
        result.checkedSnapshots++;
        if (random() < 0.9) {
          client.outbound.push([tick + Math.floor(random() * 5), message.tick]);
        }
      }
    }
  }
  return result;
}

/** Everything inside the player's view box is sent; nothing beyond it plus the margin is. */
function assertInterest(
  world: World,
  playerId: number,
  sent: Map<number, readonly number[]>,
  where: string,
): void {
  const own = world.get(playerId);
  assert.ok(own !== undefined, `${where}: own player not in the world`);
  const { halfWidth, halfHeight, margin } = ARENA_INTEREST;
  for (const [id, row] of world) {
    const dx = Math.abs((row[X] ?? 0) - (own[X] ?? 0));
    const dy = Math.abs((row[Y] ?? 0) - (own[Y] ?? 0));
    if (dx <= halfWidth && dy <= halfHeight) assert.ok(sent.has(id), `${where}: ${id} in view`);
    if (dx > halfWidth + margin || dy > halfHeight + margin) {
      assert.ok(!sent.has(id), `${where}: ${id} far out of view`);
    }
  }
}

function assertExercised(result: RunResult, label: string): void {
  assert.ok(result.deltas > 1000, `${label}: only ${result.deltas} deltas`);
  assert.ok(result.checkedSnapshots > 2000, `${label}: only ${result.checkedSnapshots} checked`);
  assert.ok(result.oldBaselines > 200, `${label}: only ${result.oldBaselines} old baselines`);
  // Velocity prediction is exercised only if entities move: most checked rows must.
  assert.ok(
    result.movingRows > result.checkedRows / 2,
    `${label}: only ${result.movingRows} of ${result.checkedRows} rows had a velocity`,
  );
}

Deno.test("snapshots rebuild every column of every entity exactly, under loss and reordering", () => {
  for (const interest of [true, false]) {
    for (const seed of [1, 2, 3]) {
      assertExercised(run(interest, seed), `interest ${interest}, seed ${seed}`);
    }
  }
  // A world too big for the linear scan: views are selected through the interest grid.
  assertExercised(run(true, 4, 700), "interest grid");
});
