/**
 * Fault isolation on the real clock: a game hook that throws closes its own room with 1011 and a
 * reason, reports the room id, and the other rooms keep their tick rate.
 */
import assert from "node:assert/strict";
import type { Room } from "../../server/rooms/room.ts";
import { CloseCode, MessageKind } from "../../shared/protocol/mod.ts";
import { BOOM_BUTTON } from "../support/dots_game.ts";
import { countCase, GoodClient, startSuiteServer } from "./_support.ts";

const TICK_RATE_HZ = 30;

Deno.test("a game that throws closes only its room with 1011; the other rooms keep 30 Hz", async () => {
  const failures: { roomId: string; error: unknown }[] = [];
  await using suite = await startSuiteServer({
    onRoomFailure: (room: Room, error: unknown) => failures.push({ roomId: room.id, error }),
  });
  const url = suite.server.wsUrl;
  const [victim, ...others] = await Promise.all(
    [0, 1, 2].map(() => GoodClient.open(url, { room: "new" })),
  );
  if (victim === undefined) throw new Error("No victim");
  const roomIds = new Set([victim, ...others].map((client) => client.welcome.roomId));
  assert.equal(roomIds.size, 3, "three rooms");
  for (const client of [victim, ...others]) {
    await client.until(() => client.snapshots.length >= 5, "first snapshots");
  }
  const windows = others.map((client) => client.mark("other rooms while one fails"));
  const startMs = performance.now();
  const countsBefore = others.map((client) => client.snapshots.length);

  victim.play = false;
  victim.send([{
    kind: MessageKind.INPUT,
    sequence: victim.lastSequenceSent + 1,
    clientTick: 0,
    values: [BOOM_BUTTON, 0],
  }]);
  await victim.until(() => victim.closeCode !== null, "victim closed");
  const victimRoom = victim.welcome.roomId;
  assert.equal(victim.closeCode, CloseCode.INTERNAL_ERROR);
  assert.equal(victim.closeReason, `Room ${victimRoom} stopped: its game failed`);
  assert.equal(failures.length, 1);
  assert.equal(failures[0]?.roomId, victimRoom);
  assert.match(String(failures[0]?.error), /boom/);
  assert.equal(suite.server.registry.get(victimRoom), undefined, "failed room disposed");
  countCase();

  // One second on the real clock after the failure: the other rooms kept ticking at 30 Hz.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const elapsedS = (performance.now() - startMs) / 1000;
  const countsAfter = others.map((client) => client.snapshots.length);
  for (const [index, client] of others.entries()) {
    const window = windows[index];
    if (window === undefined) throw new Error("No window");
    const received = (countsAfter[index] ?? 0) - (countsBefore[index] ?? 0);
    const expected = elapsedS * TICK_RATE_HZ;
    assert.ok(
      Math.abs(received - expected) <= 4,
      `${client.welcome.roomId}: ${received} snapshots in ${elapsedS.toFixed(2)} s`,
    );
    await client.expectHealthy(window);
    assert.equal(suite.room(client.welcome.roomId).stats.droppedSteps, 0);
    assert.equal(await client.settle(suite.state(client.welcome.roomId)), 0);
    await client.close();
  }
});
