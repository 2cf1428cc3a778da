/**
 * How a game predicts its own player: make a body from the player's snapshot row, and move it
 * by one input with the game's shared rules (the same function the server runs).
 */
export interface PredictionModel<Input, Body extends { x: number; y: number }> {
  /** The player's body as the server sent it (its snapshot row, columns by the welcome). */
  fromRow(row: readonly number[]): Body;
  /** Advance `body` by one input for `dtMs`, with the game's rules. */
  move(body: Body, input: Input, dtMs: number): void;
}

/** Settings of a {@linkcode Prediction}. */
export interface PredictionOptions {
  /**
   * A correction longer than this (world units) snaps instead of fading out.
   * @default 100
   */
  snapDistance?: number;
  /**
   * Time constant of the fade of a correction, ms.
   * @default 50
   */
  smoothingMs?: number;
  /**
   * Most unacknowledged inputs kept.
   * @default 256
   */
  maxPendingInputs?: number;
}

/**
 * Own-player prediction for any game: each input moves the predicted body at once; each
 * snapshot resets it to the server's body and replays the inputs the server has not applied yet
 * (reconciliation), and a small difference fades out instead of jumping.
 *
 * @example Usage
 * ```ts
 * import { Prediction } from "./prediction.ts";
 * import assert from "node:assert/strict";
 *
 * const walk = {
 *   fromRow: (row: readonly number[]) => ({ x: row[1] ?? 0, y: 0 }),
 *   move: (body: { x: number; y: number }, dx: number) => { body.x += dx; },
 * };
 * const prediction = new Prediction(walk, 1000 / 30);
 * prediction.reconcile([7, 0], 0, 0);
 * prediction.addInput(1, 5);
 * prediction.addInput(2, 5);
 * assert.equal(prediction.body?.x, 10);
 * // The server applied input 1 and put us at 5: input 2 is replayed on top.
 * prediction.reconcile([7, 5], 1, 0);
 * assert.equal(prediction.body?.x, 10);
 * ```
 */
export class Prediction<Input, Body extends { x: number; y: number }> {
  /** The predicted body, `undefined` before the first snapshot. */
  body: Body | undefined;
  /** Length of the newest correction, world units. */
  lastCorrection = 0;
  readonly #model: PredictionModel<Input, Body>;
  readonly #tickIntervalMs: number;
  readonly #snapDistance: number;
  readonly #smoothingMs: number;
  readonly #maxPending: number;
  readonly #pending: { sequence: number; input: Input }[] = [];
  #offsetX = 0;
  #offsetY = 0;
  #offsetAtMs = 0;

  /** @param model the game's rules; @param tickIntervalMs one input's step */
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

  /** Record input `sequence` (a copy is kept) and move the predicted body by it. */
  addInput(sequence: number, input: Input): void {
    const copy = typeof input === "object" && input !== null ? { ...input } : input;
    this.#pending.push({ sequence, input: copy });
    if (this.#pending.length > this.#maxPending) this.#pending.shift();
    if (this.body !== undefined) this.#model.move(this.body, input, this.#tickIntervalMs);
  }

  /**
   * Reset to the server's body (`row`) and replay the inputs after `lastInputSequence`;
   * returns the correction's length.
   */
  reconcile(row: readonly number[], lastInputSequence: number, nowMs: number): number {
    while (this.#pending.length > 0 && (this.#pending[0]?.sequence ?? 0) <= lastInputSequence) {
      this.#pending.shift();
    }
    const before = this.body === undefined ? undefined : this.renderPosition(nowMs);
    const body = this.#model.fromRow(row);
    for (const { input } of this.#pending) this.#model.move(body, input, this.#tickIntervalMs);
    this.body = body;
    if (before === undefined) return 0;
    const dx = before.x - body.x, dy = before.y - body.y;
    const correction = Math.hypot(dx, dy);
    this.lastCorrection = correction;
    if (correction > this.#snapDistance) {
      this.#offsetX = this.#offsetY = 0;
    } else {
      this.#offsetX = dx;
      this.#offsetY = dy;
      this.#offsetAtMs = nowMs;
    }
    return correction;
  }

  /** Where to draw the body: the prediction plus what is left of the last correction's fade. */
  renderPosition(nowMs: number): { x: number; y: number } {
    const body = this.body;
    if (body === undefined) return { x: 0, y: 0 };
    const fade = Math.exp(-Math.max(0, nowMs - this.#offsetAtMs) / this.#smoothingMs);
    return { x: body.x + this.#offsetX * fade, y: body.y + this.#offsetY * fade };
  }

  /** Forget everything (a new connection). */
  reset(): void {
    this.body = undefined;
    this.#pending.length = 0;
    this.#offsetX = this.#offsetY = 0;
  }
}
