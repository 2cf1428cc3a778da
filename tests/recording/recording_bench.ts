/**
 * The recorder's own cost on a tick: one S3 room's state (50 players, 100 NPCs) and a
 * `MatchRecorder` told of 50 applied inputs and a step a tick, as a room tells it; the hash
 * alone for comparison. Compression and writes are awaited outside the timed part.
 * `deno bench --allow-all tests/recording/recording_bench.ts`
 * @module
 */
import { createArenaGame } from "../../server/games/arena.ts";
import { MatchRecorder } from "../../server/recording/match_recorder.ts";
import { hashArenaState } from "../../shared/game/arena/mod.ts";
import { StateHasher } from "../../shared/recording/state_hasher.ts";

const game = createArenaGame({ npcCount: 100 });
const state = game.createState("bench", 1);
const players: number[] = [];
for (let index = 0; index < 50; index++) players.push(game.join(state, `bot-${index}`));
for (let tick = 0; tick < 30; tick++) game.step(state, 1000 / 30, []);
const dir = Deno.makeTempDirSync({ prefix: "recording_bench_" });
const recorder = new MatchRecorder(
  { id: "bench", game: game as never, seed: 1, tickRateHz: 30, snapshotEveryTicks: 1, state },
  `${dir}/bench.arec`,
  { log: () => {} },
);
const input = { buttons: 9, aim: 0.25 };
let tick = 0;

Deno.bench("recorder: 50 inputs and a step of an S3 room", async (b) => {
  // The writes of the last 30 ticks happen untimed, as between a live room's ticks.
  if (tick % 30 === 29) await recorder.flushed();
  tick++;
  // A bot changes its keys every 15 inputs, as the workload's do.
  input.buttons = tick % 15 === 0 ? input.buttons ^ 3 : input.buttons;
  b.start();
  for (const player of players) recorder.applied(player, tick, input);
  recorder.stepped(tick, 1000 / 30, true);
  b.end();
});

const hasher = new StateHasher();
Deno.bench("the S3 state's hash alone", () => {
  hasher.reset();
  hashArenaState(state, hasher);
  hasher.digest();
});

globalThis.addEventListener("unload", () => {
  recorder.closed();
  Deno.removeSync(dir, { recursive: true });
});
