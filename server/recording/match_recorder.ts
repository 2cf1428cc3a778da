import { Packr } from "msgpackr";
import { quantize } from "../../shared/protocol/entity_schema.ts";
import { PROTOCOL_VERSION } from "../../shared/protocol/messages.ts";
import {
  CHUNK_STARTS_WITH_KEYFRAME,
  ChunkKind,
  deflate,
  frameChunk,
  frameIndex,
  RECORDING_FORMAT_VERSION,
  RECORDING_MAGIC,
  type RecordingHeader,
  RecordWriter,
  StateHasher,
} from "../../shared/recording/mod.ts";
import type { CommandArgs } from "../rooms/game.ts";
import type { RecordableRoom, RoomRecorder } from "../rooms/room_recorder.ts";

/** Settings of a {@linkcode MatchRecorder}. */
export interface MatchRecorderOptions {
  /**
   * A keyframe (the spectator's rows and the saved game state) every this many ticks.
   * @default 300
   */
  keyframeEveryTicks?: number;
  /**
   * Records are compressed and written every this many ticks: what a killed process loses.
   * @default 30
   */
  flushEveryTicks?: number;
  /**
   * Bytes waiting for the disk above which the recording stops (the disk cannot keep up).
   * @default 8388608
   */
  maxPendingBytes?: number;
  /**
   * The server build named in the header.
   * @default "dev"
   */
  serverBuild?: string;
  /** Told of every chunk written, with its size in bytes (for the store's disk bound). */
  onWritten?: (bytes: number) => void;
  /** Told once when the recording ends, whether it finished or stopped. */
  onEnded?: (recorder: MatchRecorder) => void;
  /** Where log lines go. @default console.error */
  log?: (line: string) => void;
}

const STATE_PACKR = new Packr({ structuredClone: true });

/**
 * Records one room into one file: the header, then per tick the joins, leaves, commands and
 * inputs in the order the room performed them and the hash of the state, a keyframe every few seconds, and at
 * the end the keyframe index. All a tick does is append bytes to a buffer; compressing
 * (`CompressionStream`) and writing happen afterwards, one chunk at a time. A write error or a
 * disk that falls behind stops the recording with a log line; the room never notices.
 */
export class MatchRecorder implements RoomRecorder {
  /** The file being written. */
  readonly path: string;
  readonly #room: RecordableRoom;
  readonly #writer: RecordWriter;
  readonly #hasher = new StateHasher();
  /** Per declared command, its argument names in order. */
  readonly #commandArgs: readonly (readonly string[])[];
  readonly #argValues: (string | number | boolean)[] = [];
  readonly #rows: number[] = [];
  readonly #global: number[] = [];
  readonly #scales: number[];
  readonly #wraps: number[];
  readonly #keyframeEveryTicks: number;
  readonly #flushEveryTicks: number;
  readonly #maxPendingBytes: number;
  readonly #options: MatchRecorderOptions;
  readonly #log: (line: string) => void;
  readonly #index: { tick: number; offset: number }[] = [];
  #file: Deno.FsFile | undefined;
  #queue: Promise<void>;
  #offset = 0;
  #pendingBytes = 0;
  #chunkStartTick = 0;
  #chunkFlags = 0;
  #tick = 0;
  #stopped = false;
  #ended = false;
  #finished = false;
  /** Bytes written to the file so far. */
  bytesWritten = 0;
  /** Why the recording stopped early, or `null`. */
  stopReason: string | null = null;

  /**
   * Start recording `room` into `path` (created; an existing file is replaced).
   * @param room the room, just created: its state is the one `createState` made
   */
  constructor(room: RecordableRoom, path: string, options: MatchRecorderOptions = {}) {
    this.path = path;
    this.#room = room;
    this.#options = options;
    this.#log = options.log ?? ((line) => console.error(line));
    this.#keyframeEveryTicks = options.keyframeEveryTicks ?? 300;
    this.#flushEveryTicks = options.flushEveryTicks ?? 30;
    this.#maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024;
    const schema = room.game.entitySchema;
    this.#scales = schema.map((field) => field.scale ?? 1);
    this.#wraps = schema.map((field) => field.wrap ?? 0);
    const dtMs = 1000 / room.tickRateHz;
    // The input fields recorded, in order: the game's declared fields, then the view time.
    const inputFields = [...room.game.input.names, "viewTime"];
    this.#writer = new RecordWriter(inputFields.length, dtMs);
    const commands = (room.game.commands ?? []).map((command) => ({
      name: command.name,
      args: command.args.map((arg) => arg.name),
    }));
    this.#commandArgs = commands.map((command) => command.args);
    const header: RecordingHeader = {
      formatVersion: RECORDING_FORMAT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      game: room.game.name,
      gameVersion: room.game.version ?? "0",
      gameOptions: { ...room.game.options },
      roomId: room.id,
      seed: room.seed,
      tickRateHz: room.tickRateHz,
      snapshotEveryTicks: room.snapshotEveryTicks,
      dtMs,
      inputFields,
      commands,
      entityFields: schema.map((field) => field.name),
      entityScales: this.#scales,
      entityWraps: this.#wraps,
      keyframeEveryTicks: this.#keyframeEveryTicks,
      serverBuild: options.serverBuild ?? "dev",
      denoVersion: Deno.version.deno,
      v8Version: Deno.version.v8,
      startedAt: new Date().toISOString(),
    };
    const headerBytes = new TextEncoder().encode(JSON.stringify(header));
    const start = new Uint8Array(RECORDING_MAGIC.length);
    start.set(RECORDING_MAGIC);
    this.#queue = this.#run(async () => {
      this.#file = await Deno.open(path, { write: true, create: true, truncate: true });
      await this.#write(start);
      await this.#write(frameChunk(ChunkKind.HEADER, 0, 0, headerBytes));
    });
    this.#keyframe(0);
  }

  /** Whether the recording stopped early (a write error, a slow disk). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Resolves when everything handed over so far has been written (or the recording stopped). */
  flushed(): Promise<void> {
    return this.#queue;
  }

  joined(playerId: number, name: string): void {
    if (!this.#stopped) this.#writer.join(playerId, name);
  }

  left(playerId: number): void {
    if (!this.#stopped) this.#writer.leave(playerId);
  }

  commanded(playerId: number, commandIndex: number, args: CommandArgs): void {
    if (this.#stopped) return;
    const values = this.#argValues;
    values.length = 0;
    for (const name of this.#commandArgs[commandIndex] ?? []) values.push(args[name]!);
    this.#writer.command(playerId, commandIndex, values);
  }

  applied(playerId: number, sequence: number, values: ArrayLike<number>): void {
    if (!this.#stopped) this.#writer.input(playerId, sequence, values);
  }

  stepped(tick: number, dtMs: number, framed: boolean): void {
    if (this.#stopped) return;
    this.#tick = tick;
    const game = this.#room.game;
    let hash = 0;
    if (game.hashState !== undefined) {
      this.#hasher.reset();
      game.hashState(this.#room.state, this.#hasher);
      hash = this.#hasher.digest();
    }
    this.#writer.tick(dtMs, hash, framed);
    if (tick % this.#keyframeEveryTicks === 0) this.#keyframe(tick);
    else if (this.#writer.ticks >= this.#flushEveryTicks) this.#flush();
  }

  closed(failure?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#stopped) return;
    if (failure !== undefined) {
      const message = failure instanceof Error
        ? `${failure.name}: ${failure.message}\n${failure.stack ?? ""}`
        : String(failure);
      this.#writer.failure(message);
    }
    this.#flush();
    const index = this.#index;
    this.#enqueue(0, async () => {
      await this.#write(frameIndex(index, this.#offset));
    });
    this.#queue = this.#queue.then(() => this.#finish());
    if (failure !== undefined) {
      this.#log(
        `Room ${this.#room.id} failed at tick ${
          this.#tick + 1
        }: its recording is kept at ${this.path}`,
      );
    }
  }

  /** Start a chunk with a keyframe of the current state. */
  #keyframe(tick: number): void {
    this.#flush();
    const room = this.#room;
    const rows = this.#rows;
    rows.length = 0;
    room.game.writeEntities(room.state, rows);
    const stride = this.#scales.length;
    for (let index = 0; index < rows.length; index++) {
      const column = index % stride;
      rows[index] = quantize(rows[index]!, this.#scales[column]!, this.#wraps[column]!);
    }
    let global: number[] | null = null;
    if (room.game.writeGlobal !== undefined) {
      global = this.#global;
      global.length = 0;
      room.game.writeGlobal(room.state, global);
    }
    let state: Uint8Array | null = null;
    try {
      state = STATE_PACKR.pack(room.state);
    } catch {
      // A state msgpack cannot hold: the keyframe shows the rows but cannot be resumed from.
    }
    this.#chunkStartTick = tick;
    this.#chunkFlags = CHUNK_STARTS_WITH_KEYFRAME;
    this.#writer.keyframe(tick, rows, global, state);
  }

  /** Hand the current chunk to the writing queue. */
  #flush(): void {
    const writer = this.#writer;
    if (writer.length === 0) return;
    const raw = writer.takeChunk();
    const startTick = this.#chunkStartTick, flags = this.#chunkFlags;
    this.#chunkStartTick = this.#tick;
    this.#chunkFlags = 0;
    this.#enqueue(raw.length, async () => {
      const payload = await deflate(raw);
      if ((flags & CHUNK_STARTS_WITH_KEYFRAME) !== 0) {
        this.#index.push({ tick: startTick, offset: this.#offset });
      }
      await this.#write(frameChunk(ChunkKind.RECORDS, flags, startTick, payload));
    });
  }

  #enqueue(bytes: number, job: () => Promise<void>): void {
    this.#pendingBytes += bytes;
    if (this.#pendingBytes > this.#maxPendingBytes) {
      this.#stop(
        `${this.#pendingBytes} bytes are waiting for the disk, more than ${this.#maxPendingBytes}`,
      );
      return;
    }
    this.#queue = this.#queue.then(() => this.#run(job)).then(() => {
      this.#pendingBytes -= bytes;
    });
  }

  async #run(job: () => Promise<void>): Promise<void> {
    if (this.#stopped) return;
    try {
      await job();
    } catch (error) {
      this.#stop(`cannot write ${this.path}: ${error instanceof Error ? error.message : error}`);
    }
  }

  async #write(bytes: Uint8Array): Promise<void> {
    const file = this.#file;
    if (file === undefined) throw new Error("the file is not open");
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    this.#offset += bytes.length;
    this.bytesWritten += bytes.length;
    this.#options.onWritten?.(bytes.length);
  }

  #stop(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.stopReason = reason;
    this.#log(`Recording of room ${this.#room.id} stopped (the room goes on): ${reason}`);
    this.#writer.takeChunk();
    this.#queue = this.#queue.then(() => this.#finish());
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const file = this.#file;
    this.#file = undefined;
    try {
      file?.close();
    } catch {
      // Already closed: nothing more to release.
    }
    this.#options.onEnded?.(this);
  }
}
