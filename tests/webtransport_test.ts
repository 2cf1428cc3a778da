/// <reference lib="deno.unstable" />
import assert from "node:assert/strict";
import { GameConnection, JoinRefusedError } from "../client/net/game_connection.ts";
import { createArenaGame } from "../server/games/arena.ts";
import type { TransportDocument } from "../server/server.ts";
import { Buttons } from "../shared/game/arena/mod.ts";
import { MessageKind } from "../shared/protocol/mod.ts";
import { startDrivenServer, TestClient, webTransportTarget } from "./support/harness.ts";
import { roundTrip } from "./support/sync.ts";

Deno.test("a WebTransport client joins, plays and receives its snapshots as datagrams", async () => {
  await using driven = await startDrivenServer([
    createArenaGame({ npcCount: 3, interestManagement: false }),
  ]);
  const server = driven.server;
  const document = await (await fetch(`${server.url}/transport`)).json() as TransportDocument;
  assert.equal(document.webTransport?.port, server.webTransport?.port);
  assert.equal(document.webTransport?.certificateHashes.length, 1);
  const client = await TestClient.open({
    url: server.wsUrl,
    webTransport: webTransportTarget(server),
    game: "arena",
    name: "ada",
  });
  assert.equal(client.connection.transport, "webtransport");
  driven.tick();
  await client.snapshotAt(1);
  const startX = client.entity(client.playerId)?.x ?? NaN;
  for (let sequence = 1; sequence <= 6; sequence++) {
    client.connection.queue({
      kind: MessageKind.INPUT,
      sequence,
      clientTick: sequence,
      values: [Buttons.RIGHT, 0],
    });
    client.connection.flush();
  }
  await roundTrip(client.connection);
  driven.tick(6);
  const snapshot = await client.snapshotAt(7);
  assert.equal(snapshot.lastInputSequence, 6);
  assert.ok((client.entity(client.playerId)?.x ?? NaN) > startX, "moved right");
  assert.equal(client.entityIds().length, 4, "own player and 3 NPCs");
  const counters = server.counters;
  assert.equal(counters.openByTransport.webtransport, 1);
  // Six ticks at once: the newest snapshot went, and a datagram still being written was
  // replaced by a newer one instead of queueing behind it.
  const { datagramsOut, datagramsDropped } = counters.webTransport;
  assert.equal(
    datagramsOut + datagramsDropped,
    7,
    `${datagramsOut} sent, ${datagramsDropped} dropped`,
  );
  // Six flushes in one go: those sent while a datagram was being written took the stream.
  assert.ok(counters.webTransport.datagramsIn >= 1, `${counters.webTransport.datagramsIn} in`);
  // Each input datagram repeated the two before it; the room applied each sequence once.
  const room = server.registry.rooms()[0];
  assert.equal(room?.lastInputSequence(client.playerId), 6);
  assert.equal(room?.stats.inputsStale, 0, "the repeats are not counted as stale inputs");
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /game_server_transport_connections\{transport="webtransport"\} 1\n/);
  assert.match(metrics, /game_server_transport_connections\{transport="websocket"\} 0\n/);
  assert.match(
    metrics,
    new RegExp(`game_server_webtransport_datagrams_out_total ${datagramsOut}\n`),
  );
  await client.leave();
});

Deno.test("a WebTransport player and a WebSocket player in one room see each other", async () => {
  await using driven = await startDrivenServer([
    createArenaGame({ npcCount: 0, interestManagement: false }),
  ]);
  const server = driven.server;
  const overWt = await TestClient.open({
    url: server.wsUrl,
    webTransport: webTransportTarget(server),
    game: "arena",
    name: "ada",
  });
  const overWs = await TestClient.join(server.wsUrl, "bob", "arena");
  assert.equal(overWs.connection.transport, "websocket");
  driven.tick(2);
  await overWt.snapshotAt(2);
  await overWs.snapshotAt(2);
  await overWt.until(
    () => overWt.events.some((event) => event.type === "joined" && event.text === "bob"),
    "bob's joined event over the stream",
  );
  await overWs.until(
    () => overWs.events.some((event) => event.type === "joined" && event.text === "ada"),
    "ada's joined event",
  );
  assert.deepEqual(overWt.entityIds().sort(), [overWt.playerId, overWs.playerId].sort());
  assert.deepEqual(overWs.entityIds().sort(), [overWt.playerId, overWs.playerId].sort());
  assert.equal(server.counters.openByTransport.webtransport, 1);
  assert.equal(server.counters.openByTransport.websocket, 1);
  await overWt.leave();
  await waitFor(() => server.counters.openByTransport.webtransport === 0, "the session's end");
  driven.tick();
  await overWs.until(
    () => overWs.events.some((event) => event.type === "left" && event.actor === overWt.playerId),
    "ada's left event",
  );
  await overWs.leave();
});

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("a rotated certificate is published at /transport and new sessions trust it", async () => {
  await using driven = await startDrivenServer([createArenaGame({ npcCount: 0 })]);
  const server = driven.server;
  const before = webTransportTarget(server);
  const early = await TestClient.open({
    url: server.wsUrl,
    webTransport: before,
    game: "arena",
    name: "ada",
  });
  await server.webTransport?.rotateCertificate();
  const document = await (await fetch(`${server.url}/transport`)).json() as TransportDocument;
  assert.notDeepEqual(document.webTransport?.certificateHashes, before.certificateHashes);
  // A client still trusting the old certificate fails its handshake; the listener goes on.
  const refusedBefore = server.counters.webTransport.sessionsRefused;
  await assert.rejects(
    GameConnection.open({ url: server.wsUrl, webTransport: before, game: "arena", name: "eve" }),
    JoinRefusedError,
  );
  await waitFor(
    () => server.counters.webTransport.sessionsRefused > refusedBefore,
    "the failed handshake to be counted",
  );
  const late = await TestClient.open({
    url: server.wsUrl,
    webTransport: webTransportTarget(server),
    game: "arena",
    name: "bob",
  });
  assert.equal(late.connection.transport, "webtransport");
  // The session made before the rotation goes on.
  driven.tick();
  await early.snapshotAt(1);
  await late.snapshotAt(1);
  await early.leave();
  await late.leave();
});

Deno.test("a dropped WebTransport player resumes its seat with the welcome's reconnect token", async () => {
  await using driven = await startDrivenServer([createArenaGame({ npcCount: 0 })]);
  const server = driven.server;
  const first = await TestClient.open({
    url: server.wsUrl,
    webTransport: webTransportTarget(server),
    game: "arena",
    name: "ada",
  });
  const token = first.connection.welcome.reconnectToken;
  assert.notEqual(token, "");
  // Any end but a goodbye (1000) keeps the seat for the grace period.
  const closed = first.connection.closed();
  first.connection.close(4999, "Network changed");
  await closed;
  await waitFor(() => server.counters.openByTransport.webtransport === 0, "the session's end");
  const again = await TestClient.open({
    url: server.wsUrl,
    webTransport: webTransportTarget(server),
    game: "arena",
    name: "ada",
    room: first.connection.welcome.roomId,
    reconnectToken: token,
  });
  assert.equal(again.playerId, first.playerId);
  driven.tick();
  const snapshot = await again.snapshotAt(1);
  assert.equal(snapshot.baselineTick, 0, "a full snapshot first");
  await again.leave();
});

Deno.test("a snapshot over the session's datagram size goes on the stream, counted", async () => {
  // 200 NPCs: the full snapshot after the join is about 3 KB, over the 1,287-byte datagram.
  await using driven = await startDrivenServer([
    createArenaGame({ npcCount: 200, interestManagement: false }),
  ]);
  const server = driven.server;
  const client = await TestClient.open({
    url: server.wsUrl,
    webTransport: webTransportTarget(server),
    game: "arena",
    name: "ada",
  });
  driven.tick();
  const full = await client.snapshotAt(1);
  assert.equal(full.baselineTick, 0);
  assert.equal(client.entityIds().length, 201);
  assert.equal(server.counters.webTransport.snapshotsOnStream, 1);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /game_server_webtransport_snapshots_on_stream_total 1\n/);
  // Once acknowledged, the deltas are small enough for datagrams.
  await roundTrip(client.connection);
  const datagramsBefore = server.counters.webTransport.datagramsOut;
  driven.tick();
  const delta = await client.snapshotAt(2);
  assert.equal(delta.baselineTick, 1);
  assert.equal(server.counters.webTransport.datagramsOut, datagramsBefore + 1);
  await client.leave();
});

Deno.test("a taken WebTransport port leaves the server serving WebSocket only", async () => {
  // A UDP socket holding the port the listener wants.
  const taken = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const port = (taken.addr as Deno.NetAddr).port;
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (line: string) => warnings.push(line);
  try {
    await using driven = await startDrivenServer([createArenaGame({ npcCount: 0 })], {
      webTransportPort: port,
    });
    assert.equal(driven.server.webTransport, null);
    const document = await (await fetch(`${driven.server.url}/transport`)).json();
    assert.deepEqual(document, { webSocketPath: "/ws", webTransport: null });
    const client = await TestClient.join(driven.server.wsUrl, "ada", "arena");
    await client.leave();
  } finally {
    console.warn = warn;
    taken.close();
  }
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? "",
    /^WebTransport is off: cannot listen on UDP 127\.0\.0\.1:\d+: .*serving WebSocket only$/,
  );
});

Deno.test("a command over WebTransport goes on the stream, never in a datagram that may be lost", async () => {
  await using driven = await startDrivenServer([createArenaGame({ npcCount: 0 })]);
  const server = driven.server;
  const client = await TestClient.open({
    url: server.wsUrl,
    webTransport: webTransportTarget(server),
    game: "arena",
    name: "ada",
  });
  driven.tick();
  await client.snapshotAt(1);
  await roundTrip(client.connection);
  // No acks while the command travels: the only message the client sends is the command.
  client.autoAck = false;
  const datagramsBefore = server.counters.webTransport.datagramsIn;
  client.connection.queue({ kind: MessageKind.COMMAND, name: "chat", args: ["hello"] });
  client.connection.flush();
  await client.until(() => {
    driven.tick();
    return client.events.some((event) => event.type === "chat" && event.text === "hello");
  }, "the chat line back");
  assert.equal(server.counters.webTransport.datagramsIn, datagramsBefore, "not a datagram");
  await client.leave();
});
