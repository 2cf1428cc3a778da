import type { Packr } from "msgpackr";
import { EMPTY_BYTES } from "./_frame.ts";
import { createBodyPackr } from "./body.ts";
import { ByteWriter } from "./bytes.ts";
import type { InputLayout } from "./input_schema.ts";
import { MessageKind } from "./message_kind.ts";
import type { Message, SnapshotMessage } from "./messages.ts";
import { PROTOCOL_VERSION, VIEW_ALPHA_STEPS } from "./messages.ts";
import {
  binHeaderSize,
  MSGPACK_NIL,
  SNAPSHOT_RECORD_BYTE,
  writeBinHeader,
} from "./snapshot_body.ts";

/**
 * Writes frames into one batch (one WebSocket message). The encoder keeps its buffers between
 * batches, so a long-lived encoder allocates only the bytes it hands out.
 */
export class FrameEncoder {
  readonly #batch: ByteWriter;
  readonly #packr: Packr = createBodyPackr();
  #frames = 0;
  /** The game's input fields, needed to encode an input frame (a client sets its game's). */
  inputLayout: InputLayout | undefined;

  /**
   * @param initialBytes starting size of the batch buffer
   * @param inputLayout the game's input fields, for input frames
   */
  constructor(initialBytes = 4096, inputLayout?: InputLayout) {
    this.#batch = new ByteWriter(initialBytes);
    this.inputLayout = inputLayout;
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
   * byte for byte as msgpackr writes it (see `snapshot_body.ts`: the record byte, a `bin` header
   * and the entity bytes, then `global` already packed by {@linkcode FrameEncoder.packGlobal}).
   * The room's per-client path uses this.
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
    this.#writeSnapshotHeader(tick, baselineTick, lastInputSequence);
    batch.writeVarint(1 + binHeaderSize(length) + length + packedGlobal.length);
    batch.writeByte(SNAPSHOT_RECORD_BYTE);
    writeBinHeader(batch, length);
    batch.writeBytes(entities);
    batch.writeBytes(packedGlobal);
    this.#frames++;
  }

  /** The msgpack of a snapshot's `global` (nil for `null`), for {@linkcode FrameEncoder.addSnapshotParts}. */
  packGlobal(global: readonly number[] | null): Uint8Array {
    return global === null ? MSGPACK_NIL : this.#packr.pack(global);
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
        const layout = this.inputLayout;
        if (layout === undefined) {
          throw new RangeError("Cannot encode input: the encoder has no input layout");
        }
        this.#batch.writeVarint(message.sequence);
        this.#batch.writeVarint(message.clientTick);
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
        layout.write(this.#batch, message.values);
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
        return EMPTY_BYTES;
      case MessageKind.PING:
        return this.#packr.pack([message.clientTimeMs]);
      case MessageKind.COMMAND:
        return this.#packr.pack([message.name, ...message.args]);
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

/**
 * Encode messages as one batch; a convenience for tests and rare messages. Input frames need the
 * game's `inputLayout`.
 */
export function encodeBatch(
  messages: readonly Message[],
  inputLayout?: InputLayout,
): Uint8Array<ArrayBuffer> {
  const encoder = new FrameEncoder(256, inputLayout);
  for (const message of messages) encoder.add(message);
  return encoder.finish();
}
