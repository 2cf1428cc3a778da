import assert from "node:assert/strict";
import { GameConnection } from "../client/net/game_connection.ts";
import type { Game } from "../server/rooms/game.ts";
import { Room, type RoomClient } from "../server/rooms/room.ts";
import { startServer } from "../server/server.ts";
import { ManualClock } from "../server/tick/clock.ts";
import {
  CloseCode,
  FrameEncoder,
  MessageKind,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from "../shared/protocol/mod.ts";
import { createDotsGame } from "./support/dots_game.ts";
import { WsPeer } from "./support/ws_peer.ts";

const TICK_MS = 1000 / 30;

/** A room client whose send queue the test sets by hand. */
class FakeClient implements RoomClient {
  bufferedAmount = 0;
  sent = 0;
  readonly closes: { code: number; reason: string }[] = [];

  send(): void {
    this.sent++;
  }

  queuedBytes(): number {
    return this.bufferedAmount;
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }
}

function joinedRoom(clock: ManualClock): { room: Room; slow: FakeClient; fast: FakeClient } {
  const room = new Room("dots-1", createDotsGame(4) as Game<unknown>, {
    clock,
    slowClientSoftLimitBytes: 1000,
    slowClientHardLimitBytes: 1_000_000,
    slowClientTimeoutMs: 1000,
  });
  const slow = new FakeClient();
  const fast = new FakeClient();
  assert.ok(room.join(slow, "slow").ok);
  assert.ok(room.join(fast, "fast").ok);
  room.start();
  return { room, slow, fast };
}

Deno.test("Room skips a client over the soft limit and closes it with 4005 after slowClientTimeoutMs", () => {
  const clock = new ManualClock(0);
  const { room, slow, fast } = joinedRoom(clock);
  slow.bufferedAmount = 5000;
  const slowSent = slow.sent;
  const fastSent = fast.sent;
  clock.advance(910);
  assert.equal(slow.sent, slowSent, "no snapshot while over the soft limit");
  assert.equal(fast.sent - fastSent, 27, "the other client gets every tick");
  assert.equal(room.stats.snapshotsSkipped, 27);
  assert.equal(slow.closes.length, 0);
  clock.advance(200);
  assert.equal(slow.closes[0]?.code, CloseCode.SLOW_CLIENT);
  assert.match(slow.closes[0]?.reason ?? "", /over 1000 bytes queued for 1000 ms/);
  assert.equal(room.stats.slowClientsClosed, 1);
  assert.equal(room.playerCount, 1);
  assert.equal(fast.closes.length, 0);
  room.close(CloseCode.ROOM_CLOSED, "Test finished");
});

Deno.test("Room keeps a slow client that drains below the soft limit before the timeout", () => {
  const clock = new ManualClock(0);
  const { room, slow } = joinedRoom(clock);
  slow.bufferedAmount = 5000;
  clock.advance(800);
  slow.bufferedAmount = 0;
  clock.advance(TICK_MS + 1);
  slow.bufferedAmount = 5000;
  clock.advance(800);
  assert.equal(slow.closes.length, 0, "the over-limit clock restarted when it drained");
  assert.equal(room.stats.slowClientsClosed, 0);
  clock.advance(300);
  assert.equal(slow.closes[0]?.code, CloseCode.SLOW_CLIENT);
  room.close(CloseCode.ROOM_CLOSED, "Test finished");
});

Deno.test("Room closes a client over the hard limit at once, without waiting out the timeout", () => {
  const clock = new ManualClock(0);
  const { room, slow, fast } = joinedRoom(clock);
  clock.advance(TICK_MS * 3);
  slow.bufferedAmount = 1_000_001;
  clock.advance(TICK_MS);
  assert.deepEqual(slow.closes, [{
    code: CloseCode.SLOW_CLIENT,
    reason: "Client is not reading: 1000001 bytes queued, limit 1000000",
  }]);
  assert.equal(room.stats.slowClientsClosed, 1);
  assert.equal(room.stats.snapshotsSkipped, 0, "closed on the first tick over, not skipped");
  assert.equal(room.playerCount, 1);
  assert.equal(fast.closes.length, 0);
  room.close(CloseCode.ROOM_CLOSED, "Test finished");
});

Deno.test("Room's slow-client defaults: skipped over 256 KiB, closed after 5 s over it, or at once over 4 MiB", () => {
  const clock = new ManualClock(0);
  const room = new Room("dots-1", createDotsGame(4) as Game<unknown>, { clock });
  const stalled = new FakeClient();
  const flooded = new FakeClient();
  const fine = new FakeClient();
  for (
    const [client, name] of [[stalled, "stalled"], [flooded, "flooded"], [fine, "fine"]] as const
  ) {
    assert.ok(room.join(client, name).ok);
  }
  room.start();
  clock.advance(TICK_MS * 2);
  stalled.bufferedAmount = 256 * 1024 + 1;
  flooded.bufferedAmount = 4 * 1024 * 1024;
  fine.bufferedAmount = 256 * 1024;
  const sentBefore = { stalled: stalled.sent, flooded: flooded.sent, fine: fine.sent };
  clock.advance(4900);
  assert.equal(stalled.sent, sentBefore.stalled, "skipped above 256 KiB");
  assert.equal(flooded.sent, sentBefore.flooded, "skipped at 4 MiB, not yet over it");
  assert.ok(fine.sent - sentBefore.fine >= 145, "256 KiB is still at the soft limit, not over");
  assert.deepEqual([stalled.closes, flooded.closes], [[], []], "nobody closed before 5 s");
  flooded.bufferedAmount = 4 * 1024 * 1024 + 1;
  clock.advance(TICK_MS);
  assert.equal(
    flooded.closes[0]?.reason,
    "Client is not reading: 4194305 bytes queued, limit 4194304",
  );
  assert.equal(stalled.closes.length, 0);
  clock.advance(100 + TICK_MS);
  assert.equal(stalled.closes[0]?.code, CloseCode.SLOW_CLIENT);
  assert.match(stalled.closes[0]?.reason ?? "", /over 262144 bytes queued for 5000 ms/);
  assert.equal(fine.closes.length, 0);
  room.close(CloseCode.ROOM_CLOSED, "Test finished");
});

/** Big, incompressible snapshots: every entity gets fresh random numbers every tick. */
function createNoiseGame(entityCount: number): Game<{ nextId: number; players: Set<number> }> {
  const columns = ["a", "b", "c", "d", "e", "f"];
  return {
    name: "noise",
    maxPlayers: 4,
    entitySchema: [{ name: "id" }, ...columns.map((name) => ({ name, hot: true }))],
    createState: () => ({ nextId: 1, players: new Set() }),
    join(state) {
      const id = state.nextId++;
      state.players.add(id);
      return id;
    },
    leave(state, playerId) {
      state.players.delete(playerId);
    },
    applyInput() {},
    step() {},
    writeEntities(_state, out) {
      for (let id = 1; id <= entityCount; id++) {
        out.push(id);
        for (let column = 0; column < columns.length; column++) {
          out.push(Math.floor(Math.random() * 1_000_000));
        }
      }
    },
  };
}

Deno.test("a client that never reads stays under the hard limit, is closed with 4005, and the other player keeps its snapshots", async () => {
  const softLimitBytes = 256 * 1024;
  const hardLimitBytes = 4 * 1024 * 1024;
  const slowClientTimeoutMs = 1000;
  const server = await startServer({
    games: [createNoiseGame(3000) as Game<unknown>],
    port: 0,
    slowClientSoftLimitBytes: softLimitBytes,
    slowClientHardLimitBytes: hardLimitBytes,
    slowClientTimeoutMs,
  });
  const peers: WsPeer[] = [];
  try {
    const player = await GameConnection.open({
      url: server.wsUrl,
      game: "noise",
      room: "new",
      name: "reader",
    });
    const ticks: number[] = [];
    player.handlers.onSnapshot = (snapshot) => {
      ticks.push(snapshot.tick);
      player.queue({ kind: MessageKind.ACK, tick: snapshot.tick });
      player.flush();
    };
    const roomId = player.welcome.roomId;
    // A hand-made WebSocket that joins and then never reads a byte.
    const stuck = await WsPeer.connect(server.wsUrl, { protocols: [SUBPROTOCOL] });
    peers.push(stuck);
    const join = new FrameEncoder(128);
    join.add({
      kind: MessageKind.JOIN,
      protocolVersion: PROTOCOL_VERSION,
      game: "noise",
      room: roomId,
      name: "stuck",
      reconnectToken: "",
    });
    await stuck.sendBinary(join.finish());
    const room = server.registry.get(roomId);
    assert.ok(room);
    const startedMs = performance.now();
    const firstTick = ticks.at(-1) ?? 0;
    let maxQueuedBytes = 0;
    while (room.stats.slowClientsClosed === 0) {
      assert.ok(performance.now() - startedMs < 12_000, "the stuck client was not closed in time");
      maxQueuedBytes = Math.max(maxQueuedBytes, server.metrics.sendQueues().maxBytes);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const elapsedMs = performance.now() - startedMs;
    assert.ok(room.stats.snapshotsSkipped > 0, "snapshots were skipped before the close");
    assert.ok(maxQueuedBytes > softLimitBytes, `queue reached ${maxQueuedBytes} bytes`);
    assert.ok(
      maxQueuedBytes < hardLimitBytes,
      `queue stayed under the hard limit: ${maxQueuedBytes}`,
    );
    assert.equal(room.playerCount, 1);
    assert.equal(room.stats.slowClientsClosed, 1);
    assert.match(
      server.metrics.prometheus(),
      /game_server_clients_kicked_total\{reason="slow_client"\} 1/,
    );
    // The reader got every tick while the other one choked, at the tick rate.
    const seen = ticks.filter((tick) => tick > firstTick);
    for (let index = 1; index < seen.length; index++) {
      assert.equal(seen[index], (seen[index - 1] ?? 0) + 1, `no gap after tick ${seen[index - 1]}`);
    }
    const expected = (elapsedMs / 1000) * 30;
    assert.ok(seen.length >= expected * 0.8, `${seen.length} snapshots in ${elapsedMs} ms`);
    // Draining the stuck socket now reaches the close frame the server queued after the data.
    const { code } = await stuck.readClose(5000);
    assert.equal(code, CloseCode.SLOW_CLIENT);
    const closed = player.closed();
    player.close();
    await closed;
  } finally {
    for (const peer of peers) await peer.closeSocket();
    await server.shutdown("Test finished", 1000);
  }
});
