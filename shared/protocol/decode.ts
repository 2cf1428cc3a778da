import type { Unpackr } from "msgpackr";
import { EMPTY_BYTES } from "./_frame.ts";
import { createBodyUnpackr } from "./body.ts";
import { ByteReader, MAX_VARINT } from "./bytes.ts";
import { ClientFrameField, ClientFrames } from "./client_frames.ts";
import { MAX_COMMAND_ARGS } from "./command_schema.ts";
import { FrameError, FrameErrorReason } from "./frame_error.ts";
import type { InputLayout } from "./input_schema.ts";
import {
  isClientMessageKind,
  isServerMessageKind,
  MessageKind,
  messageKindName,
} from "./message_kind.ts";
import type {
  ClientMessage,
  EventMessage,
  JoinMessage,
  ServerMessage,
  SnapshotMessage,
} from "./messages.ts";
import { LIMITS, PROTOCOL_VERSION } from "./messages.ts";
import { StrictMsgpackReader } from "./strict_msgpack.ts";
import {
  expectArray,
  expectFinite,
  expectInt,
  expectRecord,
  expectString,
  expectTuple,
} from "./validate.ts";

/** Largest magnitude of a number in a message: anything beyond is a bug or an attack. */
const MAX_MAGNITUDE = 2 ** 31;

/** Which end sent the bytes: a decoder accepts only the kinds that end may send. */
export type Sender = "client" | "server";

/** `input frame` and so on, built once: error texts name the frame, and most frames decode fine. */
const FRAME_NAMES: Record<number, string> = {};
for (const kind of Object.values(MessageKind)) FRAME_NAMES[kind] = `${messageKindName(kind)} frame`;

function tooManyFrames(): FrameError {
  return new FrameError(
    FrameErrorReason.TOO_BIG,
    `Cannot decode message: more than ${LIMITS.maxFramesPerMessage} frames`,
  );
}

/** Read a frame's version and kind; returns the kind, one that `sender` may send. */
function readFrameHeader(reader: ByteReader, sender: Sender): number {
  const version = reader.readByte("frame header");
  if (version !== PROTOCOL_VERSION) {
    throw new FrameError(
      FrameErrorReason.UNSUPPORTED_VERSION,
      `Cannot decode frame: format version ${version}, this build speaks ${PROTOCOL_VERSION}`,
    );
  }
  const kind = reader.readByte("frame header");
  const allowed = sender === "client" ? isClientMessageKind(kind) : isServerMessageKind(kind);
  if (!allowed) {
    throw new FrameError(
      FrameErrorReason.UNKNOWN_KIND,
      `Cannot decode frame: ${messageKindName(kind)} (code ${kind}) is not a ${sender} message`,
    );
  }
  return kind;
}

/** Frames whose header says it all (input, ack) must announce an empty body. */
function expectEmptyBody(reader: ByteReader, what: string): void {
  const length = reader.readVarint(what);
  if (length !== 0) {
    throw new FrameError(
      FrameErrorReason.BAD_FIELD,
      `Cannot decode ${what}: body has ${length} bytes, expected 0`,
    );
  }
}

/**
 * Decodes batches from an untrusted peer. Every field is checked; any fault throws
 * {@linkcode FrameError} and nothing partial is returned.
 */
export class FrameDecoder {
  /** msgpackr, with the agreed records, for server bodies only; made on first use. */
  #unpackr: Unpackr | undefined;
  /** Client bodies: only the plain msgpack the client messages use (see strict_msgpack.ts). */
  readonly #clientBodies = new StrictMsgpackReader();
  readonly #reader = new ByteReader(EMPTY_BYTES);
  #frames: ClientFrames | undefined;
  /** The game's input fields, once the client joined it: input frames are read with them. */
  inputLayout: InputLayout | undefined;
  /**
   * Finds a game's input fields by name, for inputs that follow a join in the same batch (before
   * {@linkcode FrameDecoder.inputLayout} is set).
   */
  inputLayoutOf: ((game: string) => InputLayout | undefined) | undefined;
  /** The layout for the batch being decoded. */
  #batchLayout: InputLayout | undefined;

  /** Decode a batch sent by a client. */
  decodeClientBatch(bytes: Uint8Array): ClientMessage[] {
    this.#frames ??= new ClientFrames();
    const frames = this.decodeClientFrames(bytes, this.#frames);
    if (frames.stoppedAtUnjoinedInput) {
      throw new RangeError("Cannot decode input frame: the decoder has no input layout");
    }
    const messages: ClientMessage[] = [];
    for (let index = 0; index < frames.count; index++) messages.push(frames.message(index));
    return messages;
  }

  /**
   * Decode a batch sent by a client into `out` (the server's path: nothing is allocated for
   * inputs, acks and pings). The whole batch is checked before this returns, so a fault in any
   * frame throws and no frame of the batch is acted on.
   */
  decodeClientFrames(bytes: Uint8Array, out: ClientFrames): ClientFrames {
    const reader = this.#begin(bytes, LIMITS.maxClientMessageBytes);
    out.count = 0;
    out.stoppedAtUnjoinedInput = false;
    this.#batchLayout = this.inputLayout;
    while (reader.remaining > 0) {
      if (out.count === LIMITS.maxFramesPerMessage) throw tooManyFrames();
      const decoded = this.#decodeClientFrame(reader, out, out.count);
      out.count++;
      if (!decoded) {
        out.stoppedAtUnjoinedInput = true;
        break;
      }
    }
    return out;
  }

  /** Decode a batch sent by a server. */
  decodeServerBatch(bytes: Uint8Array): ServerMessage[] {
    const reader = this.#begin(bytes, LIMITS.maxServerMessageBytes);
    const messages: ServerMessage[] = [];
    while (reader.remaining > 0) {
      if (messages.length === LIMITS.maxFramesPerMessage) throw tooManyFrames();
      messages.push(this.#decodeServerFrame(reader));
    }
    return messages;
  }

  /** Check the batch's size and point the reader at it. */
  #begin(bytes: Uint8Array, limit: number): ByteReader {
    if (bytes.length > limit) {
      throw new FrameError(
        FrameErrorReason.TOO_BIG,
        `Cannot decode message: ${bytes.length} bytes, limit is ${limit}`,
      );
    }
    if (bytes.length === 0) {
      throw new FrameError(FrameErrorReason.TRUNCATED, "Cannot decode message: it is empty");
    }
    this.#reader.reset(bytes);
    return this.#reader;
  }

  /** Decode one frame into `out`; false for an input that no joined game can read. */
  #decodeClientFrame(reader: ByteReader, out: ClientFrames, index: number): boolean {
    const kind = readFrameHeader(reader, "client");
    const what = FRAME_NAMES[kind] ?? `${messageKindName(kind)} frame`;
    const at = index * ClientFrames.FIELDS_PER_FRAME, fields = out.fields;
    out.kinds[index] = kind;
    switch (kind) {
      case MessageKind.INPUT: {
        const layout = this.#batchLayout;
        if (layout === undefined) return false;
        fields[at + ClientFrameField.INPUT_SEQUENCE] = reader.readVarint(what);
        fields[at + ClientFrameField.INPUT_CLIENT_TICK] = reader.readVarint(what);
        fields[at + ClientFrameField.INPUT_VIEW_TICK] = reader.readVarint(what);
        fields[at + ClientFrameField.INPUT_VIEW_ALPHA] = reader.readByte(what);
        layout.read(reader, fields, at + ClientFrameField.INPUT_VALUES);
        out.inputValueCounts[index] = layout.count;
        expectEmptyBody(reader, what);
        return true;
      }
      case MessageKind.ACK:
        fields[at + ClientFrameField.ACK_TICK] = reader.readVarint(what);
        expectEmptyBody(reader, what);
        return true;
      case MessageKind.JOIN: {
        const raw = this.#readClientBody(reader, what);
        // The seat is a sixth, optional item: a join without one keeps its five-item layout.
        const body = expectTuple(
          raw,
          `${what} body`,
          Array.isArray(raw) && raw.length === 6 ? 6 : 5,
        );
        const join: JoinMessage = {
          kind,
          protocolVersion: expectInt(body[0], `${what} protocol version`, 0, 255),
          game: expectString(body[1], `${what} game`, LIMITS.maxRoomIdChars),
          room: expectString(body[2], `${what} room`, LIMITS.maxRoomIdChars),
          name: expectString(body[3], `${what} name`, LIMITS.maxNameChars),
          reconnectToken: expectString(body[4], `${what} reconnect token`, LIMITS.maxTokenChars),
        };
        if (body.length === 6) {
          join.seat = expectString(body[5], `${what} seat`, LIMITS.maxTokenChars);
        }
        out.joins[index] = join;
        this.#batchLayout ??= this.inputLayoutOf?.(join.game);
        return true;
      }
      case MessageKind.COMMAND: {
        const body = expectArray(
          this.#readClientBody(reader, what),
          `${what} body`,
          1 + MAX_COMMAND_ARGS,
        );
        const name = expectString(body[0], `${what} name`, 32);
        const args: (string | number | boolean)[] = [];
        for (let arg = 1; arg < body.length; arg++) {
          const value = body[arg];
          args.push(
            typeof value === "boolean"
              ? value
              : typeof value === "number"
              ? expectFinite(value, `${what} argument ${arg}`, MAX_MAGNITUDE)
              : expectString(value, `${what} argument ${arg}`, LIMITS.maxTextChars),
          );
        }
        out.commands[index] = { kind, name, args };
        return true;
      }
      case MessageKind.PING: {
        const body = expectTuple(this.#readClientBody(reader, what), `${what} body`, 1);
        fields[at + ClientFrameField.PING_CLIENT_TIME_MS] = expectFinite(
          body[0],
          `${what} time`,
          LIMITS.maxPingTimeMs,
        );
        return true;
      }
    }
    return true;
  }

  #decodeServerFrame(reader: ByteReader): ServerMessage {
    const kind = readFrameHeader(reader, "server");
    const what = FRAME_NAMES[kind] ?? `${messageKindName(kind)} frame`;
    switch (kind) {
      case MessageKind.SNAPSHOT:
        return this.#decodeSnapshot(reader, what);
      case MessageKind.EVENT: {
        const tick = reader.readVarint(what);
        return this.#decodeEvent(tick, this.#readBody(reader, what), what);
      }
      case MessageKind.WELCOME: {
        const body = expectRecord(this.#readBody(reader, what), `${what} body`);
        const fields = expectArray(
          body.entityFields,
          `${what} entity fields`,
          LIMITS.maxEntityFields,
        )
          .map((field, index) =>
            expectString(field, `${what} entity field ${index}`, LIMITS.maxRoomIdChars)
          );
        if (fields[0] !== "id") {
          throw new FrameError(
            FrameErrorReason.BAD_FIELD,
            `Cannot decode ${what}: the first entity field must be id, got ${fields[0]}`,
          );
        }
        const perField = (value: unknown, name: string): unknown[] => {
          const list = expectArray(value, `${what} ${name}`, LIMITS.maxEntityFields);
          if (list.length !== fields.length) {
            throw new FrameError(
              FrameErrorReason.BAD_FIELD,
              `Cannot decode ${what}: ${list.length} ${name} for ${fields.length} fields`,
            );
          }
          return list;
        };
        const scales = perField(body.entityScales, "scales").map((scale, index) => {
          const value = expectFinite(scale, `${what} scale ${index}`, 2 ** 20);
          if (!(value > 0)) {
            throw new FrameError(
              FrameErrorReason.BAD_FIELD,
              `Cannot decode ${what}: scale ${index} is ${value}, expected above 0`,
            );
          }
          return value;
        });
        return {
          kind,
          playerId: expectInt(body.playerId, `${what} player id`, 1, MAX_VARINT),
          roomId: expectString(body.roomId, `${what} room id`, LIMITS.maxRoomIdChars),
          game: expectString(body.game, `${what} game`, LIMITS.maxRoomIdChars),
          tickRateHz: expectInt(body.tickRateHz, `${what} tick rate`, 1, 1000),
          snapshotEveryTicks: expectInt(body.snapshotEveryTicks, `${what} snapshot every`, 1, 1000),
          tick: expectInt(body.tick, `${what} tick`, 0, MAX_VARINT),
          reconnectToken: expectString(body.reconnectToken, `${what} token`, LIMITS.maxTokenChars),
          entityFields: fields,
          entityScales: scales,
          entityWraps: perField(body.entityWraps, "wraps").map((wrap, index) =>
            expectInt(wrap, `${what} wrap ${index}`, 0, 2 ** 30)
          ),
          entityHotMask: expectInt(body.entityHotMask, `${what} hot mask`, 0, 2 ** 31 - 1),
          entityVelocities: perField(body.entityVelocities, "velocities").map((column, index) =>
            expectInt(column, `${what} velocity ${index}`, 0, fields.length - 1)
          ),
        };
      }
      case MessageKind.PONG: {
        const body = expectRecord(this.#readBody(reader, what), `${what} body`);
        return {
          kind,
          clientTimeMs: expectFinite(body.clientTimeMs, `${what} client time`, LIMITS.maxTimeMs),
          serverTimeMs: expectFinite(body.serverTimeMs, `${what} server time`, LIMITS.maxTimeMs),
        };
      }
      case MessageKind.ERROR: {
        const body = expectRecord(this.#readBody(reader, what), `${what} body`);
        return {
          kind,
          code: expectInt(body.code, `${what} code`, 1000, 4999),
          reason: expectString(body.reason, `${what} reason`, LIMITS.maxTextChars),
        };
      }
      default:
        throw new FrameError(FrameErrorReason.UNKNOWN_KIND, `Cannot decode frame: kind ${kind}`);
    }
  }

  #decodeSnapshot(reader: ByteReader, what: string): SnapshotMessage {
    const tick = reader.readVarint(what);
    const baselineDistance = reader.readVarint(what);
    if (baselineDistance > tick) {
      throw new FrameError(
        FrameErrorReason.BAD_FIELD,
        `Cannot decode ${what}: baseline is ${baselineDistance} ticks before tick ${tick}`,
      );
    }
    const lastInputSequence = reader.readVarint(what);
    const body = expectRecord(this.#readBody(reader, what), `${what} body`);
    if (!(body.entities instanceof Uint8Array)) {
      throw new FrameError(
        FrameErrorReason.BAD_FIELD,
        `Cannot decode ${what}: entities must be binary`,
      );
    }
    let global: number[] | null = null;
    if (body.global !== null) {
      global = expectArray(body.global, `${what} global`, LIMITS.maxGlobalValues).map((
        value,
        index,
      ) => expectFinite(value, `${what} global ${index}`, MAX_MAGNITUDE));
    }
    return {
      kind: MessageKind.SNAPSHOT,
      tick,
      baselineTick: baselineDistance === 0 ? 0 : tick - baselineDistance,
      lastInputSequence,
      entities: body.entities,
      global,
    };
  }

  #decodeEvent(tick: number, value: unknown, what: string): EventMessage {
    const body = expectRecord(value, `${what} body`);
    return {
      kind: MessageKind.EVENT,
      tick,
      type: expectString(body.type, `${what} type`, 32),
      actor: expectInt(body.actor, `${what} actor`, 0, MAX_VARINT),
      target: expectInt(body.target, `${what} target`, 0, MAX_VARINT),
      value: expectFinite(body.value, `${what} value`, MAX_MAGNITUDE),
      text: expectString(body.text, `${what} text`, LIMITS.maxTextChars),
    };
  }

  /** The body of a client frame, read by the strict reader: untrusted, so no msgpackr. */
  #readClientBody(reader: ByteReader, what: string): unknown {
    return this.#clientBodies.read(this.#bodyBytes(reader, what), what);
  }

  #bodyBytes(reader: ByteReader, what: string): Uint8Array {
    const length = reader.readVarint(what);
    if (length === 0) {
      throw new FrameError(FrameErrorReason.TRUNCATED, `Cannot decode ${what}: body is empty`);
    }
    return reader.readBytes(length, what);
  }

  /** The body of a server frame: msgpackr with the agreed record structures. */
  #readBody(reader: ByteReader, what: string): unknown {
    const body = this.#bodyBytes(reader, what);
    this.#unpackr ??= createBodyUnpackr();
    try {
      return this.#unpackr.unpack(body);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const reason = detail.includes("end of buffer not reached")
        ? FrameErrorReason.TRAILING_BYTES
        : FrameErrorReason.BAD_MSGPACK;
      throw new FrameError(reason, `Cannot decode ${what}: body is not msgpack: ${detail}`, {
        cause: error,
      });
    }
  }
}
