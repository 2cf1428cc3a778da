/**
 * The recorder's own cost on a tick: one S3 room's state (50 players, 100 NPCs) and a
 * `MatchRecorder` told of 50 applied inputs and a step a tick, as a room tells it: inputs that
 * stay the same, and the workload's (a view time that moves every input, keys and aim every 15);
 * the hash alone for comparison. Compression and writes are awaited outside the timed part.
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
const room = {
  id: "bench",
  game: game as never,
  seed: 1,
  tickRateHz: 30,
  snapshotEveryTicks: 1,
  state,
};
const log = () => {};

/** One bench: `inputAt(tick)` sets the buttons, aim and view time every player sends. */
function benchRecorder(name: string, inputAt: (input: Float64Array, tick: number) => void): void {
  const recorder = new MatchRecorder(room, `${dir}/${name.length}.arec`, { log });
  const input = new Float64Array([9, 0.25, 0]);
  let tick = 0;
  Deno.bench(name, async (b) => {
    // The writes of the last 30 ticks happen untimed, as between a live room's ticks.
    if (tick % 30 === 29) await recorder.flushed();
    tick++;
    inputAt(input, tick);
    b.start();
    for (const player of players) recorder.applied(player, tick, input);
    recorder.stepped(tick, 1000 / 30, true);
    b.end();
  });
  recorders.push(recorder);
}

const recorders: MatchRecorder[] = [];
benchRecorder("recorder: 50 inputs and a step of an S3 room", (input, tick) => {
  // A bot changes its keys every 15 inputs, as the workload's do.
  if (tick % 15 === 0) input[0] = input[0]! ^ 3;
});
benchRecorder("… with the workload's inputs (view time every input)", (input, tick) => {
  if (tick % 15 === 0) {
    input[0] = input[0]! ^ 3;
    input[1] = Math.round((input[1]! + 1.2345) % Math.PI * 10_000) / 10_000;
  }
  // As a client sends it: whole 256ths of a tick, about 3 ticks behind, a little jitter.
  input[2] = Math.round((tick - 3 - (tick * 7 % 10) / 30) * 256) / 256;
});

const hasher = new StateHasher();
Deno.bench("the S3 state's hash alone", () => {
  hasher.reset();
  hashArenaState(state, hasher);
  hasher.digest();
});

globalThis.addEventListener("unload", () => {
  for (const recorder of recorders) recorder.closed();
  Deno.removeSync(dir, { recursive: true });
});
