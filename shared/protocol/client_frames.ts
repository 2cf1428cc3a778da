import { MAX_INPUT_FIELDS } from "./input_schema.ts";
import { MessageKind } from "./message_kind.ts";
import type { ClientMessage, CommandMessage, JoinMessage } from "./messages.ts";
import { LIMITS } from "./messages.ts";

/**
 * Where each number of a client frame sits among its {@linkcode ClientFrames.FIELDS_PER_FRAME}
 * slots of {@linkcode ClientFrames.fields}. Read them through the accessors of
 * {@linkcode ClientFrames}; the decoder writes them through these offsets.
 */
export const ClientFrameField = {
  /** An input's sequence number. */
  INPUT_SEQUENCE: 0,
  /** An input's client tick. */
  INPUT_CLIENT_TICK: 1,
  /** An input's view tick: the snapshot tick the player was looking at. */
  INPUT_VIEW_TICK: 2,
  /** An input's view alpha: how far past the view tick, in `VIEW_ALPHA_STEPS` steps. */
  INPUT_VIEW_ALPHA: 3,
  /** Where an input's game fields start, in the order of the game's input declaration. */
  INPUT_VALUES: 4,
  /** An ack's tick. */
  ACK_TICK: 0,
  /** A ping's client time, ms. */
  PING_CLIENT_TIME_MS: 0,
} as const;

/**
 * The frames of one client batch, decoded without an object per frame: a client sends an input
 * and an ack 30 times a second, and the server reads them straight from these typed arrays. Only
 * a join or a command, rare, is an object. Filled by `FrameDecoder.decodeClientFrames`; reused
 * from batch to batch. The accessors read frame `index` of the last batch, `index < count`, of
 * the kind they name (check {@linkcode ClientFrames.kinds} first).
 */
export class ClientFrames {
  /** Numbers kept per frame in {@linkcode ClientFrames.fields}: 4 + `MAX_INPUT_FIELDS`. */
  static readonly FIELDS_PER_FRAME = ClientFrameField.INPUT_VALUES + MAX_INPUT_FIELDS;
  /** Where an input's game fields start in its share of {@linkcode ClientFrames.fields}. */
  static readonly INPUT_VALUES_AT = ClientFrameField.INPUT_VALUES;
  /** Frames decoded. */
  count = 0;
  /** Per frame, its {@linkcode MessageKind}. */
  readonly kinds = new Uint8Array(LIMITS.maxFramesPerMessage);
  /**
   * Per frame, {@linkcode ClientFrames.FIELDS_PER_FRAME} numbers from `index × FIELDS_PER_FRAME`,
   * at the offsets of {@linkcode ClientFrameField}.
   */
  readonly fields = new Float64Array(LIMITS.maxFramesPerMessage * ClientFrames.FIELDS_PER_FRAME);
  /** Per frame, the join message of a join frame. */
  readonly joins: (JoinMessage | undefined)[] = [];
  /** Per frame, the command message of a command frame. */
  readonly commands: (CommandMessage | undefined)[] = [];
  /** Per frame, how many game fields an input frame carried. */
  readonly inputValueCounts = new Uint8Array(LIMITS.maxFramesPerMessage);
  /**
   * Whether the last frame is an input that could not be read because no game was joined yet
   * (its fields are the game's): decoding stopped there, and the receiver refuses it (4004).
   */
  stoppedAtUnjoinedInput = false;

  /** Input frame `index`'s sequence number. */
  inputSequence(index: number): number {
    return this.#field(index, ClientFrameField.INPUT_SEQUENCE);
  }

  /** Input frame `index`'s client tick. */
  inputClientTick(index: number): number {
    return this.#field(index, ClientFrameField.INPUT_CLIENT_TICK);
  }

  /** Input frame `index`'s view tick. */
  inputViewTick(index: number): number {
    return this.#field(index, ClientFrameField.INPUT_VIEW_TICK);
  }

  /** Input frame `index`'s view alpha, in `VIEW_ALPHA_STEPS` steps. */
  inputViewAlpha(index: number): number {
    return this.#field(index, ClientFrameField.INPUT_VIEW_ALPHA);
  }

  /**
   * Where input frame `index`'s game fields start in {@linkcode ClientFrames.fields}; there are
   * `inputValueCounts[index]` of them.
   */
  inputValuesAt(index: number): number {
    this.#check(index);
    return index * ClientFrames.FIELDS_PER_FRAME + ClientFrameField.INPUT_VALUES;
  }

  /** Ack frame `index`'s tick. */
  ackTick(index: number): number {
    return this.#field(index, ClientFrameField.ACK_TICK);
  }

  /** Ping frame `index`'s client time, ms. */
  pingClientTimeMs(index: number): number {
    return this.#field(index, ClientFrameField.PING_CLIENT_TIME_MS);
  }

  /** Frame `index` as a message object (tests and rare paths). */
  message(index: number): ClientMessage {
    const kind = index < this.count ? this.kinds[index] : 0;
    switch (kind) {
      case MessageKind.INPUT: {
        const at = this.inputValuesAt(index);
        return {
          kind,
          sequence: this.inputSequence(index),
          clientTick: this.inputClientTick(index),
          viewTick: this.inputViewTick(index),
          viewAlpha: this.inputViewAlpha(index),
          values: Array.from(this.fields.subarray(at, at + this.inputValueCounts[index]!)),
        };
      }
      case MessageKind.ACK:
        return { kind, tick: this.ackTick(index) };
      case MessageKind.PING:
        return { kind, clientTimeMs: this.pingClientTimeMs(index) };
      case MessageKind.JOIN: {
        const join = this.joins[index];
        if (join !== undefined) return join;
        break;
      }
      case MessageKind.COMMAND: {
        const command = this.commands[index];
        if (command !== undefined) return command;
      }
    }
    throw new RangeError(`Cannot read client frame ${index}: ${this.count} decoded`);
  }

  #check(index: number): void {
    if (!(index >= 0 && index < this.count)) {
      throw new RangeError(`Cannot read client frame ${index}: ${this.count} decoded`);
    }
  }

  #field(index: number, offset: number): number {
    this.#check(index);
    // In range: index < count <= maxFramesPerMessage, and offset < FIELDS_PER_FRAME.
    return this.fields[index * ClientFrames.FIELDS_PER_FRAME + offset]!;
  }
}
