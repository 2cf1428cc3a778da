import assert from "node:assert/strict";
import { createArenaGame } from "../server/games/arena.ts";
import { CloseCode, type CommandMessage, MessageKind } from "../shared/protocol/mod.ts";
import { startDrivenServer, TestClient } from "./support/harness.ts";
import { roundTrip } from "./support/sync.ts";

function command(name: string, ...args: (string | number | boolean)[]): CommandMessage {
  return { kind: MessageKind.COMMAND, name, args };
}

/** Send `commands` in one message and wait until the server has read them. */
async function send(client: TestClient, ...commands: CommandMessage[]): Promise<void> {
  for (const message of commands) client.connection.queue(message);
  client.connection.flush();
  await roundTrip(client.connection);
}

async function twoPlayers() {
  // Whole-room snapshots: both players always see each other.
  const driven = await startDrivenServer([
    createArenaGame({ npcCount: 0, interestManagement: false }),
  ]);
  const ada = await TestClient.join(driven.server.wsUrl, "ada", "arena");
  const bob = await TestClient.join(
    driven.server.wsUrl,
    "bob",
    "arena",
    ada.connection.welcome.roomId,
  );
  driven.tick();
  await ada.snapshotAt(1);
  await bob.snapshotAt(1);
  return { driven, ada, bob };
}

function chats(client: TestClient): string[] {
  return client.events.filter((event) => event.type === "chat").map((event) =>
    `${event.actor}:${event.text}`
  );
}

Deno.test("commands run inside the next tick, in the order they arrived from all players", async () => {
  const { driven, ada, bob } = await twoPlayers();
  await using _ = driven;
  await send(ada, command("chat", "one"));
  await send(bob, command("chat", "two"));
  await send(ada, command("chat", "three"));
  // Not yet: handlers run in the tick, not on arrival.
  assert.deepEqual(chats(ada), []);
  driven.tick();
  await ada.snapshotAt(2);
  await bob.snapshotAt(2);
  const expected = [`${ada.playerId}:one`, `${bob.playerId}:two`, `${ada.playerId}:three`];
  assert.deepEqual(chats(ada), expected);
  assert.deepEqual(chats(bob), expected);
  assert.ok(ada.events.filter((event) => event.type === "chat").every((event) => event.tick === 2));
});

Deno.test("a game's message to one player reaches only that player; the room sees the effect", async () => {
  const { driven, ada, bob } = await twoPlayers();
  await using _ = driven;
  await send(ada, command("colour", 200));
  driven.tick();
  await ada.snapshotAt(2);
  await bob.snapshotAt(2);
  const confirmation = ada.events.find((event) => event.type === "colour");
  assert.equal(confirmation?.value, 200);
  assert.equal(bob.events.some((event) => event.type === "colour"), false);
  // The pick travels in the snapshot's hue column (hue + 1) to everyone who sees the player.
  assert.equal(bob.entity(ada.playerId)?.hue, 201);
  assert.equal(ada.entity(bob.playerId)?.hue, 0);
});

Deno.test("a command over its rate is dropped and its sender told; the connection stays", async () => {
  const { driven, ada, bob } = await twoPlayers();
  await using _ = driven;
  // chat allows a burst of 3, then 1 a second (the clock is stopped between ticks).
  await send(ada, ...["a", "b", "c", "d", "e"].map((text) => command("chat", text)));
  driven.tick();
  await ada.snapshotAt(2);
  assert.deepEqual(chats(ada).map((line) => line.split(":")[1]), ["a", "b", "c"]);
  const refusals = ada.events.filter((event) => event.type === "command_refused");
  assert.equal(refusals.length, 2);
  assert.equal(refusals[0]?.text, "chat: over 1 a second");
  const room = driven.server.registry.get(ada.connection.welcome.roomId);
  assert.equal(room?.stats.commandsRateLimited, 2);
  assert.equal(ada.connection.closeCode, null);
  // A second later the bucket has one token again.
  driven.tick(30);
  await send(ada, command("chat", "f"));
  driven.tick();
  await ada.snapshotAt(33);
  assert.equal(chats(bob).at(-1), `${ada.playerId}:f`);
});

Deno.test("a command's text is cleaned of control and bidi characters before the game sees it", async () => {
  const { driven, ada } = await twoPlayers();
  await using _ = driven;
  await send(ada, command("chat", "  hi\u0007 there\u202e\n"));
  driven.tick();
  await ada.snapshotAt(2);
  assert.deepEqual(chats(ada), [`${ada.playerId}:hi there`]);
});

for (
  const [name, bad, code, reason] of [
    [
      "an unknown command",
      command("dance", 1),
      CloseCode.INVALID_PAYLOAD,
      /^Unknown command dance: arena accepts chat, colour$/,
    ],
    [
      "an oversized text",
      command("chat", "x".repeat(121)),
      CloseCode.MESSAGE_TOO_BIG,
      /^Cannot accept command chat text: text has 121 characters, limit is 120$/,
    ],
    [
      "a text where an integer is declared",
      command("colour", "red"),
      CloseCode.INVALID_PAYLOAD,
      /^Cannot accept command colour hue: expected an integer within 0 to 359, got a string$/,
    ],
    [
      "an integer out of range",
      command("colour", 360),
      CloseCode.INVALID_PAYLOAD,
      /^Cannot accept command colour hue: expected an integer within 0 to 359, got 360$/,
    ],
    [
      "a missing argument",
      command("colour"),
      CloseCode.INVALID_PAYLOAD,
      /^Cannot accept command colour: 0 arguments, expected 1$/,
    ],
  ] as const
) {
  Deno.test(`${name} closes the sender with ${code}; the other player plays on`, async () => {
    const { driven, ada, bob } = await twoPlayers();
    await using _ = driven;
    ada.connection.queue(bad);
    ada.connection.flush();
    await ada.until(() => ada.connection.closeCode !== null, "ada closed");
    assert.equal(ada.connection.closeCode, code);
    assert.match(ada.connection.closeReason, reason);
    driven.tick();
    await bob.snapshotAt(2);
    assert.equal(bob.connection.closeCode, null);
  });
}

Deno.test("a command before the join is refused with 4004", async () => {
  await using driven = await startDrivenServer([createArenaGame({ npcCount: 0 })]);
  const socket = new WebSocket(driven.server.wsUrl, "game.v4");
  socket.binaryType = "arraybuffer";
  const { encodeBatch } = await import("../shared/protocol/mod.ts");
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  socket.onopen = () => socket.send(encodeBatch([command("chat", "hi")]));
  const event = await closed;
  assert.equal(event.code, CloseCode.NOT_JOINED);
  assert.equal(event.reason, "Cannot accept command before join");
});
