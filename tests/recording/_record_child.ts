/**
 * Records a drift match into the folder given as the first argument, prints
 * `<path> <ticks>` once its chunks are on disk, and waits to be killed.
 * @module
 */
import { RecordingStore } from "../../server/recording/recording_store.ts";
import { createDriftGame } from "./_drift_game.ts";
import { playSeededMatch } from "./_match.ts";

const dir = Deno.args[0] ?? ".";
const store = new RecordingStore({ dir });
const ticks = 500;
playSeededMatch(createDriftGame(), {
  players: 3,
  ticks,
  seed: 4,
  recorder: (info) => store.recorderFor(info),
});
const [recorder] = [...store.active.values()];
if (recorder === undefined) throw new Error("No recorder");
await recorder.flushed();
console.log(`${recorder.path} ${ticks}`);
setInterval(() => {}, 1000);
