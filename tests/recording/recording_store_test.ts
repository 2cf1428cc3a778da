import assert from "node:assert/strict";
import { createArenaGame } from "../../server/games/arena.ts";
import { RecordingStore } from "../../server/recording/recording_store.ts";
import { startServer } from "../../server/server.ts";
import { ManualClock } from "../../server/tick/clock.ts";
import { Recording } from "../../shared/recording/mod.ts";
import { createDriftGame } from "./_drift_game.ts";
import { playSeededMatch, SeededMatch } from "./_match.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "recording_store_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("RecordingStore deletes the oldest finished recordings to stay under its bound", async () => {
  await withDir(async (dir) => {
    const store = new RecordingStore({ dir, maxBytes: 40_000 });
    const names: string[] = [];
    for (let match = 0; match < 6; match++) {
      const { room } = playSeededMatch(createDriftGame(), {
        players: 4,
        ticks: 600,
        seed: match,
        recorder: (info) => store.recorderFor(info),
      });
      const [name, recorder] = [...store.active.entries()][0] ?? [];
      assert.ok(name !== undefined && recorder !== undefined);
      names.push(name);
      room.close(1000, "Match over");
      await recorder.flushed();
      await store.prune();
      // Names carry the time to the millisecond: keep them apart.
      await new Promise((done) => setTimeout(done, 2));
    }
    const left = await store.list();
    const total = left.reduce((sum, entry) => sum + entry.bytes, 0);
    assert.ok(total <= 40_000, `${total} bytes left`);
    assert.ok(left.length >= 1 && left.length < 6, `${left.length} files left`);
    // The newest survive, oldest first in the listing.
    assert.deepEqual(left.map((entry) => entry.name), names.slice(6 - left.length));
  });
});

Deno.test("A recording that cannot be written stops with a log line; the room plays on", async () => {
  await withDir(async (dir) => {
    const lines: string[] = [];
    const store = new RecordingStore({
      dir: `${dir}/gone`,
      recorder: { log: (line) => lines.push(line) },
    });
    // The folder disappears under the store: no file can be created in it.
    Deno.removeSync(`${dir}/gone`);
    const match = new SeededMatch(createDriftGame(), {
      players: 3,
      seed: 1,
      recorder: (info) => store.recorderFor(info),
    });
    const [recorder] = store.active.values();
    assert.ok(recorder !== undefined);
    for (let tick = 0; tick < 90; tick++) match.tick();
    await recorder.flushed();
    assert.equal(recorder.stopped, true);
    const stops = lines.filter((line) => line.startsWith("Recording of"));
    assert.equal(stops.length, 1);
    assert.match(
      stops[0] ?? "",
      /^Recording of room arena-1 stopped \(the room goes on\): cannot write /,
    );
    for (let tick = 0; tick < 30; tick++) match.tick();
    assert.equal(match.room.closed, false);
    assert.equal(match.room.tick, 120);
    await store.prune().catch(() => {});
  });
});

Deno.test("A recording whose writes fall behind stops instead of growing without bound", async () => {
  await withDir(async (dir) => {
    const lines: string[] = [];
    const store = new RecordingStore({
      dir,
      recorder: { log: (line) => lines.push(line), maxPendingBytes: 2_000 },
    });
    const match = new SeededMatch(createArenaGame({ npcCount: 20 }), {
      players: 16,
      seed: 2,
      recorder: (info) => store.recorderFor(info),
    });
    const [recorder] = store.active.values();
    // No await between ticks: nothing is written while the chunks pile up.
    for (let tick = 0; tick < 120; tick++) match.tick();
    assert.equal(recorder?.stopped, true);
    assert.match(lines[0] ?? "", /bytes are waiting for the disk, more than 2000/);
    assert.equal(match.room.closed, false);
    await recorder?.flushed();
    await store.prune();
  });
});

Deno.test("The server lists and serves recordings by name and refuses any other path", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/secret.txt`, "not a recording");
    const clock = new ManualClock(0);
    const server = await startServer({
      games: [createDriftGame()],
      port: 0,
      clock,
      recording: { dir },
    });
    try {
      const room = server.registry.create(createDriftGame());
      if (!("close" in room)) throw new Error(`No room: ${room.reason}`);
      for (let tick = 0; tick < 40; tick++) clock.advance(1000 / 30);
      room.close(1000, "Match over");
      await Promise.all([...server.recordings?.active.values() ?? []].map((r) => r.flushed()));
      const listing = await (await fetch(`${server.url}/replays.json`)).json();
      assert.equal(listing.recordings.length, 1);
      const name: string = listing.recordings[0].name;
      assert.match(name, /^\d{8}T\d{9}Z_drift-1\.arec$/);
      const file = await fetch(`${server.url}/replays/file?name=${encodeURIComponent(name)}`);
      assert.equal(file.status, 200);
      const recording = Recording.open(new Uint8Array(await file.arrayBuffer()));
      assert.equal(recording.header.roomId, "drift-1");
      for (const bad of ["secret.txt", "../secret.txt", `../${name}`, "/etc/passwd", "", "%00"]) {
        const response = await fetch(`${server.url}/replays/file?name=${encodeURIComponent(bad)}`);
        assert.equal(response.status, 404, bad);
        await response.body?.cancel();
      }
      const page = await fetch(`${server.url}/replay?file=x`, { redirect: "manual" });
      assert.equal(page.status, 302);
      assert.equal(new URL(page.headers.get("location") ?? "").pathname, "/replay.html");
      await page.body?.cancel();
    } finally {
      await server.shutdown("Test finished", 1000);
    }
  });
});
