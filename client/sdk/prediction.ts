/** A point in world units. */
export interface Point {
  x: number;
  y: number;
}

/**
 * Finds a snapshot column by name in the welcome's entity fields, so a game's client keeps
 * working when the server adds or reorders columns (e.g. the runtime's derived velocities).
 * @throws {RangeError} when the server sends no such column
 */
export type ColumnLookup = (name: string) => number;

/**
 * How a game predicts its own player: make a body from the player's snapshot row, and move it
 * by one input with the game's shared rules (the same function the server runs, so the client
 * and the server agree bit for bit).
 */
export interface PredictionModel<Input, Body extends Point> {
  /** A fresh body from the player's snapshot row; `column` finds a field's index by name. */
  fromRow(row: readonly number[], column: ColumnLookup): Body;
  /** Advance `body` by one input for `dtMs`, with the game's rules. */
  move(body: Body, input: Input, dtMs: number): void;
}

/** Settings of a {@linkcode Prediction}. */
export interface PredictionOptions {
  /**
   * A correction longer than this (world units) is snapped, not smoothed: a respawn or a long
   * lag spike would otherwise slide the player across the map.
   * @default 100
   */
  snapDistance?: number;
  /**
   * Time constant of the exponential decay of a smoothed correction, ms; after three of these
   * 95% of it is gone.
   * @default 50
   */
  smoothingMs?: number;
  /**
   * Most unacknowledged inputs kept; older ones are forgotten, so a server that stops answering
   * cannot grow the list without bound.
   * @default 256
   */
  maxPendingInputs?: number;
}

/** An input sent but not yet reported applied by the server. */
export interface PendingInput<Input> {
  sequence: number;
  input: Input;
}

/**
 * Own-player prediction and server reconciliation for any game. Each local input moves the
 * predicted body at once with the game's shared move function for one tick, exactly as the
 * server will; each snapshot resets it to the server's body and replays the inputs the server has
 * not applied yet. The gap between the old and the new prediction is drawn away over a few frames
 * (or snapped when large), so the player never visibly jumps.
 *
 * @example Usage
 * ```ts
 * import { Prediction } from "./prediction.ts";
 * import assert from "node:assert/strict";
 *
 * // A game whose input is a step along x.
 * const walk = {
 *   fromRow: (row: readonly number[]) => ({ x: row[1]!, y: 0 }),
 *   move: (body: { x: number; y: number }, dx: number) => {
 *     body.x += dx;
 *   },
 * };
 * const prediction = new Prediction(walk, 1000 / 30);
 * prediction.reconcile({ x: 0, y: 0 }, 0, 0);
 * prediction.addInput(1, 5, 0);
 * prediction.addInput(2, 5, 0);
 * assert.equal(prediction.position.x, 10);
 * // The server applied input 1 and put us at 5: input 2 is replayed on top.
 * prediction.reconcile({ x: 5, y: 0 }, 1, 0);
 * assert.equal(prediction.position.x, 10);
 * assert.equal(prediction.lastCorrection, 0);
 * ```
 */
export class Prediction<Input, Body extends Point> {
  /** When false, inputs are still recorded but the body only moves with the server. */
  enabled = true;
  /** Length of the newest reconciliation correction, world units (0 when none was needed). */
  lastCorrection = 0;
  /** Whether the newest correction was snapped rather than smoothed. */
  lastCorrectionSnapped = false;
  readonly #model: PredictionModel<Input, Body>;
  readonly #tickIntervalMs: number;
  readonly #snapDistance: number;
  readonly #smoothingMs: number;
  readonly #maxPending: number;
  readonly #pending: PendingInput<Input>[] = [];
  #body: Body | undefined;
  #peakCorrection = 0;
  #previousX = 0;
  #previousY = 0;
  #lastInputAtMs = Number.NEGATIVE_INFINITY;
  #offsetX = 0;
  #offsetY = 0;
  #offsetAtMs = 0;

  /**
   * @param model the game's rules
   * @param tickIntervalMs one input's duration, 1000 / the welcome's tickRateHz
   */
  constructor(
    model: PredictionModel<Input, Body>,
    tickIntervalMs: number,
    options: PredictionOptions = {},
  ) {
    this.#model = model;
    this.#tickIntervalMs = tickIntervalMs;
    this.#snapDistance = options.snapDistance ?? 100;
    this.#smoothingMs = options.smoothingMs ?? 50;
    this.#maxPending = options.maxPendingInputs ?? 256;
  }

  /** The predicted body after the newest input, or `undefined` before the first snapshot. */
  get body(): Body | undefined {
    return this.#body;
  }

  /** Whether a snapshot has given the body a position yet. */
  get hasState(): boolean {
    return this.#body !== undefined;
  }

  /** The predicted position after the newest input, without smoothing; NaN before any state. */
  get position(): Point {
    const body = this.#body;
    return body === undefined ? { x: Number.NaN, y: Number.NaN } : { x: body.x, y: body.y };
  }

  /** Inputs the server has not reported applied yet, oldest first. */
  get pendingInputs(): readonly PendingInput<Input>[] {
    return this.#pending;
  }

  /** Forget everything, e.g. after a reconnect (which gives a new player). */
  reset(): void {
    this.#pending.length = 0;
    this.#body = undefined;
    this.#offsetX = 0;
    this.#offsetY = 0;
    this.lastCorrection = 0;
    this.lastCorrectionSnapped = false;
    this.#lastInputAtMs = Number.NEGATIVE_INFINITY;
  }

  /**
   * The longest correction since the previous call, world units: a HUD that redraws a few times
   * a second would otherwise show only whichever correction came last.
   */
  takePeakCorrection(): number {
    const peak = this.#peakCorrection;
    this.#peakCorrection = 0;
    return peak;
  }

  /**
   * Record the input sent as `sequence` (a shallow copy is kept, so the caller may reuse its
   * object) and, if enabled, apply it at once.
   * @param tickTimeMs the input's scheduled time on the client's regular tick grid; the drawn
   * position moves from the previous input's result to this one's over the tick after it
   */
  addInput(sequence: number, input: Input, tickTimeMs: number): void {
    const kept = typeof input === "object" && input !== null ? { ...input } : input;
    this.#pending.push({ sequence, input: kept });
    if (this.#pending.length > this.#maxPending) this.#pending.shift();
    const body = this.#body;
    if (body === undefined) return;
    this.#previousX = body.x;
    this.#previousY = body.y;
    this.#lastInputAtMs = tickTimeMs;
    if (this.enabled) this.#model.move(body, kept, this.#tickIntervalMs);
  }

  /**
   * Take the server's body (it becomes the prediction's own) and the newest input sequence the
   * server applied: drop the inputs it has applied, replay the rest on its body, and smooth or
   * snap the difference.
   * @returns the length of the correction, world units
   */
  reconcile(server: Body, lastInputSequence: number, nowMs: number): number {
    const pending = this.#pending;
    let acked = 0;
    while (acked < pending.length && pending[acked]!.sequence <= lastInputSequence) acked++;
    pending.splice(0, acked);
    const old = this.#body;
    if (this.enabled) {
      for (const { input } of pending) this.#model.move(server, input, this.#tickIntervalMs);
    }
    this.#body = server;
    if (old === undefined) {
      this.#previousX = server.x;
      this.#previousY = server.y;
      this.lastCorrection = 0;
      return 0;
    }
    const correctionX = old.x - server.x;
    const correctionY = old.y - server.y;
    const distance = Math.sqrt(correctionX * correctionX + correctionY * correctionY);
    this.lastCorrection = this.enabled ? distance : 0;
    if (this.lastCorrection > this.#peakCorrection) this.#peakCorrection = this.lastCorrection;
    if (distance > this.#snapDistance || !this.enabled) {
      this.lastCorrectionSnapped = distance > this.#snapDistance;
      this.#offsetX = 0;
      this.#offsetY = 0;
      this.#previousX = server.x;
      this.#previousY = server.y;
      return distance;
    }
    this.lastCorrectionSnapped = false;
    // Move the render blend's start with the prediction and carry the difference in the
    // decaying offset, so the drawn position is continuous across the correction.
    this.#previousX -= correctionX;
    this.#previousY -= correctionY;
    const decay = this.#decay(nowMs);
    this.#offsetX = this.#offsetX * decay + correctionX;
    this.#offsetY = this.#offsetY * decay + correctionY;
    this.#offsetAtMs = nowMs;
    return distance;
  }

  /**
   * Where to draw the body at `nowMs`: blended from the position before the newest input to the
   * one after it over the tick that starts at the input's scheduled time (inputs come at the
   * server's tick rate, frames at 60 Hz or more), plus what is left of the smoothed correction.
   * NaN before any state.
   */
  renderPosition(nowMs: number): Point {
    const body = this.#body;
    if (body === undefined) return { x: Number.NaN, y: Number.NaN };
    const elapsed = (nowMs - this.#lastInputAtMs) / this.#tickIntervalMs;
    const alpha = elapsed >= 1 ? 1 : elapsed <= 0 ? 0 : elapsed;
    const decay = this.#decay(nowMs);
    return {
      x: this.#previousX + (body.x - this.#previousX) * alpha + this.#offsetX * decay,
      y: this.#previousY + (body.y - this.#previousY) * alpha + this.#offsetY * decay,
    };
  }

  #decay(nowMs: number): number {
    if (this.#offsetX === 0 && this.#offsetY === 0) return 0;
    const elapsed = nowMs - this.#offsetAtMs;
    return elapsed <= 0 ? 1 : Math.exp(-elapsed / this.#smoothingMs);
  }
}
