/**
 * The match recording format: constants and the header. The byte layout is written down in
 * `RECORDING.md` beside this file.
 * @module
 */

/** First bytes of every recording file: `ARENAREC`. */
export const RECORDING_MAGIC: Uint8Array = new TextEncoder().encode("ARENAREC");

/** Version of the file layout; a reader refuses any other. */
export const RECORDING_FORMAT_VERSION = 3;

/** Last 8 bytes of a finished file: the index chunk's offset (u32 LE), then `IDX!`. */
export const TRAILER_MAGIC: Uint8Array = new TextEncoder().encode("IDX!");

/** Bytes of a chunk's prefix: kind u8, flags u8, first tick u32 LE, payload length u32 LE. */
export const CHUNK_PREFIX_BYTES = 10;

/** Kinds of chunk. */
export const ChunkKind = {
  /** The header, JSON, uncompressed. */
  HEADER: 1,
  /** Records of whole ticks, deflate-raw compressed. */
  RECORDS: 2,
  /** The keyframe index (tick → chunk offset), uncompressed; the trailer points to it. */
  INDEX: 3,
} as const;

/** One of {@linkcode ChunkKind}. */
export type ChunkKind = typeof ChunkKind[keyof typeof ChunkKind];

/** Bit of a chunk's flags: its first record is a keyframe. */
export const CHUNK_STARTS_WITH_KEYFRAME = 1;

/** Kinds of record inside a records chunk; each starts with this byte. */
export const RecordKind = {
  /** A player joined: player id varint, name (varint length + UTF-8). */
  JOIN: 1,
  /** A player left: player id varint. */
  LEAVE: 2,
  /** An input applied: see RECORDING.md for the per-player delta coding. */
  INPUT: 3,
  /** A tick ended with the header's `dtMs` and the room kept its world frame: state hash u32 LE. */
  TICK: 4,
  /** A tick ended with another `dtMs`: dtMs float64 LE, framed u8 (0 or 1), state hash u32 LE. */
  TICK_DT: 5,
  /** A keyframe: see RECORDING.md. */
  KEYFRAME: 6,
  /** The game threw: message (varint length + UTF-8). Nothing follows. */
  FAILURE: 7,
  /** A tick ended with the header's `dtMs` and no world frame (nobody to send to): hash u32 LE. */
  UNFRAMED_TICK: 8,
  /**
   * A command the room ran: player id varint, the command's index in the header's `commands`
   * varint, then its arguments in declared order, each a tagged value (see RECORDING.md).
   */
  COMMAND: 9,
} as const;

/** One of {@linkcode RecordKind}. */
export type RecordKind = typeof RecordKind[keyof typeof RecordKind];

/** What a recording says about the match it holds: the first chunk, as JSON. */
export interface RecordingHeader {
  /** {@linkcode RECORDING_FORMAT_VERSION} of the writer. */
  formatVersion: number;
  /** The wire protocol version of the server that recorded it. */
  protocolVersion: number;
  /** Game name, e.g. `arena`. */
  game: string;
  /** The game's version (`Game.version`). */
  gameVersion: string;
  /** The settings the game was built with (`Game.options`). */
  gameOptions: Record<string, string | number | boolean>;
  /** Room id. */
  roomId: string;
  /** The seed the room's state was created with. */
  seed: number;
  /** Simulation steps per second. */
  tickRateHz: number;
  /** A snapshot, and a world frame for lag compensation, every this many ticks. */
  snapshotEveryTicks: number;
  /** The step every `TICK` record stands for, ms. */
  dtMs: number;
  /** Names of the input fields, in the order INPUT records carry them. */
  inputFields: string[];
  /**
   * The game's declared commands, in declaration order: COMMAND records name one by its index
   * here, and carry its arguments in the order of `args`.
   */
  commands: RecordedCommandSpec[];
  /** Snapshot columns (the game's entity schema names) of the keyframes' rows. */
  entityFields: string[];
  /** Quantization steps per unit of each column: keyframe rows hold `round(value × scale)`. */
  entityScales: number[];
  /** Period of each wrapping column in steps (angles), or 0: keyframe rows are wrapped. */
  entityWraps: number[];
  /** A keyframe every this many ticks. */
  keyframeEveryTicks: number;
  /** The server build that recorded it (a git commit, or `dev`). */
  serverBuild: string;
  /** `Deno.version.deno` of the recording process. */
  denoVersion: string;
  /** `Deno.version.v8`: `Math.sin` and friends may differ between engines. */
  v8Version: string;
  /** Wall-clock start, ISO 8601; informative only, never read by the simulation. */
  startedAt: string;
}

/** A command as the header names it: its name and its arguments' names, in order. */
export interface RecordedCommandSpec {
  name: string;
  args: string[];
}

/** A command argument's checked value. */
export type RecordedArgValue = string | number | boolean;

/** One operation of a tick, in the order the room performed it. */
export type RecordedOp =
  | { kind: "join"; playerId: number; name: string }
  | { kind: "leave"; playerId: number }
  | {
    kind: "command";
    playerId: number;
    /** The command's name (the header's `commands` entry the record's index names). */
    name: string;
    /** Its checked arguments, by name, as the room handed them to the game. */
    args: Record<string, RecordedArgValue>;
  }
  | { kind: "input"; playerId: number; sequence: number; values: number[] };

/** One whole tick: what happened before and during it, and the hash of the state after it. */
export interface RecordedTick {
  /** The tick's number: the room's tick counter after the step. */
  tick: number;
  /**
   * Joins and leaves since the previous tick, then the commands and inputs applied in it, in
   * order.
   */
  ops: RecordedOp[];
  /** Step duration, ms. */
  dtMs: number;
  /**
   * Whether the room kept this tick's world frame (it sent snapshots and had someone to send
   * them to): lag compensation rewinds only to such frames.
   */
  framed: boolean;
  /** 32-bit hash of the game state after the step (0 when the game declares no hash). */
  hash: number;
}

/** A full view of the room at a tick: the rows a spectator would be sent, and the game state. */
export interface RecordedKeyframe {
  /** The tick it shows (0: the state as created, before anyone joined). */
  tick: number;
  /** Entity rows, `entityFields.length` quantized integers each, id first. */
  rows: number[];
  /** The game's global numbers, or `null` if it has none. */
  global: number[] | null;
  /** The game state, msgpack with structured clone (Maps kept), or `null` if it would not pack. */
  state: Uint8Array | null;
}
