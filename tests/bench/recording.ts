/**
 * `deno task bench:recording`: what recording costs and weighs, on the arena workload with
 * seeded bots in one process (sink clients: every snapshot is encoded, none is sent).
 *
 * - Tick cost at S3 (one room of 50 players and 100 NPCs, interest on): two identical rooms, one
 *   recorded, stepped alternately in blocks of 30 ticks; each tick timed around the room's step.
 *   The recorder's compression and writes run between blocks and are timed apart. The first
 *   minute (1,800 ticks) is reported apart: one room alone takes about 1,200 ticks before V8 has
 *   fully optimized the state hash (11–15 µs a tick until then, about 3.3 µs after), and a
 *   server's rooms run for minutes on code its earlier rooms have warmed.
 * - Size per room-minute at S2 (64 players, 200 NPCs): the file of 1,800 recorded ticks.
 * - `replay:verify` speed on that file, and the replay page's seek (its `ReplayPlayer`, the
 *   same code the browser runs) to ticks 1 to 299 past a keyframe.
 * @module
 */
import { createArenaGame } from "../../server/games/arena.ts";
import { RecordingStore } from "../../server/recording/recording_store.ts";
import { verifyRecording } from "../../server/recording/verify.ts";
import { ReplayPlayer } from "../../client/replay/replay_player.ts";
import { replayGameFor } from "../../client/replay/replay_games.ts";
import { Recording } from "../../shared/recording/mod.ts";
import { SeededMatch } from "../recording/_match.ts";

/** Ticks of warm-up before the tick cost is timed: a minute of play. */
const FIRST_MINUTE_TICKS = 1800;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? NaN;
}

/** Median cost of one `performance.now()` pair, ms: subtracted from each timed call. */
function timerOverheadMs(): number {
  const samples: number[] = [];
  for (let index = 0; index < 20_000; index++) {
    const startedMs = performance.now();
    samples.push(performance.now() - startedMs);
  }
  return median(samples);
}

/**
 * S3's room, twice: one recorded, one not, stepped alternately in blocks of 30 ticks. Each tick
 * is timed whole, and every call into the recorder is timed on its own (less the timer's own
 * cost), which is the figure the noise of a shared machine does not drown.
 */
async function tickCost(dir: string, blocks: number) {
  if (blocks <= FIRST_MINUTE_TICKS / 30) {
    throw new RangeError(`Cannot time the tick cost: ${blocks} blocks, expected more than 60`);
  }
  const store = new RecordingStore({ dir });
  const options = { players: 50, seed: 3, fireRate: 0, lossRate: 0.02, reorderRate: 0.05 };
  const overheadMs = timerOverheadMs();
  let inRecorderMs = 0;
  const timed = <Args extends unknown[]>(call: (...args: Args) => void) => (...args: Args) => {
    const startedMs = performance.now();
    call(...args);
    inRecorderMs += performance.now() - startedMs - overheadMs;
  };
  const plain = new SeededMatch(createArenaGame({ npcCount: 100 }), options);
  const recorded = new SeededMatch(createArenaGame({ npcCount: 100 }), {
    ...options,
    recorder: (room) => {
      const recorder = store.recorderFor(room);
      if (recorder === undefined) return undefined;
      return {
        joined: timed(recorder.joined.bind(recorder)),
        left: timed(recorder.left.bind(recorder)),
        commanded: timed(recorder.commanded.bind(recorder)),
        applied: timed(recorder.applied.bind(recorder)),
        stepped: timed(recorder.stepped.bind(recorder)),
        closed: recorder.closed.bind(recorder),
      };
    },
  });
  const recorder = [...store.active.values()][0];
  if (recorder === undefined) throw new Error("No recorder");
  const plainMs: number[] = [], recordedMs: number[] = [], recorderMs: number[] = [];
  let writingMs = 0;
  for (let block = 0; block < blocks; block++) {
    for (let tick = 0; tick < 30; tick++) {
      let startedMs = performance.now();
      plain.tick();
      plainMs.push(performance.now() - startedMs);
      inRecorderMs = 0;
      startedMs = performance.now();
      recorded.tick();
      recordedMs.push(performance.now() - startedMs);
      recorderMs.push(inRecorderMs);
    }
    const startedMs = performance.now();
    await recorder.flushed();
    writingMs += performance.now() - startedMs;
  }
  // The first minute is warm-up: its recorder figure is reported apart.
  const warm = (values: number[]) => values.slice(FIRST_MINUTE_TICKS);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const us = (ms: number) => Math.round(ms * 10_000) / 10;
  plain.room.close(1000, "done");
  recorded.room.close(1000, "done");
  await recorder.flushed();
  const plainP50 = median(warm(plainMs));
  return {
    ticks: blocks * 30,
    plainTickUs: { p50: us(plainP50), mean: us(mean(warm(plainMs))) },
    recordedTickUs: { p50: us(median(warm(recordedMs))), mean: us(mean(warm(recordedMs))) },
    inRecorderUsPerTick: {
      p50: us(median(warm(recorderMs))),
      p99: us(percentile(warm(recorderMs), 0.99)),
      mean: us(mean(warm(recorderMs))),
    },
    inRecorderFirstMinuteUsPerTickP50: us(median(recorderMs.slice(360, FIRST_MINUTE_TICKS))),
    inRecorderPercentOfPlainTickP50: Number(
      (median(warm(recorderMs)) / plainP50 * 100).toFixed(2),
    ),
    compressAndWriteUsPerTick: Number((writingMs * 1000 / (blocks * 30)).toFixed(1)),
  };
}

async function sizeAndSpeed(dir: string) {
  const store = new RecordingStore({ dir });
  const match = new SeededMatch(createArenaGame({ npcCount: 200 }), {
    players: 64,
    seed: 5,
    fireRate: 0,
    recorder: (room) => store.recorderFor(room),
  });
  const recorder = [...store.active.values()][0];
  if (recorder === undefined) throw new Error("No recorder");
  for (let tick = 0; tick < 1800; tick++) match.tick();
  match.room.close(1000, "done");
  await recorder.flushed();
  const bytes = await Deno.readFile(recorder.path);
  const recording = Recording.open(bytes);
  const game = createArenaGame({ npcCount: 200 });
  const verifies: number[] = [];
  for (let run = 0; run < 3; run++) {
    const report = await verifyRecording(recording, game);
    if (report.divergence !== null) throw new Error(`Diverged at ${report.divergence.tick}`);
    verifies.push(60_000 / report.elapsedMs);
  }
  const player = await ReplayPlayer.load(bytes, replayGameFor);
  const seeks: number[] = [];
  for (const target of [1499, 1350, 1201, 899, 650, 1799, 301, 599]) {
    player.seek(target < 900 ? 1700 : 10);
    seeks.push(player.seek(target));
  }
  return {
    bytesPerRoomMinute: bytes.length,
    verifySpeedTimesRealTime: verifies.map((speed) => Math.round(speed)),
    seekMs: {
      median: Number(median(seeks).toFixed(1)),
      max: Number(Math.max(...seeks).toFixed(1)),
    },
  };
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "bench_recording_" });
  try {
    const blocks = Number(Deno.args[0] ?? "120");
    console.log(JSON.stringify({ s3TickCost: await tickCost(dir, blocks) }));
    console.log(JSON.stringify({ s2: await sizeAndSpeed(dir) }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
