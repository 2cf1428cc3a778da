/**
 * Reconnection: a dropped player keeps its seat for the grace period and resumes it with the
 * signed token from its welcome; every bad token is refused with 4007 and a reason. Rooms tick on
 * a driven clock here, so the grace period is exact.
 */
import assert from "node:assert/strict";
import { ReconnectTokens } from "../../server/transport/reconnect_token.ts";
import {
  CloseCode,
  FrameDecoder,
  MessageKind,
  type WelcomeMessage,
} from "../../shared/protocol/mod.ts";
import { createDotsGame, type DotsState } from "../support/dots_game.ts";
import { type DrivenServer, startDrivenServer } from "../support/harness.ts";
import type { WsPeer } from "../support/ws_peer.ts";
import {
  countCase,
  encodeMessages,
  eventually,
  GoodClient,
  joinMessage,
  JoinRefused,
  openPeer,
} from "./_support.ts";

const GRACE_MS = 10_000;

function start(tokens?: ReconnectTokens): Promise<DrivenServer> {
  // Default connection limits: the rooms' clock stands still between ticks, and the suite's short
  // silence deadline would close idle clients on the real clock.
  return startDrivenServer([createDotsGame(8)], {
    operatorRoutes: false,
    ...(tokens === undefined ? {} : { reconnectTokens: tokens }),
  });
}

/** A player on a raw socket, so the test can drop its TCP connection without a close frame. */
async function rawPlayer(
  url: string,
  room: string,
): Promise<{ peer: WsPeer; welcome: WelcomeMessage }> {
  const peer = await openPeer(url);
  await peer.sendBinary(joinMessage(room, "dropper"));
  const decoder = new FrameDecoder();
  for (let messages = 0; messages < 20; messages++) {
    const event = await peer.receive(3000);
    if (event.type !== "binary") throw new Error(`Join answered with ${event.type}`);
    for (const message of decoder.decodeServerBatch(event.data)) {
      if (message.kind === MessageKind.WELCOME) return { peer, welcome: message };
    }
  }
  throw new Error("No welcome");
}

/** Tick the driven clock, giving the sockets a moment after each tick, until `predicate` holds. */
async function tickUntil(
  driven: DrivenServer,
  predicate: () => boolean,
  what: string,
): Promise<void> {
  for (let ticks = 0; ticks < 300 && !predicate(); ticks++) {
    driven.tick();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(predicate(), what);
}

function inputs(from: number, to: number): Uint8Array {
  const messages = [];
  for (let sequence = from; sequence <= to; sequence++) {
    messages.push(
      { kind: MessageKind.INPUT, sequence, clientTick: 0, values: [1, 0] } as const,
    );
  }
  return encodeMessages(messages);
}

async function expectRefused(
  url: string,
  options: { room: string; reconnectToken: string },
  reason: RegExp,
): Promise<void> {
  await assert.rejects(GoodClient.open(url, options), (error: unknown) => {
    assert.ok(error instanceof JoinRefused, String(error));
    assert.equal(error.code, CloseCode.BAD_TOKEN);
    assert.match(error.reason, reason);
    return true;
  });
  countCase();
}

function dots(driven: DrivenServer, roomId: string): DotsState {
  const room = driven.server.registry.get(roomId);
  if (room === undefined) throw new Error(`No room ${roomId}`);
  return room.state as DotsState;
}

Deno.test("the welcome carries a signed token naming the room and the player", async () => {
  const tokens = new ReconnectTokens();
  await using driven = await start(tokens);
  const client = await GoodClient.open(driven.server.wsUrl, { play: false });
  const check = await tokens.verify(client.welcome.reconnectToken, client.welcome.roomId);
  assert.ok(check.ok);
  assert.equal(check.claims.playerId, client.welcome.playerId);
  assert.equal(check.claims.roomId, client.welcome.roomId);
  await client.close();
});

Deno.test("a dropped player keeps its seat, resumes with a full snapshot, and its inputs continue", async () => {
  await using driven = await start();
  const url = driven.server.wsUrl;
  const watcher = await GoodClient.open(url, { play: false });
  const roomId = watcher.welcome.roomId;
  const { peer, welcome } = await rawPlayer(url, roomId);
  const id = welcome.playerId;
  await peer.sendBinary(inputs(1, 3));
  await eventually(() => driven.server.counters.messagesIn >= 3, "inputs received");
  driven.tick(2);
  await eventually(() => dots(driven, roomId).dots.get(id)?.x === 2, "two inputs applied");
  // Dropped without a close frame, with input 3 still queued.
  await peer.closeSocket();
  const room = driven.server.registry.get(roomId);
  await eventually(() => driven.server.counters.openConnections === 1, "server saw the drop");
  assert.equal(room?.playerCount, 2, "seat kept");
  driven.tick(3);
  await watcher.until(() => (watcher.latest?.tick ?? 0) >= 5, "tick 5");
  assert.equal(dots(driven, roomId).dots.get(id)?.x, 2, "entity kept, idle while away");
  assert.ok(!watcher.events.some((event) => event.type === "left"), "nobody saw it leave");
  assert.ok(watcher.snapshots.some((snapshot) => snapshot.baselineTick > 0), "watcher gets deltas");

  driven.clock.advance(GRACE_MS - 500);
  const back = await GoodClient.open(url, {
    room: roomId,
    reconnectToken: welcome.reconnectToken,
    firstSequence: 4,
  });
  assert.equal(back.welcome.playerId, id);
  assert.equal(back.welcome.reconnectToken, welcome.reconnectToken);
  driven.tick();
  await back.until(() => back.snapshots.length >= 1, "first snapshot after resume");
  assert.equal(back.snapshots[0]?.baselineTick, 0, "the first snapshot after a resume is full");
  // The queued input 3 applies now; then the resumed client's 4, 5, … follow in sequence.
  await tickUntil(driven, () => back.inputsSent >= 5, "five inputs sent");
  back.play = false;
  await tickUntil(
    driven,
    () => (back.latest?.lastInputSequence ?? 0) >= back.lastSequenceSent,
    "every input applied",
  );
  assert.equal(back.lastSequenceSent, 3 + back.inputsSent);
  const x = dots(driven, roomId).dots.get(id)?.x ?? 0;
  assert.equal(x, back.lastSequenceSent, "every input applied once: none lost, none repeated");
  driven.clock.advance(GRACE_MS);
  assert.equal(room?.playerCount, 2, "a resumed seat has no grace timer left");
  await back.close();
  await watcher.close();
});

Deno.test("after the grace period the seat is gone: the others see it leave, the token is refused", async () => {
  await using driven = await start();
  const url = driven.server.wsUrl;
  const watcher = await GoodClient.open(url, { play: false });
  const roomId = watcher.welcome.roomId;
  const { peer, welcome } = await rawPlayer(url, roomId);
  await peer.closeSocket();
  await eventually(() => driven.server.counters.openConnections === 1, "server saw the drop");
  driven.clock.advance(GRACE_MS - 100);
  assert.ok(dots(driven, roomId).dots.has(welcome.playerId), "held until the end of the grace");
  driven.clock.advance(100);
  assert.ok(!dots(driven, roomId).dots.has(welcome.playerId), "removed at the end of the grace");
  driven.tick();
  await watcher.until(
    () => watcher.events.some((event) => event.type === "left" && event.actor === welcome.playerId),
    "left event",
  );
  await expectRefused(
    url,
    { room: roomId, reconnectToken: welcome.reconnectToken },
    new RegExp(`^Player ${welcome.playerId} no longer has a seat in room ${roomId}$`),
  );
  await watcher.close();
});

Deno.test("a player that says goodbye (1000) leaves at once, without a grace period", async () => {
  await using driven = await start();
  const url = driven.server.wsUrl;
  const watcher = await GoodClient.open(url, { play: false });
  const leaver = await GoodClient.open(url, { room: watcher.welcome.roomId, play: false });
  await leaver.close(1000);
  await eventually(
    () => driven.server.registry.get(watcher.welcome.roomId)?.playerCount === 1,
    "seat freed at once",
  );
  await expectRefused(
    url,
    { room: watcher.welcome.roomId, reconnectToken: leaver.welcome.reconnectToken },
    /no longer has a seat/,
  );
  await watcher.close();
});

Deno.test("forged, malformed, expired, other-room and in-use tokens are refused with 4007", async () => {
  const clock = { nowMs: 1_000_000 };
  const tokens = new ReconnectTokens({ ttlMs: 60_000, now: () => clock.nowMs });
  await using driven = await start(tokens);
  const url = driven.server.wsUrl;
  const good = await GoodClient.open(url, { room: "new" });
  const roomId = good.welcome.roomId;
  const other = await GoodClient.open(url, { room: "new", play: false });
  const { peer, welcome } = await rawPlayer(url, roomId);
  await peer.closeSocket();
  await eventually(() => driven.server.counters.openConnections === 2, "server saw the drop");
  const token = welcome.reconnectToken;
  const [claims = "", mac = ""] = token.split(".");
  const forger = new ReconnectTokens();

  await expectRefused(
    url,
    { room: roomId, reconnectToken: await forger.issue(roomId, welcome.playerId) },
    /^Reconnect token signature does not match: it was not issued here$/,
  );
  await expectRefused(
    url,
    { room: roomId, reconnectToken: `${claims}.${mac.slice(1)}A` },
    /signature does not match|malformed/,
  );
  await expectRefused(url, { room: roomId, reconnectToken: "not-a-token" }, /malformed/);
  await expectRefused(
    url,
    { room: other.welcome.roomId, reconnectToken: token },
    new RegExp(`^Reconnect token is for room "${roomId}", not "${other.welcome.roomId}"$`),
  );
  await expectRefused(
    url,
    { room: roomId, reconnectToken: good.welcome.reconnectToken },
    new RegExp(`^Player ${good.welcome.playerId} of room ${roomId} is still connected$`),
  );
  clock.nowMs += 61_000;
  await expectRefused(
    url,
    { room: roomId, reconnectToken: token },
    /^Reconnect token expired 1 s ago$/,
  );
  assert.equal(driven.server.counters.kicks.get("bad_token"), 6);
  // None of this disturbed the player in the room.
  await tickUntil(driven, () => good.inputsSent >= 3, "three inputs sent");
  good.play = false;
  await tickUntil(
    driven,
    () => (good.latest?.lastInputSequence ?? 0) >= good.lastSequenceSent,
    "inputs applied",
  );
  await good.close();
  await other.close();
});

Deno.test("a token for a room that has since closed is refused with 4007", async () => {
  await using driven = await start();
  const url = driven.server.wsUrl;
  const { peer, welcome } = await rawPlayer(url, "new");
  await peer.closeSocket();
  await eventually(() => driven.server.counters.openConnections === 0, "server saw the drop");
  // Grace over, the room is empty; it is disposed after its empty-room timeout (30 s).
  driven.clock.advance(GRACE_MS + 30_000 + 100);
  assert.equal(driven.server.registry.get(welcome.roomId), undefined);
  await expectRefused(
    url,
    { room: welcome.roomId, reconnectToken: welcome.reconnectToken },
    new RegExp(`^Room "${welcome.roomId}" of the reconnect token no longer exists$`),
  );
});
