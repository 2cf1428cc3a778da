import assert from "node:assert/strict";
import { createArenaGame } from "../../server/games/arena.ts";
import { verifyRecording } from "../../server/recording/verify.ts";
import { MessageKind } from "../../shared/protocol/mod.ts";
import { Recording } from "../../shared/recording/mod.ts";
import { startDrivenServer, TestClient } from "../support/harness.ts";

Deno.test("A server run with recording records what its clients did over real sockets, and it replays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recording_server_test_" });
  try {
    const options = { npcCount: 10, maxPlayers: 4 };
    await using driven = await startDrivenServer([createArenaGame(options)], {
      recording: { dir },
    });
    const a = await TestClient.join(driven.server.wsUrl, "ada", "arena");
    const b = await TestClient.join(
      driven.server.wsUrl,
      "bo",
      "arena",
      a.connection.welcome.roomId,
    );
    let sequence = 0;
    for (let tick = 1; tick <= 120; tick++) {
      sequence++;
      for (const [client, buttons] of [[a, 8 | (tick % 20 === 0 ? 16 : 0)], [b, 2]] as const) {
        client.connection.queue({
          kind: MessageKind.INPUT,
          sequence,
          clientTick: tick,
          buttons,
          aim: tick / 50,
        });
        client.connection.flush();
      }
      // Inputs still in flight are applied a tick later: the recording has them where applied.
      driven.tick();
      await a.snapshotAt(tick);
    }
    await b.leave();
    const room = driven.server.registry.rooms()[0];
    assert.ok(room !== undefined);
    driven.tick(2);
    const [recorder] = driven.server.recordings?.active.values() ?? [];
    assert.ok(recorder !== undefined);
    room.close(1000, "Match over");
    await recorder.flushed();
    await a.leave();

    const recording = Recording.open(await Deno.readFile(recorder.path));
    const report = await verifyRecording(recording, createArenaGame(options));
    assert.equal(report.divergence, null);
    assert.equal(report.ticks, room.tick);
    assert.deepEqual(report.finalState, room.state);
    let inputs = 0;
    const ops: string[] = [];
    for await (const chunk of recording.readChunks()) {
      for (const tick of chunk.ticks) {
        for (const op of tick.ops) {
          if (op.kind === "input") inputs++;
          else ops.push(`${op.kind} ${op.playerId} at ${tick.tick}`);
        }
      }
    }
    assert.ok(inputs >= 200 && inputs <= 240, `${inputs} inputs`);
    assert.deepEqual(ops.slice(0, 2), [`join ${a.playerId} at 1`, `join ${b.playerId} at 1`]);
    assert.match(ops[2] ?? "", new RegExp(`^leave ${b.playerId} at 12[1-2]$`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
