import assert from "node:assert/strict";
import { GameConnection } from "../client/net/game_connection.ts";
import { ARENA_ENTITY_FIELDS, createArenaGame } from "../server/games/arena.ts";
import {
  applyPlayerInput,
  type ArenaPlayer,
  Buttons,
  createArenaState,
} from "../shared/game/arena/mod.ts";
import { CloseCode, MessageKind } from "../shared/protocol/mod.ts";
import { startDrivenServer, TestClient } from "./support/harness.ts";
import { roundTrip } from "./support/sync.ts";

const TICK_MS = 1000 / 30;

Deno.test("arena inputs move the player exactly as the shared rules do", async () => {
  await using driven = await startDrivenServer([createArenaGame({ npcCount: 0 })]);
  const client = await TestClient.join(driven.server.wsUrl, "ada", "arena");
  assert.deepEqual(client.connection.welcome.entityFields, [...ARENA_ENTITY_FIELDS]);
  driven.tick();
  await client.snapshotAt(1);
  const start = client.entity(client.playerId);
  assert.ok(start, "own player in the first snapshot");
  const script = [
    Buttons.RIGHT,
    Buttons.RIGHT | Buttons.DOWN,
    Buttons.UP | Buttons.LEFT,
    Buttons.UP,
    Buttons.LEFT | Buttons.RIGHT,
    Buttons.DOWN,
  ];
  // The same inputs through the shared rules, from the position the server reported.
  const local: ArenaPlayer = {
    id: client.playerId,
    name: "ada",
    x: start.x ?? 0,
    y: start.y ?? 0,
    angle: 0,
    hp: 100,
    score: 0,
    fireCooldownMs: 0,
    beamCooldownMs: 0,
    respawnInMs: 0,
  };
  const state = createArenaState(1, { npcCount: 0 });
  state.players.set(local.id, local);
  script.forEach((buttons, index) => {
    const aim = index * 0.3;
    client.connection.queue({
      kind: MessageKind.INPUT,
      sequence: index + 1,
      clientTick: index,
      buttons,
      aim,
    });
    client.connection.flush();
    applyPlayerInput(state, local.id, { buttons, aim }, TICK_MS);
  });
  await roundTrip(client.connection);
  driven.tick(script.length);
  const snapshot = await client.snapshotAt(1 + script.length);
  assert.equal(snapshot.lastInputSequence, script.length);
  // Snapshots carry positions on the schema's 1/8-unit grid and angles in 256 steps per turn.
  const server = client.entity(client.playerId);
  assert.equal(server?.x, Math.round(local.x * 8) / 8);
  assert.equal(server?.y, Math.round(local.y * 8) / 8);
  const angleSteps = 256 / (2 * Math.PI);
  const wrapped = ((Math.round(local.angle * angleSteps) % 256) + 256) % 256;
  assert.equal(server?.angle, wrapped / angleSteps);
  await client.leave();
});

Deno.test("arena ignores replayed inputs and clamps a speed-hacking client", async () => {
  await using driven = await startDrivenServer([createArenaGame({ npcCount: 0 })]);
  const client = await TestClient.join(driven.server.wsUrl, "ada", "arena");
  driven.tick();
  await client.snapshotAt(1);
  const startX = client.entity(client.playerId)?.x ?? NaN;
  // 40 inputs in one burst, each with stray bits: at most the banked credit is applied now.
  for (let sequence = 1; sequence <= 40; sequence++) {
    client.connection.queue({
      kind: MessageKind.INPUT,
      sequence,
      clientTick: 0,
      buttons: Buttons.RIGHT | 0xff00,
      aim: 0,
    });
    if (sequence % 20 === 0) client.connection.flush();
  }
  await roundTrip(client.connection);
  driven.tick();
  await client.snapshotAt(2);
  const movedX = (client.entity(client.playerId)?.x ?? NaN) - startX;
  const stepX = (200 * TICK_MS) / 1000;
  // Two banked inputs at most, plus one step of the 1/8-unit snapshot grid.
  assert.ok(movedX <= 2 * stepX + 0.125, `moved ${movedX} in one tick, the rules allow ${stepX}`);
  assert.ok(movedX > 0);
  // Replaying sequence 1 after 40 changes nothing beyond the queued ones.
  const before = client.latest?.lastInputSequence ?? 0;
  client.connection.queue({
    kind: MessageKind.INPUT,
    sequence: 1,
    clientTick: 0,
    buttons: Buttons.LEFT,
    aim: 0,
  });
  client.connection.flush();
  await roundTrip(client.connection);
  driven.tick(40);
  const snapshot = await client.snapshotAt(42);
  assert.ok(snapshot.lastInputSequence >= before);
  assert.ok(snapshot.lastInputSequence <= 40);
  const room = driven.server.registry.get(client.connection.welcome.roomId);
  assert.ok((room?.stats.inputsStale ?? 0) >= 1, "the replay was counted as stale");
  await client.leave();
});

Deno.test("SIGTERM closes clients with 1012 and the server process exits 0", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", "server/main.ts", "--port", "0"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  let wsUrl: string | undefined;
  const deadline = performance.now() + 15_000;
  while (wsUrl === undefined && performance.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
    wsUrl = /WebSocket (ws:\/\/\S+?)\)/.exec(output)?.[1];
  }
  assert.ok(wsUrl, `server did not print its address: ${output}`);
  const connection = await GameConnection.open({ url: wsUrl, game: "arena", name: "ada" });
  const closed = connection.closed();
  const startedMs = performance.now();
  child.kill("SIGTERM");
  assert.equal(await closed, CloseCode.SERVICE_RESTART);
  assert.match(connection.closeReason, /restart/i);
  const status = await child.status;
  assert.equal(status.code, 0);
  assert.ok(performance.now() - startedMs < 2000, "shutdown took under 2 s");
  await reader.cancel();
  await child.stderr.cancel();
});
