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

/** Numbers per queued input: sequence, buttons, aim, view time. */
const SLOT = 4;

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
  /** Per slot: sequence, buttons, aim, view time. One array: a message touches a cold queue, and each
   * separate array would be another cache miss. */
  readonly #slots: Float64Array;
  #head = 0;
  #count = 0;
  readonly #taken: PlayerInput = { buttons: 0, aim: 0, viewTime: 0 };
  #lastQueuedSequence = 0;
  #lastAppliedSequence = 0;
  #credit = 0;
  /** Inputs refused as duplicates or stale. */
  duplicates = 0;
  /** Inputs dropped because the queue was full. */
  overflows = 0;

  /** @param options capacity, credit and gap limits */
  constructor(options: InputQueueOptions = {}) {
    this.#capacity = options.capacity ?? 32;
    this.#maxCredit = options.maxCredit ?? 4;
    this.#maxGap = options.maxSequenceGap ?? 1024;
    this.#slots = new Float64Array(this.#capacity * SLOT);
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

  /** Offer an input (its fields are copied); see {@linkcode PushResult}. */
  push(sequence: number, input: PlayerInput): PushResult {
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
    const at = ((this.#head + this.#count) % this.#capacity) * SLOT;
    this.#slots[at] = sequence;
    this.#slots[at + 1] = input.buttons;
    this.#slots[at + 2] = input.aim;
    this.#slots[at + 3] = input.viewTime ?? 0;
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
    const at = this.#head * SLOT;
    this.#head = (this.#head + 1) % this.#capacity;
    this.#count--;
    this.#credit--;
    this.#lastAppliedSequence = this.#slots[at] ?? 0;
    const taken = this.#taken;
    taken.buttons = this.#slots[at + 1] ?? 0;
    taken.aim = this.#slots[at + 2] ?? 0;
    taken.viewTime = this.#slots[at + 3] ?? 0;
    return taken;
  }
}
