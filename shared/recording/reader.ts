import { ByteReader, unzigzag } from "../protocol/bytes.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import { type ChunkInfo, inflate, scanChunks } from "./chunks.ts";
import { ValueTag } from "./record_writer.ts";
import {
  CHUNK_STARTS_WITH_KEYFRAME,
  ChunkKind,
  type RecordedArgValue,
  type RecordedKeyframe,
  type RecordedOp,
  type RecordedTick,
  RECORDING_FORMAT_VERSION,
  type RecordingHeader,
  RecordKind,
} from "./format.ts";

/** A recording this build cannot replay: another format, protocol or game version. */
export class RecordingVersionError extends Error {
  /** @param message what differs; @param options the cause, if any */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RecordingVersionError";
  }
}

/** The records of one chunk, decoded. */
export interface DecodedChunk {
  /** The keyframe the chunk starts with, if it does. */
  keyframe: RecordedKeyframe | null;
  /** Its whole ticks, in order. */
  ticks: RecordedTick[];
  /** Operations after the last whole tick: the tick the game threw in, or a cut-off tick. */
  pending: RecordedOp[];
  /** The game's error message if the room failed in this chunk. */
  failure: string | null;
  /** Whether the records end in damage (a cut or corrupt chunk) rather than cleanly. */
  damaged: boolean;
}

/** A keyframe's place: its tick and the records chunk that starts with it. */
export interface KeyframeEntry {
  tick: number;
  /** Index into {@linkcode Recording.chunks}. */
  chunk: number;
}

/**
 * An opened recording: its header and where its chunks and keyframes are. Chunks are
 * decompressed on demand, so a viewer seeking to a keyframe reads only from there on.
 */
export class Recording {
  /** The header. */
  readonly header: RecordingHeader;
  /** The records chunks, in order. */
  readonly chunks: readonly ChunkInfo[];
  /** Keyframes by tick, in order. */
  readonly keyframes: readonly KeyframeEntry[];
  /** Whether the index was rebuilt by a scan: the file has no index (the writer was cut off). */
  readonly indexRebuilt: boolean;
  /** Bytes at the end that are not a whole chunk (a write cut off), or 0. */
  readonly cutBytes: number;
  /** Size of the file, bytes. */
  readonly fileBytes: number;

  private constructor(
    header: RecordingHeader,
    chunks: ChunkInfo[],
    keyframes: KeyframeEntry[],
    indexRebuilt: boolean,
    cutBytes: number,
    fileBytes: number,
  ) {
    this.header = header;
    this.chunks = chunks;
    this.keyframes = keyframes;
    this.indexRebuilt = indexRebuilt;
    this.cutBytes = cutBytes;
    this.fileBytes = fileBytes;
  }

  /**
   * Read a recording's header and chunk layout.
   * @throws {SyntaxError} when it is not a recording or its header is unreadable
   * @throws {RecordingVersionError} when its format version is not this build's
   */
  static open(file: Uint8Array<ArrayBuffer>): Recording {
    const scan = scanChunks(file);
    const first = scan.chunks[0];
    if (first === undefined || first.kind !== ChunkKind.HEADER) {
      throw new SyntaxError("Cannot read recording: the header chunk is missing");
    }
    let header: RecordingHeader;
    try {
      header = JSON.parse(new TextDecoder().decode(first.payload));
    } catch (error) {
      throw new SyntaxError("Cannot read recording: the header is not JSON", { cause: error });
    }
    if (typeof header !== "object" || header === null) {
      throw new SyntaxError("Cannot read recording: the header is not an object");
    }
    if (header.formatVersion !== RECORDING_FORMAT_VERSION) {
      throw new RecordingVersionError(
        `Cannot read recording: format version ${header.formatVersion}, this build reads ${RECORDING_FORMAT_VERSION}`,
      );
    }
    if (!Array.isArray(header.commands)) {
      throw new SyntaxError("Cannot read recording: the header lists no commands");
    }
    // Replays index rows of `entityScales.length` values by the columns of `entityFields`.
    const stride = Array.isArray(header.entityFields) ? header.entityFields.length : -1;
    if (
      stride < 1 || !Array.isArray(header.entityScales) || header.entityScales.length !== stride ||
      !Array.isArray(header.entityWraps) || header.entityWraps.length !== stride
    ) {
      throw new SyntaxError(
        "Cannot read recording: the header's entity fields, scales and wraps differ in length",
      );
    }
    const chunks = scan.chunks.filter((chunk) => chunk.kind === ChunkKind.RECORDS);
    const chunkAt = new Map(chunks.map((chunk, index) => [chunk.offset, index]));
    let keyframes: KeyframeEntry[] = [];
    if (scan.index !== null) {
      for (const entry of scan.index) {
        const chunk = chunkAt.get(entry.offset);
        if (chunk !== undefined) keyframes.push({ tick: entry.tick, chunk });
      }
    } else {
      keyframes = [];
      chunks.forEach((chunk, index) => {
        if ((chunk.flags & CHUNK_STARTS_WITH_KEYFRAME) !== 0) {
          keyframes.push({ tick: chunk.firstTick, chunk: index });
        }
      });
    }
    return new Recording(
      header,
      chunks,
      keyframes,
      scan.index === null,
      scan.cutBytes,
      file.length,
    );
  }

  /** The keyframe at or before `tick`, if any. */
  keyframeAtOrBefore(tick: number): KeyframeEntry | undefined {
    let found: KeyframeEntry | undefined;
    for (const keyframe of this.keyframes) {
      if (keyframe.tick > tick) break;
      found = keyframe;
    }
    return found;
  }

  /**
   * Decompress and decode chunk `index`. A chunk whose records end mid-tick (a damaged file)
   * yields the ticks before the damage.
   */
  async decodeChunk(index: number): Promise<DecodedChunk> {
    const chunk = this.chunks[index];
    if (chunk === undefined) throw new RangeError(`Cannot decode chunk ${index}: no such chunk`);
    const records = await inflate(chunk.payload);
    return decodeRecords(records, chunk.firstTick, this.header);
  }

  /** Every whole tick, chunk by chunk, with the chunk's keyframe and failure. */
  async *readChunks(fromChunk = 0): AsyncGenerator<DecodedChunk> {
    for (let index = fromChunk; index < this.chunks.length; index++) {
      yield await this.decodeChunk(index);
    }
  }
}

/**
 * Refuse a recording made by another protocol or another version of the game, with a message
 * that says which. A replay under other rules would diverge for reasons no hash can explain.
 * @throws {RecordingVersionError}
 */
export function assertReplayable(
  header: RecordingHeader,
  game: { name: string; version?: string },
): void {
  if (header.protocolVersion !== PROTOCOL_VERSION) {
    throw new RecordingVersionError(
      `Cannot replay recording of room ${header.roomId}: it was recorded with protocol version ${header.protocolVersion}, this build speaks ${PROTOCOL_VERSION}`,
    );
  }
  if (header.game !== game.name) {
    throw new RecordingVersionError(
      `Cannot replay recording of room ${header.roomId}: it is a recording of game ${header.game}, not ${game.name}`,
    );
  }
  const version = game.version ?? "0";
  if (header.gameVersion !== version) {
    throw new RecordingVersionError(
      `Cannot replay recording of room ${header.roomId}: it was recorded with ${header.game} version ${header.gameVersion}, this build has version ${version}`,
    );
  }
}

const UTF8 = new TextDecoder();

function decodeRecords(
  bytes: Uint8Array,
  firstTick: number,
  header: RecordingHeader,
): DecodedChunk {
  const reader = new ByteReader(bytes);
  const fieldCount = header.inputFields.length;
  const previous = new Map<number, number[]>();
  const result: DecodedChunk = {
    keyframe: null,
    ticks: [],
    pending: [],
    failure: null,
    damaged: false,
  };
  let ops: RecordedOp[] = [];
  let tick = firstTick;
  const float = new Float64Array(1);
  const floatBytes = new Uint8Array(float.buffer);
  const readFloat = (what: string): number => {
    floatBytes.set(reader.readBytes(8, what));
    return float[0]!;
  };
  const readValue = (what: string): number => {
    const tag = reader.readByte(what);
    if (tag === ValueTag.UINT) return reader.readVarint(what);
    if (tag === ValueTag.NEGATIVE_INT) return -reader.readVarint(what);
    if (tag === ValueTag.FLOAT64) return readFloat(what);
    throw new SyntaxError(`Cannot decode ${what}: unknown value tag ${tag}`);
  };
  const readString = (what: string): string =>
    UTF8.decode(reader.readBytes(reader.readVarint(what), what));
  try {
    while (reader.remaining > 0) {
      const kind = reader.readByte("record kind");
      switch (kind) {
        case RecordKind.JOIN: {
          const playerId = reader.readVarint("join");
          ops.push({ kind: "join", playerId, name: readString("join name") });
          break;
        }
        case RecordKind.LEAVE: {
          const playerId = reader.readVarint("leave");
          previous.delete(playerId);
          ops.push({ kind: "leave", playerId });
          break;
        }
        case RecordKind.COMMAND: {
          const playerId = reader.readVarint("command player");
          const index = reader.readVarint("command index");
          const spec = header.commands[index];
          if (spec === undefined) {
            throw new SyntaxError(`Cannot decode command: the header declares no command ${index}`);
          }
          const args: Record<string, RecordedArgValue> = {};
          for (const name of spec.args) {
            const tag = bytes[reader.offset];
            if (tag === ValueTag.STRING) {
              reader.readByte("command argument");
              args[name] = readString("command argument");
            } else if (tag === ValueTag.FALSE || tag === ValueTag.TRUE) {
              args[name] = reader.readByte("command argument") === ValueTag.TRUE;
            } else args[name] = readValue("command argument");
          }
          ops.push({ kind: "command", playerId, name: spec.name, args });
          break;
        }
        case RecordKind.INPUT: {
          const playerId = reader.readVarint("input player");
          let last = previous.get(playerId);
          if (last === undefined) {
            last = new Array<number>(fieldCount + 1).fill(NaN);
            last[0] = 0;
            previous.set(playerId, last);
          }
          const step = reader.readVarint("input sequence");
          const sequence = step === 0 ? reader.readVarint("input sequence") : last[0]! + step;
          last[0] = sequence;
          const mask = reader.readVarint("input mask");
          for (let field = 0; field < fieldCount; field++) {
            if ((mask & (1 << field)) === 0) continue;
            if (reader.remaining > 0 && bytes[reader.offset] === ValueTag.STEPS_256) {
              reader.readByte("input field");
              const steps = unzigzag(reader.readVarint("input field"));
              last[field + 1] = (last[field + 1] ?? NaN) + steps / 256;
            } else last[field + 1] = readValue("input field");
          }
          ops.push({ kind: "input", playerId, sequence, values: last.slice(1) });
          break;
        }
        case RecordKind.TICK:
        case RecordKind.UNFRAMED_TICK:
        case RecordKind.TICK_DT: {
          const dtMs = kind === RecordKind.TICK_DT ? readFloat("tick dtMs") : header.dtMs;
          const framed = kind === RecordKind.TICK_DT
            ? reader.readByte("tick framed") === 1
            : kind === RecordKind.TICK;
          const hashBytes = reader.readBytes(4, "tick hash");
          const hash = (hashBytes[0]! | hashBytes[1]! << 8 | hashBytes[2]! << 16 |
            hashBytes[3]! << 24) >>> 0;
          tick++;
          result.ticks.push({ tick, ops, dtMs, framed, hash });
          ops = [];
          break;
        }
        case RecordKind.KEYFRAME: {
          const keyframeTick = reader.readVarint("keyframe tick");
          const rows: number[] = new Array(reader.readVarint("keyframe rows"));
          for (let index = 0; index < rows.length; index++) rows[index] = readValue("row");
          let global: number[] | null = null;
          if (reader.readByte("keyframe global") === 1) {
            global = new Array(reader.readVarint("keyframe global"));
            for (let index = 0; index < global.length; index++) global[index] = readValue("global");
          }
          let state: Uint8Array | null = null;
          if (reader.readByte("keyframe state") === 1) {
            state = reader.readBytes(reader.readVarint("keyframe state"), "keyframe state").slice();
          }
          result.keyframe = { tick: keyframeTick, rows, global, state };
          tick = keyframeTick;
          break;
        }
        case RecordKind.FAILURE:
          result.failure = readString("failure");
          break;
        default:
          throw new SyntaxError(`Cannot decode record: unknown kind ${kind}`);
      }
    }
  } catch {
    // A damaged or cut chunk: keep the whole ticks before the damage.
    result.damaged = true;
  }
  result.pending = ops;
  return result;
}
