import { Unpackr } from "msgpackr";
import {
  assertReplayable,
  type RecordedTick,
  Recording,
  ReplayDivergenceError,
  Replayer,
  type ReplayRewind,
} from "../../shared/recording/mod.ts";
import type { Game } from "../rooms/game.ts";
import { replayRewind } from "./replay_rewind.ts";
import { diffStates } from "./state_diff.ts";
import { cloneGameState, SyncTestError, withSyncTest } from "./sync_test.ts";

/** The first tick where the replay parted from the recording. */
export interface Divergence {
  tick: number;
  /** The recorded hash, and the replay's (absent when the replay threw instead). */
  expectedHash: number;
  actualHash: number | null;
  /** What differs, as state paths, with a sentence first saying how it was found. */
  details: string[];
}

/** What a crash at the end of the recording did on replay. */
export interface CrashReplay {
  /** The tick the game threw in. */
  tick: number;
  /** The recorded error. */
  recorded: string;
  /** The replay's error at the same point, or `null` if the replay did not throw. */
  replayed: string | null;
}

/** The outcome of {@linkcode verifyRecording}. */
export interface VerifyReport {
  /** Whole ticks replayed and compared. */
  ticks: number;
  /** Whether the game declares a hash (without one only joins and throws are compared). */
  hashed: boolean;
  /** The first divergence, or `null`: the replay matched every tick. */
  divergence: Divergence | null;
  /** The recorded crash and its replay, if the room's game threw. */
  crash: CrashReplay | null;
  /** The replay's state at the end. */
  finalState: unknown;
  /** The replay's hash at the end. */
  finalHash: number;
  /** Wall time the replay took, ms. */
  elapsedMs: number;
}

/** Settings of {@linkcode verifyRecording}. */
export interface VerifyOptions {
  /**
   * Run every tick twice from a saved state as well (see `withSyncTest`).
   * @default false
   */
  syncTest?: boolean;
}

const STATE_UNPACKR = new Unpackr({ structuredClone: true });

/**
 * Re-simulate a recording headless and compare the state hash at every tick. Stops at the first
 * tick whose hash differs (or whose join seats another id, or which throws) and explains it: it
 * runs that tick twice from the same state (non-determinism shows as fields that differ), else
 * it compares the replayed state with the next keyframe's saved state.
 * @throws {RecordingVersionError} when the recording is of another protocol or game version
 */
export async function verifyRecording<State>(
  recording: Recording,
  game: Game<State>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const startedMs = performance.now();
  assertReplayable(recording.header, game);
  const replayed = options.syncTest === true ? withSyncTest(game) : game;
  const replayer = new Replayer(replayed, recording.header, replayRewind(game, recording.header));
  const hashed = game.hashState !== undefined;
  let ticks = 0;
  let divergence: Divergence | null = null;
  let crash: CrashReplay | null = null;
  outer: for await (const chunk of recording.readChunks()) {
    for (const tick of chunk.ticks) {
      let hash: number;
      try {
        hash = replayer.step(tick);
      } catch (error) {
        divergence = await explainThrow(recording, game, tick, error);
        break outer;
      }
      if (hashed && hash !== tick.hash) {
        divergence = {
          tick: tick.tick,
          expectedHash: tick.hash,
          actualHash: hash,
          details: await explainMismatch(recording, game, tick.tick),
        };
        break outer;
      }
      ticks++;
    }
    if (chunk.failure !== null) {
      crash = { tick: replayer.tick + 1, recorded: chunk.failure, replayed: null };
      try {
        replayer.applyOps(chunk.pending, recording.header.dtMs);
        replayer.game.step(replayer.state, recording.header.dtMs, []);
      } catch (error) {
        crash.replayed = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      break;
    }
  }
  return {
    ticks,
    hashed,
    divergence,
    crash,
    finalState: replayer.state,
    finalHash: replayer.hash(),
    elapsedMs: performance.now() - startedMs,
  };
}

/** The replayer at the state before `tick` (after tick − 1), replayed from the start. */
async function replayTo<State>(
  recording: Recording,
  game: Game<State>,
  tick: number,
): Promise<
  {
    replayer: Replayer<State>;
    next: RecordedTick | undefined;
    rewind: ReplayRewind<State> | undefined;
  }
> {
  const rewind = replayRewind(game, recording.header);
  const replayer = new Replayer(game, recording.header, rewind);
  for await (const chunk of recording.readChunks()) {
    for (const recorded of chunk.ticks) {
      if (recorded.tick >= tick) return { replayer, next: recorded, rewind };
      replayer.step(recorded);
    }
  }
  return { replayer, next: undefined, rewind };
}

async function explainThrow<State>(
  recording: Recording,
  game: Game<State>,
  tick: RecordedTick,
  error: unknown,
): Promise<Divergence> {
  if (error instanceof SyncTestError) {
    return {
      tick: error.tick,
      expectedHash: tick.hash,
      actualHash: null,
      details: [
        `Tick ${error.tick} is not deterministic: run twice from the same state it gave different states`,
        ...error.differences,
      ],
    };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const details = error instanceof ReplayDivergenceError
    ? [message, ...await explainMismatch(recording, game, tick.tick)]
    : [`The replay threw where the room did not: ${message}`];
  return { tick: tick.tick, expectedHash: tick.hash, actualHash: null, details };
}

async function explainMismatch<State>(
  recording: Recording,
  game: Game<State>,
  tick: number,
): Promise<string[]> {
  const { replayer, next, rewind } = await replayTo(recording, game, tick);
  if (next === undefined) return [];
  // Run the tick twice from one saved state: a difference is non-determinism inside the tick.
  // The twin shares the rewind: the world frames before the tick are the same for both.
  const twin = new Replayer(game, recording.header, rewind);
  twin.state = cloneGameState(game, replayer.state);
  twin.tick = replayer.tick;
  try {
    replayer.step(next);
    twin.step(next);
  } catch (error) {
    return [`Re-running tick ${tick} threw: ${error instanceof Error ? error.message : error}`];
  }
  const twice = diffStates(replayer.state, twin.state);
  if (twice.length > 0) {
    return [
      `Tick ${tick} is not deterministic: run twice from the same state it gave different states`,
      ...twice,
    ];
  }
  // Deterministic here but not what the room computed (another engine, other rules): compare
  // with what the room saved at the next keyframe.
  const keyframe = recording.keyframes.find((entry) => entry.tick >= tick);
  if (keyframe === undefined) return ["No keyframe after this tick to compare fields with"];
  const decoded = await recording.decodeChunk(keyframe.chunk);
  if (decoded.keyframe?.state == null) return [`Keyframe ${keyframe.tick} holds no state`];
  for await (const chunk of recording.readChunks()) {
    for (const recorded of chunk.ticks) {
      if (recorded.tick > replayer.tick && recorded.tick <= keyframe.tick) replayer.step(recorded);
    }
    if (replayer.tick >= keyframe.tick) break;
  }
  const saved = STATE_UNPACKR.unpack(decoded.keyframe.state);
  return [
    `At keyframe ${keyframe.tick} the recorded state and the replayed state differ in`,
    ...diffStates(saved, replayer.state),
  ];
}
