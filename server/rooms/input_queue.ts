import type { InputLayout } from "../../shared/protocol/input_schema.ts";
import type { PlayerInput } from "./game.ts";

/** Settings of an {@linkcode InputQueue}. */
export interface InputQueueOptions {
  /**
   * Most inputs held; more are dropped and counted.
   * @default 32
   */
  capacity?: number;
  /**
   * Most inputs banked for later ticks: a player earns one input per tick and spends one per input
   * applied, so a late burst catches up but nobody moves faster than one input per tick on average.
   * @default 4
   */
  maxCredit?: number;
  /**
   * Largest forward jump of the sequence number accepted; bigger jumps are stale-proofing attacks
   * or bugs and are refused.
   * @default 1024
   */
  maxSequenceGap?: number;
}

/** Numbers per queued input before the game's fields: sequence, view time. */
const SLOT_HEAD = 2;

/** What {@linkcode InputQueue.push} did with an input. */
export type PushResult = "queued" | "duplicate" | "overflow" | "gap";

/**
 * The sequenced inputs of one player. Each sequence number is applied exactly once and in order;
 * a duplicate or an older one is ignored. Inputs wait in fixed rings of numbers, so queueing
 * one allocates nothing.
 */
export class InputQueue {
  readonly #capacity: number;
  readonly #maxCredit: number;
  readonly #maxGap: number;
  /** Numbers per slot: {@linkcode SLOT_HEAD} plus one per game field. */
  readonly #slot: number;
  readonly #names: readonly string[];
  /** Per slot: sequence, view time, the game's fields. One array: a message touches a cold queue,
   * and each separate array would be another cache miss. */
  readonly #slots: Float64Array;
  #head = 0;
  #count = 0;
  readonly #taken: PlayerInput;
  /** Where the last taken input's slot starts. */
  #takenSlot = 0;
  readonly #takenValues: Float64Array;
  #lastQueuedSequence = 0;
  #lastAppliedSequence = 0;
  #credit = 0;
  /** Inputs refused as duplicates or stale. */
  duplicates = 0;
  /** Inputs dropped because the queue was full. */
  overflows = 0;

  /** @param layout the game's input fields; @param options capacity, credit and gap limits */
  constructor(layout: InputLayout, options: InputQueueOptions = {}) {
    this.#capacity = options.capacity ?? 32;
    this.#maxCredit = options.maxCredit ?? 4;
    this.#maxGap = options.maxSequenceGap ?? 1024;
    this.#names = layout.names;
    this.#slot = SLOT_HEAD + layout.count;
    this.#slots = new Float64Array(this.#capacity * this.#slot);
    this.#taken = { ...layout.createValues(), viewTime: 0 };
    this.#takenValues = new Float64Array(layout.count + 1);
  }

  /** Newest sequence applied, 0 before the first; reported back in every snapshot. */
  get lastAppliedSequence(): number {
    return this.#lastAppliedSequence;
  }

  /** Inputs waiting. */
  get length(): number {
    return this.#count;
  }

  /** Continue after `sequence`, e.g. when a player resumes a seat. */
  resumeAfter(sequence: number): void {
    this.#lastQueuedSequence = Math.max(this.#lastQueuedSequence, sequence);
    this.#lastAppliedSequence = Math.max(this.#lastAppliedSequence, sequence);
  }

  /**
   * Offer an input: its view time and its game fields `values[at …]`, one per declared field
   * (copied); see {@linkcode PushResult}.
   */
  push(sequence: number, viewTime: number, values: ArrayLike<number>, at = 0): PushResult {
    if (sequence <= this.#lastQueuedSequence) {
      this.duplicates++;
      return "duplicate";
    }
    if (sequence - this.#lastQueuedSequence > this.#maxGap) return "gap";
    if (this.#count >= this.#capacity) {
      this.overflows++;
      return "overflow";
    }
    this.#lastQueuedSequence = sequence;
    const slots = this.#slots, slot = ((this.#head + this.#count) % this.#capacity) * this.#slot;
    slots[slot] = sequence;
    slots[slot + 1] = viewTime;
    const count = this.#slot - SLOT_HEAD;
    for (let index = 0; index < count; index++) {
      slots[slot + SLOT_HEAD + index] = values[at + index] ?? 0;
    }
    this.#count++;
    return "queued";
  }

  /** Start a tick: earn one input of credit (up to the bank's limit). */
  earnCredit(): void {
    this.#credit = Math.min(this.#credit + 1, this.#maxCredit);
  }

  /**
   * The next input to apply this tick, oldest first, or `undefined` when the queue is empty or
   * the credit is spent. Taking it marks its sequence as applied. The object is reused: it is
   * valid until the next take.
   */
  take(): PlayerInput | undefined {
    if (this.#credit < 1 || this.#count === 0) return undefined;
    const slots = this.#slots, slot = this.#head * this.#slot;
    this.#takenSlot = slot;
    this.#head = (this.#head + 1) % this.#capacity;
    this.#count--;
    this.#credit--;
    // In range: slot + SLOT_HEAD + the field count is within the ring.
    this.#lastAppliedSequence = slots[slot]!;
    const taken = this.#taken, names = this.#names;
    taken.viewTime = slots[slot + 1]!;
    for (let index = 0; index < names.length; index++) {
      taken[names[index]!] = slots[slot + SLOT_HEAD + index]!;
    }
    return taken;
  }

  /**
   * The numbers of the input last taken, in a recording's order: the declared fields, then the
   * view time. The array is reused: it is valid until the next call.
   */
  takenValues(): Float64Array {
    const slots = this.#slots, slot = this.#takenSlot, values = this.#takenValues;
    const count = values.length - 1;
    for (let index = 0; index < count; index++) values[index] = slots[slot + SLOT_HEAD + index]!;
    values[count] = slots[slot + 1]!;
    return values;
  }
}
