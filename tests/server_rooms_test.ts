import assert from "node:assert/strict";
import { GameConnection, JoinRefusedError } from "../client/net/game_connection.ts";
import {
  CloseCode,
  encodeBatch,
  FrameDecoder,
  MessageKind,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from "../shared/protocol/mod.ts";
import {
  BOOM_BUTTON,
  BOOM_JOIN_NAME,
  BOOM_LEAVE_NAME,
  BOOM_STEP_BUTTON,
  BOOM_WRITE_BUTTON,
  createDotsGame,
} from "./support/dots_game.ts";
import { startDrivenServer, TestClient } from "./support/harness.ts";
import { roundTrip } from "./support/sync.ts";
import { WsPeer } from "./support/ws_peer.ts";

function input(sequence: number, buttons: number) {
  return { kind: MessageKind.INPUT, sequence, clientTick: 0, values: [buttons, 0] } as const;
}

Deno.test("join is answered with a welcome carrying the player id and tick rate", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const client = await TestClient.join(driven.server.wsUrl, "ada");
  const welcome = client.connection.welcome;
  assert.ok(welcome.playerId >= 1);
  assert.equal(welcome.tickRateHz, 30);
  assert.equal(welcome.game, "dots");
  assert.deepEqual(welcome.entityFields, ["id", "x", "y"]);
  assert.equal(driven.server.registry.get(welcome.roomId)?.playerCount, 1);
  await client.leave();
});

Deno.test("two clients in one room see each other in snapshots", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const a = await TestClient.join(driven.server.wsUrl, "ada");
  const b = await TestClient.join(driven.server.wsUrl, "bob");
  assert.equal(a.connection.welcome.roomId, b.connection.welcome.roomId);
  assert.deepEqual(b.events.map((event) => [event.type, event.text]), [["joined", "ada"]]);
  driven.tick();
  await a.snapshotAt(1);
  await b.snapshotAt(1);
  for (const client of [a, b]) {
    assert.ok(client.entity(a.playerId), "ada is in the snapshot");
    assert.ok(client.entity(b.playerId), "bob is in the snapshot");
  }
  await a.until(() => a.events.some((e) => e.type === "joined" && e.text === "bob"), "bob joined");
  await a.leave();
  await b.leave();
});

Deno.test("a third client joining a full room is refused with 4002 and a reason", async () => {
  await using driven = await startDrivenServer([createDotsGame(2)]);
  const a = await TestClient.join(driven.server.wsUrl, "ada");
  const b = await TestClient.join(driven.server.wsUrl, "bob", "dots", a.connection.welcome.roomId);
  await assert.rejects(
    GameConnection.open({
      url: driven.server.wsUrl,
      game: "dots",
      room: a.connection.welcome.roomId,
      name: "cy",
    }),
    (error: unknown) => {
      assert.ok(error instanceof JoinRefusedError);
      assert.equal(error.code, CloseCode.ROOM_FULL);
      assert.match(error.message, /is full \(2 of 2\)/);
      return true;
    },
  );
  await a.leave();
  await b.leave();
});

Deno.test("a room name nobody uses creates that room, friends join it, and any never picks it", async () => {
  await using driven = await startDrivenServer([createDotsGame(4)]);
  const url = driven.server.wsUrl;
  const ada = await TestClient.join(url, "ada", "dots", "myfriends");
  assert.equal(ada.connection.welcome.roomId, "myfriends");
  const bob = await TestClient.join(url, "bob", "dots", "myfriends");
  assert.equal(bob.connection.welcome.roomId, "myfriends");
  assert.equal(driven.server.registry.get("myfriends")?.playerCount, 2);
  const stranger = await TestClient.join(url, "cy", "dots", "any");
  assert.equal(stranger.connection.welcome.roomId, "dots-1");
  for (const client of [ada, bob, stranger]) await client.leave();
});

Deno.test("a numbered room asked for by name (from before a restart) is open to any", async () => {
  await using driven = await startDrivenServer([createDotsGame(4)]);
  const url = driven.server.wsUrl;
  const back = await TestClient.join(url, "dee", "dots", "dots-1");
  assert.equal(back.connection.welcome.roomId, "dots-1");
  const stranger = await TestClient.join(url, "cy", "dots", "any");
  assert.equal(stranger.connection.welcome.roomId, "dots-1");
  // The next numbered room skips the id that was taken by name.
  const fresh = await TestClient.join(url, "eve", "dots", "new");
  assert.equal(fresh.connection.welcome.roomId, "dots-2");
  for (const client of [back, stranger, fresh]) await client.leave();
});

Deno.test("joins to an empty room name, an unknown game or as a refused name are answered", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const url = driven.server.wsUrl;
  const cases = [
    { game: "dots", room: " ", name: "a", code: CloseCode.ROOM_NOT_FOUND },
    { game: "chess", room: "any", name: "a", code: CloseCode.ROOM_NOT_FOUND },
    { game: "dots", room: "any", name: "banned", code: CloseCode.JOIN_REFUSED },
  ];
  for (const { code, ...request } of cases) {
    await assert.rejects(GameConnection.open({ url, ...request }), (error: unknown) => {
      assert.ok(error instanceof JoinRefusedError);
      assert.equal(error.code, code, error.message);
      return true;
    });
  }
});

Deno.test("inputs apply once, in order, are acknowledged, and replays have no effect", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const client = await TestClient.join(driven.server.wsUrl, "ada");
  const id = client.playerId;
  client.connection.queue(input(1, 1));
  client.connection.queue(input(2, 1));
  client.connection.queue(input(3, 2));
  client.connection.flush();
  await roundTrip(client.connection);
  driven.tick(3);
  let snapshot = await client.snapshotAt(3);
  assert.equal(snapshot.lastInputSequence, 3);
  assert.deepEqual(client.entity(id), { id, x: 2, y: 1 });
  // The same sequences again, and an older one: nothing moves.
  client.connection.queue(input(2, 1));
  client.connection.queue(input(3, 1));
  client.connection.queue(input(1, 3));
  client.connection.flush();
  await roundTrip(client.connection);
  driven.tick(2);
  snapshot = await client.snapshotAt(5);
  assert.equal(snapshot.lastInputSequence, 3);
  assert.deepEqual(client.entity(id), { id, x: 2, y: 1 });
  await client.leave();
});

Deno.test("a flood of inputs moves a player no faster than one input per tick", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const client = await TestClient.join(driven.server.wsUrl, "ada");
  driven.tick(10); // idle ticks bank at most 4 inputs of credit
  for (let sequence = 1; sequence <= 30; sequence++) client.connection.queue(input(sequence, 1));
  client.connection.flush();
  await roundTrip(client.connection);
  driven.tick(2);
  await client.snapshotAt(12);
  // 4 banked + 1 earned per tick on each of the 2 ticks, minus the one credit the first uses.
  assert.equal(client.entity(client.playerId)?.x, 5);
  await client.leave();
});

Deno.test("leaving removes the entity and an empty room is disposed after its timeout", async () => {
  // A room younger than the empty timeout goes after the unused timeout: here both are 5 s.
  await using driven = await startDrivenServer([createDotsGame()], {
    emptyRoomTimeoutMs: 5000,
    unusedRoomTimeoutMs: 5000,
  });
  const a = await TestClient.join(driven.server.wsUrl, "ada");
  const b = await TestClient.join(driven.server.wsUrl, "bob");
  const roomId = a.connection.welcome.roomId;
  const registry = driven.server.registry;
  await a.leave();
  await b.until(() => registry.get(roomId)?.playerCount === 1, "server saw ada leave");
  driven.tick();
  await b.snapshotAt(1);
  assert.ok(b.events.some((event) => event.type === "left" && event.actor === a.playerId));
  assert.equal(b.entity(a.playerId), undefined);
  assert.ok(b.entity(b.playerId));
  await b.leave();
  await b.until(() => registry.get(roomId)?.playerCount === 0, "room empty");
  driven.clock.advance(4900);
  assert.ok(registry.get(roomId), "still there before the timeout");
  driven.clock.advance(200);
  assert.equal(registry.get(roomId), undefined);
  assert.equal(registry.disposedRooms, 1);
});

/** Send `victim`'s second input with `buttons`, and wait until the server has it. */
async function press(victim: TestClient, buttons: number): Promise<void> {
  victim.connection.queue(input(2, buttons));
  victim.connection.flush();
  await roundTrip(victim.connection);
}

/** How a test makes one game hook throw in the room of `victim`. */
const HOOK_FAILURES: Record<string, (victim: TestClient, url: string) => Promise<void>> = {
  applyInput: (victim) => press(victim, BOOM_BUTTON),
  step: (victim) => press(victim, BOOM_STEP_BUTTON),
  writeEntities: (victim) => press(victim, BOOM_WRITE_BUTTON),
  async join(victim, url) {
    const room = victim.connection.welcome.roomId;
    await assert.rejects(
      GameConnection.open({ url, game: "dots", room, name: BOOM_JOIN_NAME }),
      (error: unknown) => error instanceof JoinRefusedError && error.code === CloseCode.ROOM_CLOSED,
    );
  },
  async leave(victim, url) {
    const room = victim.connection.welcome.roomId;
    const fragile = await TestClient.join(url, BOOM_LEAVE_NAME, "dots", room);
    await fragile.leave();
  },
};

for (const [hook, makeThrow] of Object.entries(HOOK_FAILURES)) {
  Deno.test(`a game whose ${hook} throws closes only its room with 1011; other rooms tick on`, async () => {
    const failures: { roomId: string; error: unknown }[] = [];
    await using driven = await startDrivenServer([createDotsGame()], {
      onRoomFailure: (room, error) => failures.push({ roomId: room.id, error }),
    });
    const url = driven.server.wsUrl;
    const a = await TestClient.join(url, "ada", "dots", "new");
    const b = await TestClient.join(url, "bob", "dots", "new");
    const victimRoom = a.connection.welcome.roomId;
    assert.notEqual(victimRoom, b.connection.welcome.roomId);
    a.connection.queue(input(1, 1));
    a.connection.flush();
    await roundTrip(a.connection);
    driven.tick();
    await b.snapshotAt(1);
    assert.deepEqual(b.entityIds(), [b.playerId], "bob sees only himself");
    await makeThrow(a, url);
    driven.tick();
    assert.equal(await a.connection.closed(), CloseCode.INTERNAL_ERROR);
    assert.equal(a.connection.closeReason, `Room ${victimRoom} stopped: its game failed`);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.roomId, victimRoom);
    assert.match(String(failures[0]?.error), new RegExp(`boom in ${hook}`));
    assert.equal(driven.server.registry.get(victimRoom), undefined, "failed room disposed");
    driven.tick(3);
    await b.snapshotAt(5);
    assert.deepEqual(b.entityIds(), [b.playerId]);
    await b.leave();
  });
}

Deno.test("bad first messages are closed with a code: text 1003, garbage 1007, early input 4004", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const cases: [string | Uint8Array, number][] = [
    ["hello", CloseCode.UNSUPPORTED_DATA],
    [new Uint8Array([PROTOCOL_VERSION, 4, 9, 0xc1]), CloseCode.INVALID_PAYLOAD],
    [new Uint8Array([9, 9, 9]), CloseCode.PROTOCOL_ERROR],
    [new Uint8Array([PROTOCOL_VERSION, 3, 5, 0]), CloseCode.NOT_JOINED],
  ];
  for (const [payload, code] of cases) {
    const socket = new WebSocket(driven.server.wsUrl, SUBPROTOCOL);
    const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
    await new Promise((resolve) => socket.onopen = resolve);
    socket.send(payload);
    const event = await closed;
    assert.equal(event.code, code, `${payload}: ${event.reason}`);
    assert.ok(event.reason.length > 0);
  }
});

Deno.test("an upgrade without the game.v4 subprotocol is refused with 400 and a reason", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const response = await driven.server.handler(
    new Request("http://127.0.0.1/ws", {
      headers: {
        host: "127.0.0.1",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    }),
  );
  assert.equal(response.status, 400);
  assert.match(await response.text(), /offer game\.v4/);
  const health = await fetch(`${driven.server.url}/healthz`);
  assert.deepEqual((await health.json()).ok, true);
});

Deno.test("a seated client's pong rides with the next tick's snapshot, its echo advanced by the wait", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  await using peer = await WsPeer.connect(driven.server.wsUrl, {
    protocols: [SUBPROTOCOL],
    timeoutMs: 3000,
  });
  const decoder = new FrameDecoder();
  const nextMessage = async () => {
    const event = await peer.receive(3000);
    assert.equal(event.type, "binary");
    return event.type === "binary" ? decoder.decodeServerBatch(event.data) : [];
  };
  // Before the join there is no room message to ride with: the pong comes alone, echo unchanged.
  await peer.sendBinary(encodeBatch([{ kind: MessageKind.PING, clientTimeMs: 1234.5 }]));
  const early = await nextMessage();
  assert.deepEqual(early.map((message) => message.kind), [MessageKind.PONG]);
  assert.equal(early[0]?.kind === MessageKind.PONG && early[0].clientTimeMs, 1234.5);

  await peer.sendBinary(encodeBatch([{
    kind: MessageKind.JOIN,
    protocolVersion: PROTOCOL_VERSION,
    game: "dots",
    room: "any",
    name: "ada",
    reconnectToken: "",
  }]));
  assert.equal((await nextMessage())[0]?.kind, MessageKind.WELCOME);
  // The rooms' clock is driven by the test: the pong waits for the tick (a real room's comes
  // within 34 ms), and its echo is advanced by the wait.
  let sentAtMs = performance.now();
  await peer.sendBinary(encodeBatch([{ kind: MessageKind.PING, clientTimeMs: 5000 }]));
  await new Promise((resolve) => setTimeout(resolve, 40));
  driven.tick();
  const message = await nextMessage();
  let heldForMs = performance.now() - sentAtMs;
  const kinds = message.map((frame) => frame.kind);
  assert.equal(kinds[0], MessageKind.SNAPSHOT);
  assert.ok(kinds.includes(MessageKind.PONG), `one message: ${kinds.join(", ")}`);
  const pong = message.find((frame) => frame.kind === MessageKind.PONG);
  assert.ok(pong?.kind === MessageKind.PONG);
  const advancedMs = pong.clientTimeMs - 5000;
  assert.ok(advancedMs >= 30 && advancedMs <= heldForMs, `echo advanced by ${advancedMs} ms`);

  // No tick comes: after 100 ms the pong goes alone, advanced as well.
  sentAtMs = performance.now();
  await peer.sendBinary(encodeBatch([{ kind: MessageKind.PING, clientTimeMs: 9000 }]));
  const alone = await nextMessage();
  heldForMs = performance.now() - sentAtMs;
  assert.deepEqual(alone.map((frame) => frame.kind), [MessageKind.PONG]);
  const late = alone[0]?.kind === MessageKind.PONG ? alone[0].clientTimeMs - 9000 : NaN;
  assert.ok(late >= 95 && late <= heldForMs, `echo advanced by ${late} ms`);
});
