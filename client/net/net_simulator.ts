/** Network conditions the {@linkcode NetSimulator} adds on top of the real network. */
export interface NetConditions {
  /** Extra one-way delay, ms. */
  latencyMs: number;
  /** Extra random delay on top, uniform in 0..jitterMs. */
  jitterMs: number;
  /** Share of lossy messages (inputs out, snapshots in) dropped, 0..100. */
  lossPercent: number;
}

/** Settings of a {@linkcode NetSimulator}; tests replace the clock, timers and randomness. */
export interface NetSimulatorOptions {
  /**
   * Local clock, ms.
   * @default performance.now
   */
  clock?: () => number;
  /**
   * Uniform random numbers in [0, 1).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Runs `callback` after `delayMs`; returns a function that cancels it.
   * @default setTimeout and clearTimeout
   */
  schedule?: Schedule;
}

/** Runs `callback` after `delayMs`; the returned function cancels it. */
export type Schedule = (callback: () => void, delayMs: number) => () => void;

function scheduleWithTimeout(callback: () => void, delayMs: number): () => void {
  const timer = setTimeout(callback, delayMs);
  return () => clearTimeout(timer);
}

/** A message on its way through one direction of the simulated network. */
interface InFlight {
  dueMs: number;
  deliver: (atMs: number) => void;
}

/**
 * A client-side network condition simulator, so a developer can watch prediction and
 * interpolation cope with a bad network on localhost: it delays and drops what the client sends
 * and what it receives. Each direction keeps its order (a WebSocket never reorders, it stalls),
 * so jitter shows up as bunching, as it does on a real connection. With all conditions at 0 it
 * passes everything through at once.
 *
 * @example Usage
 * ```ts
 * import { NetSimulator } from "./net_simulator.ts";
 * import assert from "node:assert/strict";
 *
 * const simulator = new NetSimulator();
 * let delivered = 0;
 * simulator.send(true, () => delivered++);
 * assert.equal(delivered, 1);
 * simulator.clear();
 * ```
 */
export class NetSimulator {
  /** Current conditions; change them at any time. */
  conditions: NetConditions = { latencyMs: 0, jitterMs: 0, lossPercent: 0 };
  /** Messages dropped so far, both directions. */
  dropped = 0;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #outgoing: Lane;
  readonly #incoming: Lane;

  /** @param options clock, timers and randomness */
  constructor(options: NetSimulatorOptions = {}) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#random = options.random ?? Math.random;
    const schedule = options.schedule ?? scheduleWithTimeout;
    this.#outgoing = new Lane(this.#clock, schedule);
    this.#incoming = new Lane(this.#clock, schedule);
  }

  /** Whether any condition is set. */
  get active(): boolean {
    const { latencyMs, jitterMs, lossPercent } = this.conditions;
    return latencyMs > 0 || jitterMs > 0 || lossPercent > 0;
  }

  /**
   * Pass something the client sends; `deliver` does the real send, now or later.
   * @param lossy whether it may be dropped (inputs may; pings and joins may not)
   */
  send(lossy: boolean, deliver: (atMs: number) => void): void {
    this.#pass(this.#outgoing, lossy, this.#clock(), deliver);
  }

  /**
   * Pass something the client received at `receivedAtMs`; `deliver` gets the time it is
   * handed over (the real arrival time when nothing is simulated).
   * @param lossy whether it may be dropped (snapshots may; events and pongs may not)
   */
  receive(lossy: boolean, receivedAtMs: number, deliver: (atMs: number) => void): void {
    this.#pass(this.#incoming, lossy, receivedAtMs, deliver);
  }

  /** Drop everything in flight and cancel the timers, e.g. when the connection ends. */
  clear(): void {
    this.#outgoing.clear();
    this.#incoming.clear();
  }

  #pass(lane: Lane, lossy: boolean, atMs: number, deliver: (atMs: number) => void): void {
    const { latencyMs, jitterMs, lossPercent } = this.conditions;
    if (lossy && lossPercent > 0 && this.#random() * 100 < lossPercent) {
      this.dropped++;
      return;
    }
    if (latencyMs <= 0 && jitterMs <= 0 && lane.empty) {
      deliver(atMs);
      return;
    }
    lane.add(this.#clock() + latencyMs + this.#random() * jitterMs, deliver);
  }
}

/** One direction: messages leave in the order they came, none before its due time. */
class Lane {
  readonly #queue: InFlight[] = [];
  readonly #clock: () => number;
  readonly #schedule: Schedule;
  #cancel: (() => void) | undefined;
  #lastDueMs = Number.NEGATIVE_INFINITY;

  constructor(clock: () => number, schedule: Schedule) {
    this.#clock = clock;
    this.#schedule = schedule;
  }

  get empty(): boolean {
    return this.#queue.length === 0;
  }

  add(dueMs: number, deliver: (atMs: number) => void): void {
    // Not before the one ahead of it: a later message never overtakes an earlier one.
    this.#lastDueMs = Math.max(dueMs, this.#lastDueMs);
    this.#queue.push({ dueMs: this.#lastDueMs, deliver });
    if (this.#cancel === undefined) this.#arm();
  }

  clear(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#queue.length = 0;
    this.#lastDueMs = Number.NEGATIVE_INFINITY;
  }

  #arm(): void {
    const head = this.#queue[0];
    if (head === undefined) return;
    this.#cancel = this.#schedule(() => this.#flush(), Math.max(0, head.dueMs - this.#clock()));
  }

  #flush(): void {
    this.#cancel = undefined;
    const nowMs = this.#clock();
    while (true) {
      const head = this.#queue[0];
      if (head === undefined || head.dueMs > nowMs) break;
      this.#queue.shift();
      head.deliver(nowMs);
    }
    this.#arm();
  }
}
