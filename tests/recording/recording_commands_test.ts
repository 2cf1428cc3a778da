import assert from "node:assert/strict";
import { replayGameFor } from "../../client/replay/replay_games.ts";
import { createArenaGame } from "../../server/games/arena.ts";
import { RecordingStore } from "../../server/recording/recording_store.ts";
import { verifyRecording } from "../../server/recording/verify.ts";
import type { RoomRecorder } from "../../server/rooms/room_recorder.ts";
import { type RecordedOp, Recording, Replayer } from "../../shared/recording/mod.ts";
import { SeededMatch } from "./_match.ts";

/** Past the keyframe at 300, which the planted fault's divergence report compares with. */
const TICKS = 330;
/** Ticks at which a bot picks a colour (each bot at most twice a second, the command's rate). */
const PICK_EVERY_TICKS = 20;
const FIRST_PICK_TICK = 37;

/**
 * Record a seeded arena match of 4 bots on the manual clock in which the bots pick colours and
 * chat, and return the recording. With `dropCommands` the recorder is told nothing of the
 * commands (the planted fault: a recording without its commands).
 */
async function recordCommandMatch(
  dropCommands = false,
): Promise<
  { recording: Recording; firstPickTick: number; firstPicker: number; finalState: unknown }
> {
  const dir = await Deno.makeTempDir({ prefix: "recording_commands_test_" });
  try {
    const store = new RecordingStore({ dir });
    const match = new SeededMatch(createArenaGame({ npcCount: 4, maxPlayers: 8 }), {
      players: 4,
      seed: 11,
      beamRate: 0,
      recorder: (info): RoomRecorder | undefined => {
        const recorder = store.recorderFor(info);
        if (recorder === undefined || !dropCommands) return recorder;
        return {
          joined: (playerId, name) => recorder.joined(playerId, name),
          left: (playerId) => recorder.left(playerId),
          commanded() {},
          applied: (playerId, sequence, values) => recorder.applied(playerId, sequence, values),
          stepped: (tick, dtMs, framed) => recorder.stepped(tick, dtMs, framed),
          closed: (failure) => recorder.closed(failure),
        };
      },
    });
    const room = match.room;
    let firstPickTick = 0, firstPicker = 0, queued = 0;
    for (let tick = 1; tick <= TICKS; tick++) {
      const ids = match.playerIds;
      if (tick % 20 === 3) {
        const speaker = ids[Math.floor(tick / 20) % ids.length] ?? 0;
        assert.equal(room.queueCommand(speaker, "chat", [`hello at ${tick}`]), null);
        queued++;
      }
      if (tick >= FIRST_PICK_TICK && (tick - FIRST_PICK_TICK) % PICK_EVERY_TICKS === 0) {
        // Two bots pick in the same tick, in an order that is not their join order.
        for (const id of [ids[(tick >> 1) % ids.length], ids[(tick >> 2) % ids.length]]) {
          assert.equal(room.queueCommand(id ?? 0, "colour", [(tick * 7 + (id ?? 0)) % 360]), null);
          queued++;
        }
        // The picks run at the start of the room's next tick.
        if (firstPickTick === 0) {
          firstPickTick = room.tick + 1;
          firstPicker = ids[(tick >> 1) % ids.length] ?? 0;
        }
      }
      match.tick();
    }
    assert.equal(room.stats.commandsRateLimited, 0);
    assert.equal(room.stats.commandsRun, queued);
    assert.equal(queued, 17 + 2 * 15);
    const [recorder] = [...store.active.values()];
    assert.ok(recorder !== undefined);
    room.close(1000, "Match over");
    await recorder.flushed();
    await store.prune();
    const recording = Recording.open(await Deno.readFile(recorder.path));
    return { recording, firstPickTick, firstPicker, finalState: room.state };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function recordedOps(recording: Recording): Promise<{ tick: number; op: RecordedOp }[]> {
  const ops: { tick: number; op: RecordedOp }[] = [];
  for await (const chunk of recording.readChunks()) {
    for (const tick of chunk.ticks) for (const op of tick.ops) ops.push({ tick: tick.tick, op });
  }
  return ops;
}

Deno.test("A recorded match with colour picks and chat verifies bit for bit on every tick", async () => {
  const { recording, firstPickTick, firstPicker, finalState } = await recordCommandMatch();
  assert.deepEqual(recording.header.commands, [
    { name: "chat", args: ["text"] },
    { name: "colour", args: ["hue"] },
  ]);
  const ops = await recordedOps(recording);
  const commands = ops.filter(({ op }) => op.kind === "command");
  assert.equal(commands.length, 17 + 2 * 15);
  assert.deepEqual(commands.find(({ op }) => op.kind === "command" && op.name === "colour"), {
    tick: firstPickTick,
    op: {
      kind: "command",
      playerId: firstPicker,
      name: "colour",
      args: { hue: (FIRST_PICK_TICK * 7 + firstPicker) % 360 },
    },
  });
  assert.ok(
    commands.some(({ op }) =>
      op.kind === "command" && op.name === "chat" && op.args.text === "hello at 23"
    ),
  );
  // In the tick, the commands come before the inputs, as the room runs them.
  for (const tick of new Set(commands.map(({ tick }) => tick))) {
    const kinds = ops.filter((entry) => entry.tick === tick).map(({ op }) => op.kind);
    assert.ok(kinds.lastIndexOf("command") < kinds.indexOf("input"), `tick ${tick}: ${kinds}`);
  }

  const report = await verifyRecording(recording, createArenaGame({ npcCount: 4, maxPlayers: 8 }));
  assert.equal(report.divergence, null);
  assert.equal(report.ticks, TICKS);
  assert.deepEqual(report.finalState, finalState);
  const hues = [...(finalState as { players: Map<number, { hue: number }> }).players.values()]
    .map((player) => player.hue);
  assert.ok(hues.filter((hue) => hue > 0).length >= 2, `hues ${hues}`);

  const synced = await verifyRecording(
    recording,
    createArenaGame({ npcCount: 4, maxPlayers: 8 }),
    { syncTest: true },
  );
  assert.equal(synced.divergence, null);
  assert.equal(synced.ticks, TICKS);

  // The replay page's game (no beams in this match, so no lag compensation is needed).
  const replayer = new Replayer(replayGameFor(recording), recording.header);
  for await (const chunk of recording.readChunks()) {
    for (const tick of chunk.ticks) {
      assert.equal(replayer.step(tick), tick.hash, `tick ${tick.tick}`);
    }
  }
  assert.equal(replayer.tick, TICKS);
});

Deno.test("A recording without its commands diverges at the first colour pick, naming the hue", async () => {
  const { recording, firstPickTick, firstPicker } = await recordCommandMatch(true);
  assert.ok(!(await recordedOps(recording)).some(({ op }) => op.kind === "command"));
  const report = await verifyRecording(recording, createArenaGame({ npcCount: 4, maxPlayers: 8 }));
  assert.equal(report.divergence?.tick, firstPickTick);
  assert.equal(report.ticks, firstPickTick - 1);
  assert.ok(
    report.divergence?.details.some((line) =>
      line.startsWith(`state.players.get(${firstPicker}).hue: `)
    ),
    report.divergence?.details.join("\n"),
  );
});
