import assert from "node:assert/strict";
import { createArenaGame } from "../../server/games/arena.ts";
import { RecordingStore } from "../../server/recording/recording_store.ts";
import { verifyRecording } from "../../server/recording/verify.ts";
import { withSyncTest } from "../../server/recording/sync_test.ts";
import {
  ChunkKind,
  frameChunk,
  Recording,
  RECORDING_MAGIC,
  RecordingVersionError,
  scanChunks,
} from "../../shared/recording/mod.ts";
import { createDriftGame, DRIFT_BOOM } from "./_drift_game.ts";
import { playSeededMatch, recordMatch } from "./_match.ts";

Deno.test("verifyRecording() replays 60 s of a recorded S1 arena match bit for bit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recording_test_" });
  try {
    const game = createArenaGame({ npcCount: 0, maxPlayers: 16 });
    const store = new RecordingStore({ dir });
    const { room } = playSeededMatch(game, {
      players: 16,
      ticks: 1800,
      seed: 7,
      lossRate: 0.05,
      reorderRate: 0.1,
      churnEveryTicks: 200,
      recorder: (info) => store.recorderFor(info),
    });
    assert.equal(room.tick, 1800);
    const [recorder] = [...store.active.values()];
    assert.ok(recorder !== undefined);
    room.close(1000, "Match over");
    await recorder.flushed();
    const recording = Recording.open(await Deno.readFile(recorder.path));
    assert.equal(recording.indexRebuilt, false);
    assert.deepEqual(recording.keyframes.map((keyframe) => keyframe.tick), [
      0,
      300,
      600,
      900,
      1200,
      1500,
      1800,
    ]);
    let inputs = 0, joins = 0, leaves = 0;
    const hashes = new Set<number>();
    for await (const chunk of recording.readChunks()) {
      for (const tick of chunk.ticks) {
        hashes.add(tick.hash);
        for (const op of tick.ops) {
          if (op.kind === "input") inputs++;
          else if (op.kind === "join") joins++;
          else leaves++;
        }
      }
    }
    // 16 joins, then a leave and a join every 200 ticks; about 5% of the inputs lost, and a
    // reordered input arriving after a newer one is refused as stale.
    assert.deepEqual([joins, leaves], [16 + 9, 9]);
    assert.ok(inputs > 16 * 1800 * 0.8 && inputs < 16 * 1800 * 0.95, `${inputs} inputs`);
    assert.equal(hashes.size, 1800);
    const report = await verifyRecording(
      recording,
      createArenaGame({ npcCount: 0, maxPlayers: 16 }),
    );
    assert.equal(report.divergence, null);
    assert.equal(report.ticks, 1800);
    assert.deepEqual(report.finalState, room.state);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyRecording() stops at the first tick a planted Math.random() changes, naming it", async () => {
  const { bytes } = await recordMatch(createDriftGame({ randomFromTick: 57 }), {
    players: 4,
    ticks: 120,
    seed: 3,
  });
  const recording = Recording.open(bytes);
  const report = await verifyRecording(recording, createDriftGame({ randomFromTick: 57 }));
  assert.equal(report.divergence?.tick, 57);
  assert.equal(report.ticks, 56);
  assert.match(report.divergence?.details[0] ?? "", /^Tick 57 is not deterministic/);
  assert.match(report.divergence?.details[1] ?? "", /^state\.dots\.get\(1\)\.x: /);
  // The same game without the planted call replays the first 56 ticks the same.
  const clean = await verifyRecording(recording, createDriftGame());
  assert.equal(clean.divergence?.tick, 57);
});

Deno.test("withSyncTest() fails the room at the first tick a planted Math.random() changes", () => {
  const { room, clock } = playSeededMatch(withSyncTest(createDriftGame({ randomFromTick: 40 })), {
    players: 3,
    ticks: 39,
    seed: 5,
  });
  let failure: unknown;
  room.onFailure = (_room, error) => failure = error;
  assert.equal(room.closed, false);
  clock.advance(1000 / 30);
  assert.equal(room.closed, true);
  assert.ok(failure instanceof Error);
  assert.match(failure.message, /^Sync test failed at tick 40: .*state\.dots\.get\(1\)\.x/);
});

Deno.test("verifyRecording() --sync-test finds a planted Math.random() at its first tick", async () => {
  const { bytes } = await recordMatch(createDriftGame(), { players: 3, ticks: 90, seed: 9 });
  const report = await verifyRecording(
    Recording.open(bytes),
    createDriftGame({ randomFromTick: 33 }),
    { syncTest: true },
  );
  assert.equal(report.divergence?.tick, 33);
  assert.match(report.divergence?.details[0] ?? "", /^Tick 33 is not deterministic/);
  const clean = await verifyRecording(Recording.open(bytes), createDriftGame(), { syncTest: true });
  assert.equal(clean.divergence, null);
  assert.equal(clean.ticks, 90);
});

Deno.test("A room whose game throws keeps its recording, logs its path, and the replay throws the same", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recording_test_" });
  try {
    const lines: string[] = [];
    const store = new RecordingStore({ dir, recorder: { log: (line) => lines.push(line) } });
    const { room, clock } = playSeededMatch(createDriftGame(), {
      players: 2,
      ticks: 45,
      seed: 1,
      recorder: (info) => store.recorderFor(info),
    });
    const [recorder] = [...store.active.values()];
    assert.ok(recorder !== undefined);
    room.onFailure = () => {};
    room.queueInput(1, 46, 0, [DRIFT_BOOM, 0]);
    clock.advance(1000 / 30);
    assert.equal(room.closed, true);
    await recorder.flushed();
    assert.deepEqual(lines, [
      `Room arena-1 failed at tick 46: its recording is kept at ${recorder.path}`,
    ]);
    const report = await verifyRecording(
      Recording.open(await Deno.readFile(recorder.path)),
      createDriftGame(),
    );
    assert.equal(report.divergence, null);
    assert.equal(report.ticks, 45);
    assert.equal(report.crash?.tick, 46);
    assert.match(report.crash?.recorded ?? "", /^Error: boom/);
    assert.equal(report.crash?.replayed, "Error: boom");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A recording cut off anywhere is readable up to its last whole tick", async () => {
  const game = createDriftGame();
  const { bytes } = await recordMatch(game, { players: 3, ticks: 400, seed: 11 });
  const records = scanChunks(bytes).chunks.filter((chunk) => chunk.kind === ChunkKind.RECORDS);
  // Cut inside a prefix, inside a payload and one byte short, in a middle chunk and the last.
  const cuts = [records.at(-3), records.at(-1)].flatMap((chunk) =>
    chunk === undefined
      ? []
      : [chunk.offset + 3, chunk.offset + 20, chunk.offset + 9 + chunk.payload.length]
  );
  assert.equal(cuts.length, 6);
  for (const cut of cuts) {
    const recording = Recording.open(bytes.slice(0, cut));
    assert.equal(recording.indexRebuilt, true);
    assert.ok(recording.cutBytes > 0);
    const report = await verifyRecording(recording, game);
    assert.equal(report.divergence, null);
    // Every tick before the cut chunk is there: the cut chunk began at the room's tick then.
    const cutChunk = records.find((chunk) => chunk.offset + 10 + chunk.payload.length > cut);
    assert.equal(report.ticks, cutChunk?.firstTick, `cut at byte ${cut}`);
  }
});

Deno.test("A recording whose process was killed mid-match is readable up to its last whole tick", async () => {
  const dir = await Deno.makeTempDir({ prefix: "recording_kill_" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./_record_child.ts", import.meta.url).pathname, dir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.getReader();
    let said = "";
    while (!said.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      said += new TextDecoder().decode(value);
    }
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    const [path, ticks] = said.trim().split(" ");
    assert.ok(path !== undefined && ticks !== undefined, said);
    const recording = Recording.open(await Deno.readFile(path));
    assert.equal(recording.indexRebuilt, true);
    assert.deepEqual(recording.keyframes.map((keyframe) => keyframe.tick), [0, 300]);
    const report = await verifyRecording(recording, createDriftGame());
    assert.equal(report.divergence, null);
    // Written every 30 ticks: the whole chunks hold all ticks up to the last multiple of 30.
    assert.equal(report.ticks, Math.floor(Number(ticks) / 30) * 30);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Recording.open() and verifyRecording() refuse another format, protocol or game version", async () => {
  const game = createDriftGame();
  const { bytes } = await recordMatch(game, { players: 2, ticks: 40, seed: 2 });
  const withHeader = (change: Record<string, unknown>) => {
    const [header, ...rest] = scanChunks(bytes).chunks;
    assert.ok(header !== undefined && header.kind === ChunkKind.HEADER);
    const json = { ...JSON.parse(new TextDecoder().decode(header.payload)), ...change };
    const framed = frameChunk(
      ChunkKind.HEADER,
      0,
      0,
      new TextEncoder().encode(JSON.stringify(json)),
    );
    const tail = bytes.subarray(rest[0]?.offset ?? bytes.length);
    const out = new Uint8Array(RECORDING_MAGIC.length + framed.length + tail.length);
    out.set(RECORDING_MAGIC);
    out.set(framed, RECORDING_MAGIC.length);
    out.set(tail, RECORDING_MAGIC.length + framed.length);
    return out;
  };
  assert.throws(
    () => Recording.open(withHeader({ formatVersion: 9 })),
    (error) =>
      error instanceof RecordingVersionError &&
      /format version 9, this build reads 3/.test(error.message),
  );
  // Version 1 recorded no commands: its matches could not be replayed faithfully.
  assert.throws(
    () => Recording.open(withHeader({ formatVersion: 1 })),
    (error) =>
      error instanceof RecordingVersionError &&
      /^Cannot read recording: format version 1, this build reads 3$/.test(error.message),
  );
  // Version 2 hashed the state with one chain: its hashes would all differ from a replay's.
  assert.throws(
    () => Recording.open(withHeader({ formatVersion: 2 })),
    (error) =>
      error instanceof RecordingVersionError &&
      /^Cannot read recording: format version 2, this build reads 3$/.test(error.message),
  );
  await assert.rejects(
    verifyRecording(Recording.open(withHeader({ protocolVersion: 1 })), game),
    (error) =>
      error instanceof RecordingVersionError &&
      /recorded with protocol version 1, this build speaks \d+/.test(error.message),
  );
  await assert.rejects(
    verifyRecording(Recording.open(bytes), { ...game, version: "2" }),
    (error) =>
      error instanceof RecordingVersionError &&
      /recorded with drift version 1, this build has version 2/.test(error.message),
  );
});
