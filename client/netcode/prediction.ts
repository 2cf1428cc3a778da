import {
  type ArenaInput,
  type ArenaPlayer,
  movePlayer,
  newPlayer,
  sanitizeInput,
} from "../../shared/game/arena/mod.ts";

/** Settings of an {@linkcode OwnPlayerPrediction}. */
export interface OwnPlayerPredictionOptions {
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

/** The server's row for our player, the fields reconciliation needs. */
export interface AuthoritativePlayer {
  x: number;
  y: number;
  angle: number;
  hp: number;
}

/** An input sent but not yet reported applied by the server. */
export interface PendingInput {
  sequence: number;
  input: ArenaInput;
}

/** A point in world units. */
export interface Point {
  x: number;
  y: number;
}

/**
 * Client-side prediction and server reconciliation of the own player. Each local input moves the
 * predicted player at once with the shared {@linkcode movePlayer} for one tick, exactly as the
 * server will; each snapshot resets it to the server's row and replays the inputs the server has
 * not applied yet. The gap between the old and the new prediction is drawn away over a few frames
 * (or snapped when large), so the player never visibly jumps.
 *
 * @example Usage
 * ```ts
 * import { OwnPlayerPrediction } from "./prediction.ts";
 * import { Buttons } from "../../shared/game/arena/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const prediction = new OwnPlayerPrediction(1000 / 30);
 * prediction.reconcile({ x: 100, y: 100, angle: 0, hp: 100 }, 0, 0);
 * prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 0);
 * assert.ok(prediction.position.x > 100);
 * ```
 */
export class OwnPlayerPrediction {
  /** When false, inputs are still recorded but the player only moves with the server. */
  enabled = true;
  /** Length of the newest reconciliation correction, world units (0 when none was needed). */
  lastCorrection = 0;
  /** Whether the newest correction was snapped rather than smoothed. */
  lastCorrectionSnapped = false;
  #peakCorrection = 0;
  readonly #tickIntervalMs: number;
  readonly #snapDistance: number;
  readonly #smoothingMs: number;
  readonly #maxPending: number;
  readonly #pending: PendingInput[] = [];
  // A full ArenaPlayer so the shared movePlayer can run on it unchanged.
  readonly #player: ArenaPlayer = newPlayer(0, "");
  #hasState = false;
  #previousX = 0;
  #previousY = 0;
  #lastInputAtMs = Number.NEGATIVE_INFINITY;
  #offsetX = 0;
  #offsetY = 0;
  #offsetAtMs = 0;

  /** @param tickIntervalMs one input's duration, 1000 / the welcome's tickRateHz */
  constructor(tickIntervalMs: number, options: OwnPlayerPredictionOptions = {}) {
    this.#tickIntervalMs = tickIntervalMs;
    this.#snapDistance = options.snapDistance ?? 100;
    this.#smoothingMs = options.smoothingMs ?? 50;
    this.#maxPending = options.maxPendingInputs ?? 256;
  }

  /** Whether a snapshot has given the player a position yet. */
  get hasState(): boolean {
    return this.#hasState;
  }

  /** Whether the player is alive (hp above 0); a dead player is not predicted. */
  get alive(): boolean {
    return this.#player.hp > 0;
  }

  /** The predicted position after the newest input, without smoothing. */
  get position(): Point {
    return { x: this.#player.x, y: this.#player.y };
  }

  /** Inputs the server has not reported applied yet, oldest first. */
  get pendingInputs(): readonly PendingInput[] {
    return this.#pending;
  }

  /** Forget everything, e.g. after a reconnect (which gives a new player). */
  reset(): void {
    this.#pending.length = 0;
    this.#hasState = false;
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
   * Record the input sent as `sequence` and, if enabled, apply it at once.
   * @param tickTimeMs the input's scheduled time on the client's regular tick grid; the drawn
   * position moves from the previous input's result to this one's over the tick after it
   */
  addInput(sequence: number, input: ArenaInput, tickTimeMs: number): void {
    const clean = sanitizeInput(input);
    this.#pending.push({ sequence, input: clean });
    if (this.#pending.length > this.#maxPending) this.#pending.shift();
    if (!this.#hasState) return;
    this.#previousX = this.#player.x;
    this.#previousY = this.#player.y;
    this.#lastInputAtMs = tickTimeMs;
    if (this.enabled) movePlayer(this.#player, clean, this.#tickIntervalMs);
  }

  /**
   * Take the server's row and the newest input sequence it applied: drop the inputs it has
   * applied, replay the rest on its position, and smooth or snap the difference.
   * @returns the length of the correction, world units
   */
  reconcile(server: AuthoritativePlayer, lastInputSequence: number, nowMs: number): number {
    let acked = 0;
    while (
      acked < this.#pending.length && (this.#pending[acked]?.sequence ?? 0) <= lastInputSequence
    ) {
      acked++;
    }
    this.#pending.splice(0, acked);
    const player = this.#player;
    const oldX = player.x;
    const oldY = player.y;
    player.x = server.x;
    player.y = server.y;
    player.angle = server.angle;
    player.hp = server.hp;
    if (this.enabled) {
      // movePlayer leaves a dead player where it is, so a dead player is never predicted.
      for (const pending of this.#pending) movePlayer(player, pending.input, this.#tickIntervalMs);
    }
    if (!this.#hasState) {
      this.#hasState = true;
      this.#previousX = player.x;
      this.#previousY = player.y;
      this.lastCorrection = 0;
      return 0;
    }
    const correctionX = oldX - player.x;
    const correctionY = oldY - player.y;
    const distance = Math.sqrt(correctionX * correctionX + correctionY * correctionY);
    this.lastCorrection = this.enabled ? distance : 0;
    if (this.lastCorrection > this.#peakCorrection) this.#peakCorrection = this.lastCorrection;
    if (distance > this.#snapDistance || !this.enabled) {
      this.lastCorrectionSnapped = distance > this.#snapDistance;
      this.#offsetX = 0;
      this.#offsetY = 0;
      this.#previousX = player.x;
      this.#previousY = player.y;
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
   * Where to draw the player at `nowMs`: blended from the position before the newest input to
   * the one after it over the tick that starts at the input's scheduled time (inputs come at
   * 30 Hz, frames at 60 Hz or more), plus what is left of the smoothed correction.
   */
  renderPosition(nowMs: number): Point {
    const player = this.#player;
    const elapsed = (nowMs - this.#lastInputAtMs) / this.#tickIntervalMs;
    const alpha = elapsed >= 1 ? 1 : elapsed <= 0 ? 0 : elapsed;
    const decay = this.#decay(nowMs);
    return {
      x: this.#previousX + (player.x - this.#previousX) * alpha + this.#offsetX * decay,
      y: this.#previousY + (player.y - this.#previousY) * alpha + this.#offsetY * decay,
    };
  }

  #decay(nowMs: number): number {
    if (this.#offsetX === 0 && this.#offsetY === 0) return 0;
    const elapsed = nowMs - this.#offsetAtMs;
    return elapsed <= 0 ? 1 : Math.exp(-elapsed / this.#smoothingMs);
  }
}
