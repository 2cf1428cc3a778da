import assert from "node:assert/strict";
import { createArenaGame } from "../server/games/arena.ts";
import { createRacingGame } from "../server/games/racing.ts";
import { PHASE, RACING_INPUT } from "../shared/game/racing/mod.ts";
import {
  CloseCode,
  encodeBatch,
  MessageKind,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from "../shared/protocol/mod.ts";
import { startDrivenServer, TestClient } from "./support/harness.ts";
import { roundTrip } from "./support/sync.ts";

const COUNTDOWN_TICKS = 90;

async function lobby() {
  // The racing game beside the arena, on one server.
  const driven = await startDrivenServer([createArenaGame({ npcCount: 0 }), createRacingGame()]);
  const url = driven.server.wsUrl;
  const ada = await TestClient.join(url, "ada", "racing", "any", RACING_INPUT);
  const room = ada.connection.welcome.roomId;
  const bob = await TestClient.join(url, "bob", "racing", room, RACING_INPUT);
  const arena = await TestClient.join(url, "cat", "arena");
  driven.tick();
  await ada.snapshotAt(1);
  await bob.snapshotAt(1);
  return { driven, ada, bob, arena };
}

async function ready(client: TestClient): Promise<void> {
  client.connection.queue({ kind: MessageKind.COMMAND, name: "ready", args: [] });
  client.connection.flush();
  await roundTrip(client.connection);
}

Deno.test("racing: ready, countdown, go, and one car's throttle moves it in both players' views", async () => {
  const { driven, ada, bob, arena } = await lobby();
  await using _ = driven;
  assert.equal(ada.connection.welcome.game, "racing");
  assert.equal(arena.connection.welcome.game, "arena");
  assert.deepEqual(ada.connection.welcome.entityFields, [
    "id",
    "x",
    "y",
    "heading",
    "speed",
    "lap",
    "checkpoint",
  ]);
  await ready(ada);
  driven.tick();
  await ada.snapshotAt(2);
  assert.equal(ada.events.filter((event) => event.type === "countdown").length, 0);
  await ready(bob);
  driven.tick();
  await bob.snapshotAt(3);
  for (const client of [ada, bob]) {
    assert.deepEqual(
      client.events.filter((event) => event.type === "ready").map((event) => event.text),
      ["1 of 2 ready", "2 of 2 ready"],
    );
    assert.equal(client.events.filter((event) => event.type === "countdown").length, 1);
  }
  driven.tick(COUNTDOWN_TICKS);
  await ada.snapshotAt(3 + COUNTDOWN_TICKS);
  assert.ok(ada.events.some((event) => event.type === "go"));
  assert.equal(ada.latest?.global?.[0] ?? ada.history.latest?.global?.[0], PHASE.RACING);
  const start = ada.entity(ada.playerId)?.x ?? NaN;
  const bobStart = bob.entity(bob.playerId)?.x ?? NaN;
  // Ada holds full throttle and a little right steering for 30 ticks.
  for (let sequence = 1; sequence <= 30; sequence++) {
    ada.connection.queue({
      kind: MessageKind.INPUT,
      sequence,
      clientTick: 0,
      values: [1, 0.25],
    });
  }
  ada.connection.flush();
  await roundTrip(ada.connection);
  driven.tick(30);
  const tick = 3 + COUNTDOWN_TICKS + 30;
  await ada.snapshotAt(tick);
  await bob.snapshotAt(tick);
  assert.equal(ada.latest?.lastInputSequence, 30);
  const seenByAda = ada.entity(ada.playerId), seenByBob = bob.entity(ada.playerId);
  assert.ok((seenByAda?.x ?? NaN) > start + 100, `ada moved from ${start} to ${seenByAda?.x}`);
  assert.deepEqual(seenByBob, seenByAda);
  assert.ok((seenByAda?.speed ?? 0) > 0);
  assert.equal(bob.entity(bob.playerId)?.x, bobStart);
  // The arena room beside it is untouched by the race.
  await arena.snapshotAt(tick);
  assert.deepEqual(arena.entityIds(), [arena.playerId]);
});

Deno.test("racing: an axis beyond its declared range closes the sender with 1007", async () => {
  const { driven, bob } = await lobby();
  await using _ = driven;
  const join = encodeBatch([{
    kind: MessageKind.JOIN,
    protocolVersion: PROTOCOL_VERSION,
    game: "racing",
    room: bob.connection.welcome.roomId,
    name: "eve",
    reconnectToken: "",
  }]);
  // In the same message: version, input, sequence 1, client tick 0, view 0 / 0, throttle 101
  // steps (zigzag 202 = ca 01), steer 0, empty body. It is read with the joined game's fields.
  const input = Uint8Array.of(PROTOCOL_VERSION, 2, 1, 0, 0, 0, 0xca, 0x01, 0, 0);
  const socket = new WebSocket(driven.server.wsUrl, SUBPROTOCOL);
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  socket.onopen = () => socket.send(Uint8Array.from([...join, ...input]));
  const event = await closed;
  assert.equal(event.code, CloseCode.INVALID_PAYLOAD);
  assert.equal(
    event.reason,
    "Cannot decode input frame throttle: expected a finite number within ±1, got 1.01",
  );
  driven.tick();
  await bob.snapshotAt(2);
  assert.equal(bob.connection.closeCode, null);
});
