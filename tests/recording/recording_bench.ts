/**
 * The recorder's cost on the tick: one S3 room (50 bots, 100 NPCs, interest on) stepped with and
 * without recording; the recorder's compression and writes are awaited outside the timed part.
 * `deno bench --allow-all tests/recording/recording_bench.ts`
 * @module
 */
import { createArenaGame } from "../../server/games/arena.ts";
import { RecordingStore } from "../../server/recording/recording_store.ts";
import { SeededMatch } from "./_match.ts";

const dir = Deno.makeTempDirSync({ prefix: "recording_bench_" });
const store = new RecordingStore({ dir, recorder: { log: () => {} } });
const options = { players: 50, seed: 3, fireRate: 0, lossRate: 0.02, reorderRate: 0.05 };
const plain = new SeededMatch(createArenaGame({ npcCount: 100 }), options);
const recorded = new SeededMatch(createArenaGame({ npcCount: 100 }), {
  ...options,
  recorder: (room) => store.recorderFor(room),
});
const recorder = [...store.active.values()][0];
let ticks = 0;

Deno.bench("S3 room tick", { group: "s3", baseline: true }, () => {
  plain.tick();
});

Deno.bench("S3 room tick, recorded", { group: "s3" }, async (b) => {
  // Let the writes of the last 30 ticks happen, untimed, as they would between ticks.
  if (++ticks % 30 === 0) await recorder?.flushed();
  b.start();
  recorded.tick();
  b.end();
});

globalThis.addEventListener("unload", () => {
  plain.room.close(1000, "done");
  recorded.room.close(1000, "done");
  Deno.removeSync(dir, { recursive: true });
});
