import { type Clock, realClock, type TimerHandle } from "../tick/clock.ts";

/**
 * Longest a seated client's pong waits for its room's next message before it is sent alone; a
 * room sending every tick at 30 Hz carries it within 34 ms.
 */
export const MAX_PONG_HOLD_MS = 100;

/** A connection holding a pong for its room's next message. */
export interface PongHolder {
  /** When the held ping arrived, in the milliseconds of the holds' clock. */
  readonly heldPingAtMs: number;
  /** Send the held pong in a message of its own, now. */
  sendHeldPong(): void;
}

/**
 * The pongs the server holds for the rooms' next messages, and the one timer that sends alone
 * those held too long. One timer for the server, armed for the oldest hold while any is held and
 * not cleared on a release, rather than one set and cleared per ping: in Deno a `setTimeout` costs
 * about 4.6 µs and a `clearTimeout` 0.6 µs (`deno bench tests/bench/timers_bench.ts`, 20,000 in
 * a row on an idle machine; 6.0 and 0.8 µs on a loaded one), a seventh of what a whole snapshot
 * costs the server.
 */
export class PongHolds {
  readonly #maxHoldMs: number;
  readonly #clock: Clock;
  readonly #holders = new Set<PongHolder>();
  #timer: TimerHandle | undefined;

  /** @param options how long a pong may wait, and the clock that times it */
  constructor(options: PongHoldsOptions = {}) {
    this.#maxHoldMs = options.maxHoldMs ?? MAX_PONG_HOLD_MS;
    this.#clock = options.clock ?? realClock;
  }

  /** Pongs held now. */
  get size(): number {
    return this.#holders.size;
  }

  /** Start holding `holder`'s pong (it has just set `heldPingAtMs`). */
  hold(holder: PongHolder): void {
    this.#holders.add(holder);
    if (this.#timer === undefined) this.#arm(holder.heldPingAtMs);
  }

  /**
   * `holder`'s pong left with its room's message, or its connection closed. The timer stays: it
   * fires at most once more and finds nothing to do, which is cheaper than clearing it.
   */
  release(holder: PongHolder): void {
    this.#holders.delete(holder);
  }

  /** Forget every hold and stop the timer (the server is shutting down). */
  stop(): void {
    this.#holders.clear();
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm(oldestAtMs: number): void {
    const delayMs = oldestAtMs + this.#maxHoldMs - this.#clock.now();
    // The real clock rounds up to whole milliseconds, so the timer never fires before it is due.
    this.#timer = this.#clock.setTimer(() => this.#sendOverdue(), Math.max(0, delayMs));
  }

  #sendOverdue(): void {
    this.#timer = undefined;
    const nowMs = this.#clock.now();
    let oldestAtMs = Infinity;
    for (const holder of this.#holders) {
      const atMs = holder.heldPingAtMs;
      if (nowMs - atMs >= this.#maxHoldMs) {
        this.#holders.delete(holder);
        holder.sendHeldPong();
      } else if (atMs < oldestAtMs) oldestAtMs = atMs;
    }
    if (oldestAtMs !== Infinity) this.#arm(oldestAtMs);
  }
}

/** Settings of {@linkcode PongHolds}. */
export interface PongHoldsOptions {
  /**
   * How long a pong may wait for its room's next message.
   * @default 100
   */
  maxHoldMs?: number;
  /**
   * The clock that times the holds; `heldPingAtMs` must be read from it.
   * @default realClock
   */
  clock?: Clock;
}
