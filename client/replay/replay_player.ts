import {
  type RecordedKeyframe,
  type RecordedTick,
  Recording,
  type ReplayableGame,
  Replayer,
} from "../../shared/recording/mod.ts";
import { quantize } from "../../shared/protocol/entity_schema.ts";
import { InterpolationBuffer } from "../netcode/interpolation_buffer.ts";
import { type EntityColumns, entityColumns } from "../games/arena/entity_columns.ts";

/** The world at one tick as a spectator sees it: rows on the schema's grid. */
export interface ReplayFrame {
  tick: number;
  /** Entity id → row in world units, in the header's `entityFields` order. */
  entities: Map<number, readonly number[]>;
  /** The game's global numbers (the arena's scoreboard), or `null`. */
  global: readonly number[] | null;
}

/** Slowest and fastest playback. */
export const REPLAY_SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

/** Frames kept behind the newest simulated one, for interpolation and for pausing on a tick. */
const FRAMES_KEPT = 16;

/**
 * Plays a recording by re-simulating it with the game's own rules: decodes every chunk once,
 * then steps the replayed state tick by tick as the playback clock moves, feeding the client's
 * normal {@linkcode InterpolationBuffer}. A seek starts from the nearest keyframe's saved state
 * at or before the target (or goes on from where it is, when that is closer) and simulates
 * forward. Every replayed tick's hash is compared with the recorded one; on a keyframe's tick a
 * replay that parted from the recording takes the keyframe's saved state back. No DOM: the page
 * wraps it.
 */
export class ReplayPlayer<State = unknown> {
  /** The recording. */
  readonly recording: Recording;
  /** One tick, ms. */
  readonly tickIntervalMs: number;
  /** The last whole tick recorded. */
  readonly lastTick: number;
  /** Player id → name, from every join in the recording. */
  readonly names = new Map<number, string>();
  /** The arena's columns in the rows. */
  readonly columns: EntityColumns;
  /** Interpolation of the frames, as the live client does it. */
  readonly interpolation: InterpolationBuffer;
  /** The recorded crash message, if the room's game threw. */
  readonly crash: string | null;
  /** Playback speed, one of {@linkcode REPLAY_SPEEDS}. */
  speed = 1;
  /** Stop playing when the shown tick reaches this (tests, "play to here"). */
  pauseAt: number | undefined;
  /** How long the last seek took, ms. */
  lastSeekMs = 0;
  /** Ticks whose replayed hash differed from the recorded one. */
  hashMismatches = 0;
  /** The first few of those ticks. */
  readonly mismatchTicks: number[] = [];
  readonly #replayer: Replayer<State>;
  readonly #ticks: RecordedTick[];
  readonly #keyframes: RecordedKeyframe[];
  readonly #frames = new Map<number, ReplayFrame>();
  readonly #scales: readonly number[];
  readonly #wraps: readonly number[];
  readonly #hashed: boolean;
  #playing = false;
  #clockMs = 0;
  #shownTick = 0;

  private constructor(
    recording: Recording,
    game: ReplayableGame<State>,
    ticks: RecordedTick[],
    keyframes: RecordedKeyframe[],
    crash: string | null,
  ) {
    this.recording = recording;
    const header = recording.header;
    this.tickIntervalMs = 1000 / header.tickRateHz;
    this.#ticks = ticks;
    this.#keyframes = keyframes;
    this.lastTick = ticks.at(-1)?.tick ?? 0;
    this.crash = crash;
    this.#scales = header.entityScales;
    this.#wraps = header.entityWraps;
    this.columns = entityColumns(header.entityFields);
    this.#hashed = game.hashState !== undefined;
    this.interpolation = new InterpolationBuffer(this.columns, this.tickIntervalMs, {
      minDelayMs: this.tickIntervalMs,
      initialDelayMs: this.tickIntervalMs,
      maxDelayMs: this.tickIntervalMs * 2,
    });
    for (const tick of ticks) {
      for (const op of tick.ops) if (op.kind === "join") this.names.set(op.playerId, op.name);
    }
    this.#replayer = new Replayer(game, header);
    this.#keep(this.#frameOfState());
    this.seek(0);
  }

  /**
   * Read a whole recording and get it ready at tick 0.
   * @param makeGame builds the recorded game from the header (refuse what cannot be replayed)
   */
  static async load<State>(
    bytes: Uint8Array<ArrayBuffer>,
    makeGame: (recording: Recording) => ReplayableGame<State>,
  ): Promise<ReplayPlayer<State>> {
    const recording = Recording.open(bytes);
    const game = makeGame(recording);
    const ticks: RecordedTick[] = [];
    const keyframes: RecordedKeyframe[] = [];
    let crash: string | null = null;
    for await (const chunk of recording.readChunks()) {
      if (chunk.keyframe?.state != null) keyframes.push(chunk.keyframe);
      for (const tick of chunk.ticks) {
        if (tick.tick !== ticks.length + 1) break;
        ticks.push(tick);
      }
      crash ??= chunk.failure;
    }
    return new ReplayPlayer(recording, game, ticks, keyframes, crash);
  }

  /** The replayed game state (at the newest simulated tick), for tests and debugging. */
  get state(): unknown {
    return this.#replayer.state;
  }

  /** The tick shown. */
  get tick(): number {
    return this.#shownTick;
  }

  /** Whether the playback clock runs. */
  get playing(): boolean {
    return this.#playing;
  }

  /** The frame of the shown tick. */
  get frame(): ReplayFrame {
    return this.#frames.get(this.#shownTick) ?? this.newest;
  }

  /** The newest simulated frame (what a live client would have as its newest snapshot). */
  get newest(): ReplayFrame {
    const frame = this.#frames.get(this.#replayer.tick);
    if (frame === undefined) throw new Error(`Frame ${this.#replayer.tick} is missing`);
    return frame;
  }

  /** Start the clock (from the start again if at the end). */
  play(): void {
    if (this.#shownTick >= this.lastTick) this.seek(0);
    this.#playing = true;
  }

  /** Stop the clock on the shown tick. */
  pause(): void {
    this.#playing = false;
  }

  /**
   * Show `tick`: from the nearest keyframe at or before it (or from the current tick, if that is
   * nearer and not past it), simulate forward. Returns the time it took, ms.
   */
  seek(tick: number): number {
    const startedMs = performance.now();
    const target = Math.max(0, Math.min(this.lastTick, Math.round(tick)));
    const replayer = this.#replayer;
    let keyframe: RecordedKeyframe | undefined;
    for (const candidate of this.#keyframes) if (candidate.tick <= target) keyframe = candidate;
    const from = keyframe?.tick ?? 0;
    if (!(replayer.tick <= target && replayer.tick >= from)) {
      this.#frames.clear();
      if (keyframe !== undefined) replayer.loadKeyframe(keyframe);
      else {
        replayer.state = replayer.game.createState(replayer.header.roomId, replayer.header.seed);
        replayer.tick = 0;
      }
      this.#keep(this.#frameOfState());
    }
    while (replayer.tick < target) this.#simulate(target - replayer.tick <= 2);
    this.interpolation.clear();
    for (let at = target - 2; at <= target; at++) {
      const frame = this.#frames.get(at);
      if (frame !== undefined) this.interpolation.push(this.#buffered(frame));
    }
    this.#shownTick = target;
    this.#clockMs = target * this.tickIntervalMs + this.interpolation.delayMs;
    this.interpolation.update(this.#clockMs);
    this.lastSeekMs = performance.now() - startedMs;
    return this.lastSeekMs;
  }

  /** Move the playback clock by `elapsedMs` of real time × speed, simulating as it needs. */
  advance(elapsedMs: number): void {
    if (!this.#playing) return;
    this.#clockMs += elapsedMs * this.speed;
    const replayer = this.#replayer;
    const aheadMs = this.#clockMs + this.tickIntervalMs;
    while (replayer.tick < this.lastTick && replayer.tick * this.tickIntervalMs < aheadMs) {
      this.#simulate(true);
    }
    this.interpolation.update(this.#clockMs);
    const renderMs = this.interpolation.renderTimeMs ?? 0;
    let shown = Math.min(replayer.tick, Math.max(0, Math.floor(renderMs / this.tickIntervalMs)));
    if (this.pauseAt !== undefined && shown >= this.pauseAt) {
      shown = this.pauseAt;
      this.pauseAt = undefined;
      this.#playing = false;
    }
    if (shown >= this.lastTick) this.#playing = false;
    this.#shownTick = shown;
  }

  /** Step the replay one tick; build its frame only when it will be shown. */
  #simulate(buildFrame: boolean): void {
    const replayer = this.#replayer;
    const recorded = this.#ticks[replayer.tick];
    if (recorded === undefined) return;
    const hash = replayer.step(recorded);
    if (this.#hashed && hash !== recorded.hash) {
      this.hashMismatches++;
      if (this.mismatchTicks.length < 8) this.mismatchTicks.push(recorded.tick);
      // Parted from the recording: take the room's own state back where the recording has it.
      const keyframe = this.#keyframes.find((candidate) => candidate.tick === recorded.tick);
      if (keyframe !== undefined) replayer.loadKeyframe(keyframe);
    }
    if (!buildFrame) return;
    const frame = this.#frameOfState();
    this.#keep(frame);
    if (this.#playing) this.interpolation.push(this.#buffered(frame));
  }

  #keep(frame: ReplayFrame): void {
    this.#frames.set(frame.tick, frame);
    this.#frames.delete(frame.tick - FRAMES_KEPT);
  }

  #buffered(frame: ReplayFrame) {
    return {
      tick: frame.tick,
      receivedAtMs: frame.tick * this.tickIntervalMs,
      entities: frame.entities,
    };
  }

  /** The replayed state's rows, put on the schema's grid as the wire would. */
  #frameOfState(): ReplayFrame {
    const replayer = this.#replayer;
    const game = replayer.game;
    const values: number[] = [];
    game.writeEntities(replayer.state, values);
    const scales = this.#scales;
    const stride = scales.length;
    const entities = new Map<number, readonly number[]>();
    for (let start = 0; start + stride <= values.length; start += stride) {
      const row = new Array<number>(stride);
      for (let column = 0; column < stride; column++) {
        const scale = scales[column]!;
        row[column] = quantize(values[start + column]!, scale, this.#wraps[column]!) / scale;
      }
      entities.set(row[0]!, row);
    }
    let global: number[] | null = null;
    if (game.writeGlobal !== undefined) {
      global = [];
      game.writeGlobal(replayer.state, global);
    }
    return { tick: replayer.tick, entities, global };
  }
}
