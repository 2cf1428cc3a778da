import assert from "node:assert/strict";
import { ArenaClient } from "../client/games/arena/arena_client.ts";
import { GameConnection } from "../client/net/game_connection.ts";
import { GameSession } from "../client/sdk/mod.ts";
import { createArenaGame } from "../server/games/arena.ts";
import { ARENA, ARENA_INPUT, Buttons } from "../shared/game/arena/mod.ts";
import { CommandArgsError } from "../shared/protocol/mod.ts";
import { startDrivenServer } from "./support/harness.ts";
import { roundTrip } from "./support/sync.ts";

const TICK_MS = 1000 / 30;

/** Resolve when `done()` holds, checked as messages arrive; reject after `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function arenaSession() {
  const driven = await startDrivenServer([createArenaGame({ npcCount: 0 })]);
  const connection = await GameConnection.open({
    url: driven.server.wsUrl,
    game: "arena",
    room: "any",
    name: "ada",
    input: ARENA_INPUT,
  });
  const session = new GameSession(connection, new ArenaClient(), { name: "ada" });
  driven.tick();
  await until(() => session.prediction.hasState, "the first snapshot");
  return { driven, session };
}

Deno.test("GameSession: the arena's own player moves at once, and the server's snapshots agree to the bit", async () => {
  const { driven, session } = await arenaSession();
  await using _ = driven;
  using _session = { [Symbol.dispose]: () => session.close() };
  const start = session.prediction.position;
  // Away from the walls, so every step is a full one.
  assert.ok(start.x > 100 && start.x < ARENA.worldWidth - 100, `spawned at ${start.x}`);
  const step = ARENA.playerSpeed * TICK_MS / 1000;
  for (let tick = 1; tick <= 5; tick++) {
    session.sendInput({ buttons: Buttons.RIGHT, aim: 0 }, tick * TICK_MS);
    // Predicted now, not a round trip from now.
    assert.ok(Math.abs(session.prediction.position.x - (start.x + tick * step)) < 1e-9);
  }
  assert.equal(session.prediction.pendingInputs.length, 5);
  await roundTrip(session.connection);
  driven.tick(5);
  await until(() => session.history.latest?.lastInputSequence === 5, "the 5 inputs applied");
  const row = session.ownRow;
  assert.ok(row !== undefined);
  assert.equal(row[session.column("x")], session.prediction.position.x);
  assert.equal(row[session.column("y")], session.prediction.position.y);
  assert.equal(session.prediction.lastCorrection, 0);
  assert.equal(session.prediction.pendingInputs.length, 0);
  assert.equal(session.lastSequence, 5);
});

Deno.test("GameSession.sendCommand() refuses undeclared commands and bad arguments before sending, and delivers good ones", async () => {
  const { driven, session } = await arenaSession();
  await using _ = driven;
  using _session = { [Symbol.dispose]: () => session.close() };
  assert.throws(() => session.sendCommand("teleport", []), RangeError);
  assert.throws(() => session.sendCommand("chat", ["x".repeat(121)]), CommandArgsError);
  assert.throws(() => session.sendCommand("chat", [42]), CommandArgsError);
  session.sendCommand("chat", ["hello"]);
  await roundTrip(session.connection);
  driven.tick();
  await until(
    () => session.events.some((event) => event.type === "chat"),
    "the chat event",
  );
  const chat = session.events.find((event) => event.type === "chat");
  assert.equal(chat?.text, "hello");
  assert.equal(chat?.actor, session.playerId);
  assert.equal(session.names.get(session.playerId), "ada");
  assert.equal(session.connection.open, true);
});

Deno.test("GameSession.column() names a missing column in its error", async () => {
  const { driven, session } = await arenaSession();
  await using _ = driven;
  using _session = { [Symbol.dispose]: () => session.close() };
  assert.equal(session.column("id"), 0);
  assert.throws(() => session.column("altitude"), /column altitude missing/);
});
