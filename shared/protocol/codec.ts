import type { Packr, Unpackr } from "msgpackr";
import { createBodyPackr, createBodyUnpackr, SERVER_BODY_STRUCTURES } from "./body.ts";
import { ByteReader, ByteWriter, MAX_VARINT, unzigzag, zigzag } from "./bytes.ts";
import { StrictMsgpackReader } from "./strict_msgpack.ts";
import { FrameError, FrameErrorReason } from "./frame_error.ts";
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
  Message,
  ServerMessage,
  SnapshotMessage,
} from "./messages.ts";
import { AIM_STEPS_PER_RADIAN, LIMITS, PROTOCOL_VERSION, VIEW_ALPHA_STEPS } from "./messages.ts";
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

/**
 * Writes frames into one batch (one WebSocket message). The encoder keeps its buffers between
 * batches, so a long-lived encoder allocates only the bytes it hands out.
 */
export class FrameEncoder {
  readonly #batch: ByteWriter;
  readonly #packr: Packr = createBodyPackr();
  #frames = 0;

  /** @param initialBytes starting size of the batch buffer */
  constructor(initialBytes = 4096) {
    this.#batch = new ByteWriter(initialBytes);
  }

  /** Frames added since the last {@linkcode FrameEncoder.finish}. */
  get frameCount(): number {
    return this.#frames;
  }

  /** Bytes in the batch so far. */
  get byteLength(): number {
    return this.#batch.length;
  }

  /** Append one message as a frame. */
  add(message: Message): void {
    if (message.kind === MessageKind.SNAPSHOT) {
      this.addSnapshot(
        message.tick,
        message.baselineTick,
        message.lastInputSequence,
        this.encodeSnapshotBody(message),
      );
      return;
    }
    this.#writeHeader(message);
    const body = this.#encodeBody(message);
    this.#batch.writeVarint(body.length);
    this.#batch.writeBytes(body);
    this.#frames++;
  }

  /**
   * Append a snapshot whose body was encoded once for many clients by
   * {@linkcode FrameEncoder.encodeSnapshotBody}; only the header differs per client.
   */
  addSnapshot(
    tick: number,
    baselineTick: number,
    lastInputSequence: number,
    body: Uint8Array,
  ): void {
    this.#writeSnapshotHeader(tick, baselineTick, lastInputSequence);
    this.#batch.writeVarint(body.length);
    this.#batch.writeBytes(body);
    this.#frames++;
  }

  /**
   * Append frames encoded earlier by another encoder's {@linkcode FrameEncoder.finish}, e.g. the
   * tick's events, encoded once for the whole room.
   */
  appendFrames(frames: Uint8Array, frameCount: number): void {
    this.#batch.writeBytes(frames);
    this.#frames += frameCount;
  }

  /**
   * Append a snapshot written straight into the batch, without encoding its body separately:
   * the body is the msgpackr record `{entities, global}` of the agreed structures, laid out here
   * byte for byte as msgpackr writes it (record byte, `bin` of the entity bytes, then `global`
   * already packed by {@linkcode FrameEncoder.packGlobal}). The room's per-client path uses
   * this; a test checks it against msgpackr's own output.
   */
  addSnapshotParts(
    tick: number,
    baselineTick: number,
    lastInputSequence: number,
    entities: Uint8Array,
    packedGlobal: Uint8Array,
  ): void {
    const batch = this.#batch;
    const length = entities.length;
    const binHeaderBytes = length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
    this.#writeSnapshotHeader(tick, baselineTick, lastInputSequence);
    batch.writeVarint(1 + binHeaderBytes + length + packedGlobal.length);
    batch.writeByte(SNAPSHOT_RECORD_BYTE);
    if (binHeaderBytes === 2) {
      batch.writeByte(0xc4);
      batch.writeByte(length);
    } else if (binHeaderBytes === 3) {
      batch.writeByte(0xc5);
      batch.writeByte(length >>> 8);
      batch.writeByte(length & 0xff);
    } else {
      batch.writeByte(0xc6);
      batch.writeByte(length >>> 24);
      batch.writeByte((length >>> 16) & 0xff);
      batch.writeByte((length >>> 8) & 0xff);
      batch.writeByte(length & 0xff);
    }
    batch.writeBytes(entities);
    batch.writeBytes(packedGlobal);
    this.#frames++;
  }

  /** The msgpack of a snapshot's `global` (nil for `null`), for {@linkcode FrameEncoder.addSnapshotParts}. */
  packGlobal(global: readonly number[] | null): Uint8Array {
    return global === null ? NIL : this.#packr.pack(global);
  }

  /** Encode the body of a snapshot (everything but its header fields); msgpackr never reuses the bytes. */
  encodeSnapshotBody(snapshot: Pick<SnapshotMessage, "entities" | "global">): Uint8Array {
    return this.#packr.pack({ entities: snapshot.entities, global: snapshot.global });
  }

  /**
   * The batch as a view of the encoder's buffer, valid until the next write or reset: for a
   * sender that copies it at once (Deno's `WebSocket.send` does), which saves a copy per message.
   */
  view(): Uint8Array<ArrayBuffer> {
    return this.#batch.view();
  }

  /** The batch as a new byte array; the encoder is then empty. */
  finish(): Uint8Array<ArrayBuffer> {
    const bytes = this.#batch.toBytes();
    this.#batch.reset();
    this.#frames = 0;
    return bytes;
  }

  /** Drop the batch without producing it. */
  reset(): void {
    this.#batch.reset();
    this.#frames = 0;
  }

  /** A snapshot frame's version, kind and hot fields; the body length and body follow. */
  #writeSnapshotHeader(tick: number, baselineTick: number, lastInputSequence: number): void {
    if (baselineTick !== 0 && baselineTick >= tick) {
      throw new RangeError(
        `Cannot encode snapshot: baseline tick ${baselineTick} is not before tick ${tick}`,
      );
    }
    const batch = this.#batch;
    batch.writeByte(PROTOCOL_VERSION);
    batch.writeByte(MessageKind.SNAPSHOT);
    batch.writeVarint(tick);
    batch.writeVarint(baselineTick === 0 ? 0 : tick - baselineTick);
    batch.writeVarint(lastInputSequence);
  }

  #writeHeader(message: Exclude<Message, SnapshotMessage>): void {
    this.#batch.writeByte(PROTOCOL_VERSION);
    this.#batch.writeByte(message.kind);
    switch (message.kind) {
      case MessageKind.INPUT: {
        const aimSteps = Math.round(message.aim * AIM_STEPS_PER_RADIAN);
        if (!(Math.abs(aimSteps) <= MAX_AIM_STEPS)) {
          throw new RangeError(
            `Cannot encode input: aim ${message.aim} is not a number within ±${LIMITS.maxAimRadians}`,
          );
        }
        this.#batch.writeVarint(message.sequence);
        this.#batch.writeVarint(message.clientTick);
        this.#batch.writeVarint(message.buttons);
        this.#batch.writeVarint(zigzag(aimSteps));
        const viewAlpha = message.viewAlpha ?? 0;
        if (!(Number.isInteger(viewAlpha) && viewAlpha >= 0 && viewAlpha < VIEW_ALPHA_STEPS)) {
          throw new RangeError(
            `Cannot encode input: view alpha ${viewAlpha} is not an integer in 0..${
              VIEW_ALPHA_STEPS - 1
            }`,
          );
        }
        this.#batch.writeVarint(message.viewTick ?? 0);
        this.#batch.writeByte(viewAlpha);
        break;
      }
      case MessageKind.ACK:
      case MessageKind.EVENT:
        this.#batch.writeVarint(message.tick);
        break;
    }
  }

  #encodeBody(message: Exclude<Message, SnapshotMessage>): Uint8Array {
    switch (message.kind) {
      case MessageKind.JOIN:
        return this.#packr.pack(
          message.seat === undefined || message.seat === ""
            ? [
              message.protocolVersion,
              message.game,
              message.room,
              message.name,
              message.reconnectToken,
            ]
            : [
              message.protocolVersion,
              message.game,
              message.room,
              message.name,
              message.reconnectToken,
              message.seat,
            ],
        );
      case MessageKind.INPUT:
      case MessageKind.ACK:
        return EMPTY;
      case MessageKind.PING:
        return this.#packr.pack([message.clientTimeMs]);
      case MessageKind.WELCOME:
        return this.#packr.pack({
          playerId: message.playerId,
          roomId: message.roomId,
          game: message.game,
          tickRateHz: message.tickRateHz,
          snapshotEveryTicks: message.snapshotEveryTicks,
          tick: message.tick,
          reconnectToken: message.reconnectToken,
          entityFields: message.entityFields,
          entityScales: message.entityScales,
          entityWraps: message.entityWraps,
          entityHotMask: message.entityHotMask,
          entityVelocities: message.entityVelocities,
        });
      case MessageKind.EVENT:
        return this.#packr.pack({
          type: message.type,
          actor: message.actor,
          target: message.target,
          value: message.value,
          text: message.text,
        });
      case MessageKind.PONG:
        return this.#packr.pack({
          clientTimeMs: message.clientTimeMs,
          serverTimeMs: message.serverTimeMs,
        });
      case MessageKind.ERROR:
        return this.#packr.pack({ code: message.code, reason: message.reason });
    }
  }
}

const EMPTY = new Uint8Array(0);
/** `input frame` and so on, built once: error texts name the frame, and most frames decode fine. */
const FRAME_NAMES: Record<number, string> = {};
for (const kind of Object.values(MessageKind)) FRAME_NAMES[kind] = `${messageKindName(kind)} frame`;
const MAX_AIM_STEPS = LIMITS.maxAimRadians * AIM_STEPS_PER_RADIAN;

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
const NIL = new Uint8Array([0xc0]);
/** A record of agreed structure `i` starts with the byte `0x40 + i` (msgpackr's record form). */
const SNAPSHOT_RECORD_BYTE = 0x40 +
  SERVER_BODY_STRUCTURES.findIndex((keys) => keys[0] === "entities" && keys[1] === "global");

/** Encode messages as one batch; a convenience for tests and rare messages. */
export function encodeBatch(messages: readonly Message[]): Uint8Array<ArrayBuffer> {
  const encoder = new FrameEncoder(256);
  for (const message of messages) encoder.add(message);
  return encoder.finish();
}

/** Which end sent the bytes: a decoder accepts only the kinds that end may send. */
export type Sender = "client" | "server";

/**
 * The frames of one client batch, decoded without an object per frame: a client sends an input
 * and an ack 30 times a second, and the server reads them straight from these typed arrays. Only
 * a join, rare, is an object. Filled by {@linkcode FrameDecoder.decodeClientFrames}; reused from
 * batch to batch.
 */
export class ClientFrames {
  /** Numbers kept per frame in {@linkcode ClientFrames.fields}. */
  static readonly FIELDS_PER_FRAME = 6;
  /** Frames decoded. */
  count = 0;
  /** Per frame, its {@linkcode MessageKind}. */
  readonly kinds = new Uint8Array(LIMITS.maxFramesPerMessage);
  /**
   * Per frame, six numbers from `index × 6`: an input's sequence, client tick, buttons, aim
   * (radians), view tick and view alpha; an ack's tick; a ping's client time.
   */
  readonly fields = new Float64Array(LIMITS.maxFramesPerMessage * ClientFrames.FIELDS_PER_FRAME);
  /** Per frame, the join message of a join frame. */
  readonly joins: (JoinMessage | undefined)[] = [];

  /** Frame `index` as a message object (tests and rare paths). */
  message(index: number): ClientMessage {
    const kind = index < this.count ? this.kinds[index] ?? 0 : 0;
    const at = index * ClientFrames.FIELDS_PER_FRAME, fields = this.fields;
    switch (kind) {
      case MessageKind.INPUT:
        return {
          kind,
          sequence: fields[at] ?? 0,
          clientTick: fields[at + 1] ?? 0,
          buttons: fields[at + 2] ?? 0,
          aim: fields[at + 3] ?? 0,
          viewTick: fields[at + 4] ?? 0,
          viewAlpha: fields[at + 5] ?? 0,
        };
      case MessageKind.ACK:
        return { kind, tick: fields[at] ?? 0 };
      case MessageKind.PING:
        return { kind, clientTimeMs: fields[at] ?? 0 };
      case MessageKind.JOIN: {
        const join = this.joins[index];
        if (join !== undefined) return join;
      }
    }
    throw new RangeError(`Cannot read client frame ${index}: ${this.count} decoded`);
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
  readonly #reader = new ByteReader(EMPTY);
  #frames: ClientFrames | undefined;

  /** Decode a batch sent by a client. */
  decodeClientBatch(bytes: Uint8Array): ClientMessage[] {
    this.#frames ??= new ClientFrames();
    const frames = this.decodeClientFrames(bytes, this.#frames);
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
    while (reader.remaining > 0) {
      if (out.count === LIMITS.maxFramesPerMessage) throw tooManyFrames();
      this.#decodeClientFrame(reader, out, out.count);
      out.count++;
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

  #decodeClientFrame(reader: ByteReader, out: ClientFrames, index: number): void {
    const kind = readFrameHeader(reader, "client");
    const what = FRAME_NAMES[kind] ?? `${messageKindName(kind)} frame`;
    const at = index * ClientFrames.FIELDS_PER_FRAME, fields = out.fields;
    out.kinds[index] = kind;
    switch (kind) {
      case MessageKind.INPUT: {
        fields[at] = reader.readVarint(what);
        fields[at + 1] = reader.readVarint(what);
        fields[at + 2] = reader.readVarint(what);
        const aimSteps = unzigzag(reader.readVarint(what));
        if (Math.abs(aimSteps) > MAX_AIM_STEPS) {
          throw new FrameError(
            FrameErrorReason.BAD_FIELD,
            `Cannot decode ${what} aim: expected a finite number within ±${LIMITS.maxAimRadians}, got ${
              aimSteps / AIM_STEPS_PER_RADIAN
            }`,
          );
        }
        fields[at + 3] = aimSteps / AIM_STEPS_PER_RADIAN;
        fields[at + 4] = reader.readVarint(what);
        fields[at + 5] = reader.readByte(what);
        expectEmptyBody(reader, what);
        return;
      }
      case MessageKind.ACK:
        fields[at] = reader.readVarint(what);
        expectEmptyBody(reader, what);
        return;
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
        return;
      }
      case MessageKind.PING: {
        const body = expectTuple(this.#readClientBody(reader, what), `${what} body`, 1);
        fields[at] = expectFinite(body[0], `${what} time`, LIMITS.maxPingTimeMs);
        return;
      }
    }
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
