/**
 * WebTransport through a lossy link: a user-space UDP relay drops 5% of the datagrams each way,
 * delays each by 40 ± 10 ms and holds 1% back so later ones overtake them. The server runs in real
 * time; a client over WebTransport plays through the relay for a few seconds.
 * @module
 */
import assert from "node:assert/strict";
import { ARENA_ENTITY_SCHEMA, createArenaGame } from "../server/games/arena.ts";
import type { Game } from "../server/rooms/game.ts";
import { startServer } from "../server/server.ts";
import { Buttons } from "../shared/game/arena/mod.ts";
import { dequantize, quantize } from "../shared/protocol/entity_schema.ts";
import { MessageKind } from "../shared/protocol/mod.ts";
import { TestClient } from "./support/harness.ts";
import { startUdpRelay } from "./support/udp_relay.ts";

const STRIDE = ARENA_ENTITY_SCHEMA.length;
const LOSS = 0.05;
const INPUTS = 150;
/** Each input carries its sequence in its aim, so the game can tell which inputs it applied. */
const AIM_PER_SEQUENCE = 0.001;

/** The world as the server quantized it at a tick: id → row in world units. */
function quantizedWorld(rows: readonly number[]): Map<number, number[]> {
  const world = new Map<number, number[]>();
  for (let offset = 0; offset < rows.length; offset += STRIDE) {
    world.set(
      rows[offset] ?? 0,
      ARENA_ENTITY_SCHEMA.map((field, column) =>
        dequantize(
          quantize(rows[offset + column] ?? 0, field.scale ?? 1, field.wrap ?? 0),
          field.scale ?? 1,
        )
      ),
    );
  }
  return world;
}

/**
 * The velocity columns as the runtime derives them (`derived: true`): each entity's move since
 * the previous tick's world, or its previous velocity when that is within one step (1/8 unit) of
 * the move; 0 when it is new (no input here fires, so nothing teleports).
 */
function withDerivedVelocities(
  world: Map<number, number[]>,
  previous: Map<number, number[]> | undefined,
): Map<number, number[]> {
  ARENA_ENTITY_SCHEMA.forEach((field, column) => {
    if (field.velocity === undefined) return;
    const velocity = ARENA_ENTITY_SCHEMA.findIndex((other) => other.name === field.velocity);
    for (const [id, row] of world) {
      const before = previous?.get(id);
      if (before === undefined) {
        row[velocity] = 0;
        continue;
      }
      const moved = (row[column] ?? 0) - (before[column] ?? 0);
      const kept = before[velocity] ?? NaN;
      row[velocity] = Math.abs(moved - kept) * (field.scale ?? 1) <= 1 ? kept : moved;
    }
  });
  return world;
}

Deno.test("WebTransport at 5% loss, 40 ± 10 ms and 1% reordering: exact views, advancing acks, no lost input", async () => {
  const worlds = new Map<number, Map<number, number[]>>();
  const appliedSequences = new Set<number>();
  const arena = createArenaGame({ npcCount: 20, interestManagement: false });
  // The arena, watched: every world it writes (one per snapshot tick, the room's tick) and every
  // input it applies.
  const tickNow = () => server.registry.rooms()[0]?.tick ?? 0;
  const watched: Game<unknown> = {
    ...(arena as Game<unknown>),
    writeEntities(state, out) {
      arena.writeEntities(state as never, out);
      const tick = tickNow();
      worlds.set(tick, withDerivedVelocities(quantizedWorld(out), worlds.get(tick - 1)));
    },
    applyInput(state, playerId, input, dtMs, events, rewind) {
      const aim = input.aim ?? 0;
      if (aim > 0) appliedSequences.add(Math.round(aim / AIM_PER_SEQUENCE));
      arena.applyInput(state as never, playerId, input as never, dtMs, events, rewind);
    },
  };
  const server = await startServer({ games: [watched], port: 0 });
  const quicPort = server.webTransport?.port;
  assert.ok(quicPort !== undefined, "WebTransport listener");
  await using relay = startUdpRelay(quicPort, {
    loss: LOSS,
    delayMs: 40,
    jitterMs: 10,
    reorder: 0.01,
  }, 20);
  try {
    const client = await TestClient.open({
      url: server.wsUrl,
      webTransport: {
        url: `https://127.0.0.1:${relay.port}/`,
        certificateHashes: server.webTransport?.certificateHashes() ?? [],
      },
      game: "arena",
      name: "ada",
      timeoutMs: 10_000,
    });
    const worldsChecked: number[] = [];
    // Check each snapshot as it is applied: the client's view against the server's at that tick.
    let checkedUpTo = 0;
    const check = () => {
      for (const world of client.worlds.slice(checkedUpTo)) {
        if (world.tick <= (worldsChecked.at(-1) ?? 0)) continue; // an overtaken snapshot
        const server = worlds.get(world.tick);
        assert.ok(server !== undefined, `server world of tick ${world.tick}`);
        assert.deepEqual(
          [...world.entities.keys()],
          [...server.keys()].sort((a, b) => a - b),
          `ids at tick ${world.tick}`,
        );
        for (const [id, row] of world.entities) {
          assert.deepEqual(row, server.get(id), `entity ${id} at tick ${world.tick}`);
        }
        worldsChecked.push(world.tick);
      }
      checkedUpTo = client.worlds.length;
    };
    for (let sequence = 1; sequence <= INPUTS; sequence++) {
      client.connection.queue({
        kind: MessageKind.INPUT,
        sequence,
        clientTick: sequence,
        values: [sequence % 60 < 30 ? Buttons.RIGHT : Buttons.LEFT, sequence * AIM_PER_SEQUENCE],
      });
      client.connection.flush();
      await new Promise((resolve) => setTimeout(resolve, 1000 / 30));
      check();
    }
    await client.until(
      () => (client.latest?.lastInputSequence ?? 0) >= INPUTS,
      "the last input applied",
      5000,
    );
    check();
    await client.leave();

    // Every applied snapshot matched the server's view.
    assert.ok(worldsChecked.length >= INPUTS * 0.8, `${worldsChecked.length} snapshots checked`);
    // Acks advanced: the baselines of the deltas followed the applied snapshots (a client whose
    // acks stopped would get deltas against an old baseline, then full snapshots).
    const deltas = client.snapshots.filter((snapshot) => snapshot.baselineTick > 0);
    assert.ok(deltas.length >= worldsChecked.length * 0.9, `${deltas.length} deltas`);
    const lastQuarter = deltas.slice(-Math.floor(deltas.length / 4));
    for (const snapshot of lastQuarter) {
      assert.ok(snapshot.tick - snapshot.baselineTick <= 20, `baseline of ${snapshot.tick}`);
    }
    // Gaps: a gap over 3 ticks needs 3 snapshots in a row lost (0.05³ a tick), or the link
    // stalling; allow that rate with a wide margin, and at least 1.
    const gaps: string[] = [];
    for (let index = 1; index < worldsChecked.length; index++) {
      const from = worldsChecked[index - 1] ?? 0, to = worldsChecked[index] ?? 0;
      if (to - from > 3) gaps.push(`${from}→${to}`);
    }
    const longGaps = gaps.length;
    // A busy server (this machine is shared) also replaces a datagram it could not write in time
    // by the next one (newest or nothing): each such replacement may make one gap too.
    const predicted = worldsChecked.length * LOSS ** 3;
    const replaced = server.counters.webTransport.datagramsDropped;
    assert.ok(
      longGaps <= Math.max(1, 10 * predicted) + replaced,
      `gaps over 3 ticks: ${gaps.join(", ")} (${replaced} datagrams replaced at the server)`,
    );
    // No input lost: each datagram repeats the two inputs before it, so losing one input takes
    // three datagrams in a row (0.05³); without the repeats about 5% would be lost.
    const missing = [];
    for (let sequence = 1; sequence <= INPUTS; sequence++) {
      if (!appliedSequences.has(sequence)) missing.push(sequence);
    }
    assert.ok(missing.length <= 1, `inputs never applied: ${missing.join(", ")}`);
    assert.ok(relay.up.dropped > 0 && relay.down.dropped > 0, "the relay dropped both ways");
    console.log(
      `checked ${worldsChecked.length} snapshots, gaps over 3 ticks: [${gaps.join(", ")}], ` +
        `${replaced} datagrams replaced at the server, ` +
        `${missing.length} inputs lost; relay dropped ${relay.up.dropped}/${relay.up.forwarded} up, ` +
        `${relay.down.dropped}/${relay.down.forwarded} down`,
    );
  } finally {
    await server.shutdown("Test finished", 1000);
  }
});
