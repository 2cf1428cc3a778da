/**
 * Longest a seated client's pong waits for its room's next message before it is sent alone; a
 * room sending every tick at 30 Hz carries it within 34 ms.
 */
export const MAX_PONG_HOLD_MS = 100;

/** A connection holding a pong for its room's next message. */
export interface PongHolder {
  /** When the held ping arrived, in `performance.now()` milliseconds. */
  readonly heldPingAtMs: number;
  /** Send the held pong in a message of its own, now. */
  sendHeldPong(): void;
}

/**
 * The pongs the server holds for the rooms' next messages, and the one timer that sends alone
 * those held too long. One timer for the server, armed for the oldest hold while any is held and
 * not cleared on a release, rather than one set and cleared per ping: in Deno a `setTimeout` costs
 * about 4.6 µs and a `clearTimeout` 0.6 µs (20,000 in a row), a seventh of what a whole snapshot
 * costs the server.
 */
export class PongHolds {
  readonly #maxHoldMs: number;
  readonly #holders = new Set<PongHolder>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param maxHoldMs how long a pong may wait for its room */
  constructor(maxHoldMs = MAX_PONG_HOLD_MS) {
    this.#maxHoldMs = maxHoldMs;
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
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(oldestAtMs: number): void {
    const delayMs = oldestAtMs + this.#maxHoldMs - performance.now();
    // Rounded up: Deno's timers count whole milliseconds and could fire just before it is due.
    this.#timer = setTimeout(() => this.#sendOverdue(), Math.max(0, Math.ceil(delayMs)));
  }

  #sendOverdue(): void {
    this.#timer = undefined;
    const nowMs = performance.now();
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
