import { lerpAngle } from "./_angle.ts";

/** Which row columns hold the position and the facing: indices within every row pushed. */
export interface PositionColumns {
  x: number;
  y: number;
  angle: number;
}

/** A snapshot as the buffer needs it; `WorldSnapshot` from `snapshot_history.ts` fits. */
export interface BufferedSnapshot {
  /** Server tick. */
  tick: number;
  /** Local clock when it arrived, ms. */
  receivedAtMs: number;
  /** Entity id → row. */
  entities: ReadonlyMap<number, readonly number[]>;
}

/** Settings of an {@linkcode InterpolationBuffer}. */
export interface InterpolationBufferOptions {
  /**
   * Time between two snapshots, ms (`snapshotEveryTicks` × the tick interval).
   * @default the tick interval
   */
  snapshotIntervalMs?: number;
  /**
   * Delay used until enough arrivals have been measured.
   * @default 3 × snapshotIntervalMs
   */
  initialDelayMs?: number;
  /**
   * Shortest interpolation delay.
   * @default 50
   */
  minDelayMs?: number;
  /**
   * Longest interpolation delay.
   * @default 250
   */
  maxDelayMs?: number;
  /**
   * Longest time an entity is carried past the newest snapshot along its last velocity; after
   * that it waits where it is.
   * @default 100
   */
  maxExtrapolationMs?: number;
  /**
   * A move longer than this between two snapshots is a teleport (respawn) and is not blended.
   * @default 150
   */
  teleportDistance?: number;
  /**
   * Arrivals the jitter and clock offset are measured over (2 s at 30 Hz).
   * @default 60
   */
  arrivalWindow?: number;
  /**
   * Snapshots kept.
   * @default 32
   */
  capacity?: number;
}

/** One entity where the buffer draws it at the current render time. */
export interface InterpolatedEntity {
  id: number;
  x: number;
  y: number;
  angle: number;
  /** The newer snapshot's row, for the fields that are not blended (kind, hp, score). */
  row: readonly number[];
}

/** Arrivals measured before the delay starts to adapt. */
const MIN_ARRIVALS_TO_ADAPT = 10;
/** Added to the measured need, for the frame time and timer noise. */
const SAFETY_MARGIN_MS = 10;
/** Beyond this gap between the playback clock and its target the clock jumps instead of gliding. */
const RESYNC_MS = 250;
/** The playback clock closes the gap to its target with this time constant. */
const CATCH_UP_MS = 500;
/** Fastest and slowest playback while gliding, so a delay change is never seen as a jump. */
const MAX_RATE_CHANGE = 0.1;

/**
 * Entity interpolation: keeps recent snapshots and draws remote entities at
 * `now − offset − delay`, blended between the two snapshots around that server time. Server time
 * is `tick × tickIntervalMs`; the offset that maps it to the local clock is the smallest
 * `arrival − server time` of the recent arrivals (the least delayed one), and how much later than
 * that snapshots tend to arrive (95th percentile) is the jitter the delay must cover. A playback
 * clock glides (±10% speed) towards the target time, so changes in delay or offset never make
 * entities jump. Past the newest snapshot entities are extrapolated for a bounded time.
 *
 * The caller drives time: {@linkcode InterpolationBuffer.update} with the frame's clock.
 *
 * @example Usage
 * ```ts
 * import { InterpolationBuffer } from "./interpolation_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const buffer = new InterpolationBuffer({ x: 1, y: 2, angle: 3 }, 100);
 * buffer.push({ tick: 10, receivedAtMs: 1000, entities: new Map([[7, [7, 0, 0, 0]]]) });
 * buffer.push({ tick: 11, receivedAtMs: 1100, entities: new Map([[7, [7, 10, 0, 0]]]) });
 * // The delay starts at 3 snapshot intervals, capped at 250 ms: at local time 1300 the render
 * // time is server time 1050, halfway between the two snapshots.
 * buffer.update(1300);
 * assert.equal(buffer.sample(7)?.x, 5);
 * ```
 */
export class InterpolationBuffer {
  /** When false, entities are drawn at the newest snapshot, as received. */
  enabled = true;
  readonly #columns: PositionColumns;
  readonly #tickIntervalMs: number;
  readonly #snapshotIntervalMs: number;
  readonly #initialDelayMs: number;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxExtrapolationMs: number;
  readonly #teleportDistance: number;
  readonly #arrivalWindow: number;
  readonly #capacity: number;
  readonly #snapshots: BufferedSnapshot[] = [];
  readonly #transits: number[] = [];
  #offsetMs = 0;
  #jitterMs = 0;
  #delayMs: number;
  #renderTimeMs: number | undefined;
  #lastUpdateMs = 0;
  // The pair of snapshots around the render time, found once per update.
  #fromIndex = -1;
  #toIndex = -1;

  /**
   * @param columns where x, y and angle are in a row
   * @param tickIntervalMs the server's tick interval, 1000 / tickRateHz
   */
  constructor(
    columns: PositionColumns,
    tickIntervalMs: number,
    options: InterpolationBufferOptions = {},
  ) {
    this.#columns = columns;
    this.#tickIntervalMs = tickIntervalMs;
    this.#snapshotIntervalMs = options.snapshotIntervalMs ?? tickIntervalMs;
    this.#minDelayMs = options.minDelayMs ?? 50;
    this.#maxDelayMs = options.maxDelayMs ?? 250;
    this.#initialDelayMs = clamp(
      options.initialDelayMs ?? 3 * this.#snapshotIntervalMs,
      this.#minDelayMs,
      this.#maxDelayMs,
    );
    this.#maxExtrapolationMs = options.maxExtrapolationMs ?? 100;
    this.#teleportDistance = options.teleportDistance ?? 150;
    this.#arrivalWindow = options.arrivalWindow ?? 60;
    this.#capacity = options.capacity ?? 32;
    this.#delayMs = this.#initialDelayMs;
  }

  /** The interpolation delay the buffer aims for, ms. */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** Measured arrival jitter (95th percentile of lateness), ms. */
  get jitterMs(): number {
    return this.#jitterMs;
  }

  /** Server time being drawn, ms (tick × tick interval); `undefined` before the first update. */
  get renderTimeMs(): number | undefined {
    return this.#renderTimeMs;
  }

  /**
   * The server tick being drawn, with its fraction (what an input reports as its view for lag
   * compensation): the render time in ticks, never past the newest snapshot (an extrapolated
   * entity was never seen there), the newest snapshot's tick when interpolation is off, and 0
   * before the first snapshot.
   */
  viewTicks(): number {
    const newest = this.#snapshots.at(-1);
    if (newest === undefined) return 0;
    if (!this.enabled || this.#renderTimeMs === undefined) return newest.tick;
    const ticks = this.#renderTimeMs / this.#tickIntervalMs;
    return ticks > newest.tick ? newest.tick : ticks > 0 ? ticks : 0;
  }

  /** How far the render time is past the newest snapshot, capped at the extrapolation limit. */
  get extrapolatingMs(): number {
    const newest = this.#snapshots.at(-1);
    if (newest === undefined || this.#renderTimeMs === undefined || !this.enabled) return 0;
    const past = this.#renderTimeMs - this.#serverTimeOf(newest);
    return past <= 0 ? 0 : Math.min(past, this.#maxExtrapolationMs);
  }

  /** Number of snapshots kept. */
  get length(): number {
    return this.#snapshots.length;
  }

  /** Estimated server time at local time `nowMs`, ms; `undefined` before any snapshot. */
  serverTimeAt(nowMs: number): number | undefined {
    return this.#transits.length === 0 ? undefined : nowMs - this.#offsetMs;
  }

  /** Forget every snapshot and measurement. */
  clear(): void {
    this.#snapshots.length = 0;
    this.#transits.length = 0;
    this.#renderTimeMs = undefined;
    this.#delayMs = this.#initialDelayMs;
    this.#jitterMs = 0;
    this.#fromIndex = this.#toIndex = -1;
  }

  /** Add a snapshot as it arrives; one older than the newest only counts towards the jitter. */
  push(snapshot: BufferedSnapshot): void {
    this.#measureArrival(snapshot);
    const newest = this.#snapshots.at(-1);
    if (newest !== undefined && snapshot.tick <= newest.tick) return;
    this.#snapshots.push(snapshot);
    if (this.#snapshots.length > this.#capacity) this.#snapshots.shift();
  }

  /** Advance the playback clock to local time `nowMs`; call once a frame before sampling. */
  update(nowMs: number): void {
    if (this.#transits.length === 0) return;
    const target = nowMs - this.#offsetMs - this.#delayMs;
    const current = this.#renderTimeMs;
    if (current === undefined || Math.abs(target - current) > RESYNC_MS) {
      this.#renderTimeMs = target;
    } else {
      const elapsed = Math.max(0, nowMs - this.#lastUpdateMs);
      const rate = clamp(
        1 + (target - current) / CATCH_UP_MS,
        1 - MAX_RATE_CHANGE,
        1 + MAX_RATE_CHANGE,
      );
      this.#renderTimeMs = current + elapsed * rate;
    }
    this.#lastUpdateMs = nowMs;
    this.#findPair();
  }

  /** Where entity `id` is drawn at the render time, or `null` if it is not there. */
  sample(id: number): InterpolatedEntity | null {
    const snapshots = this.#snapshots;
    const newest = snapshots.at(-1);
    if (newest === undefined) return null;
    if (!this.enabled || this.#renderTimeMs === undefined) return this.#at(newest, id);
    const to = snapshots[this.#toIndex];
    const from = snapshots[this.#fromIndex];
    if (to === undefined) return null;
    if (from === undefined || from === to) {
      return to === newest ? this.#extrapolate(id) : this.#at(to, id);
    }
    const b = to.entities.get(id);
    if (b === undefined) return null;
    const a = from.entities.get(id);
    if (a === undefined) return this.#entity(id, b);
    const columns = this.#columns;
    const ax = a[columns.x]!;
    const ay = a[columns.y]!;
    const bx = b[columns.x]!;
    const by = b[columns.y]!;
    const fromTime = this.#serverTimeOf(from);
    const t = clamp((this.#renderTimeMs - fromTime) / (this.#serverTimeOf(to) - fromTime), 0, 1);
    if (this.#isTeleport(ax, ay, bx, by)) return this.#entity(id, t < 0.5 ? a : b, b);
    return {
      id,
      x: ax + (bx - ax) * t,
      y: ay + (by - ay) * t,
      angle: lerpAngle(a[columns.angle]!, b[columns.angle]!, t),
      row: b,
    };
  }

  /** Every entity at the render time. */
  entities(): InterpolatedEntity[] {
    const snapshots = this.#snapshots;
    const source = this.enabled ? snapshots[this.#toIndex] ?? snapshots.at(-1) : snapshots.at(-1);
    const result: InterpolatedEntity[] = [];
    if (source === undefined) return result;
    for (const id of source.entities.keys()) {
      const entity = this.sample(id);
      if (entity !== null) result.push(entity);
    }
    return result;
  }

  #serverTimeOf(snapshot: BufferedSnapshot): number {
    return snapshot.tick * this.#tickIntervalMs;
  }

  #measureArrival(snapshot: BufferedSnapshot): void {
    const transits = this.#transits;
    transits.push(snapshot.receivedAtMs - this.#serverTimeOf(snapshot));
    if (transits.length > this.#arrivalWindow) transits.shift();
    let offset = Number.POSITIVE_INFINITY;
    for (const transit of transits) if (transit < offset) offset = transit;
    this.#offsetMs = offset;
    const lateness = transits.map((transit) => transit - offset).sort((a, b) => a - b);
    this.#jitterMs = lateness[Math.floor(0.95 * (lateness.length - 1))]!;
    if (transits.length < MIN_ARRIVALS_TO_ADAPT) return;
    // The newest snapshot is at most one interval plus its lateness older than "now - offset":
    // a delay of that much keeps a later snapshot in hand for blending.
    this.#delayMs = clamp(
      this.#snapshotIntervalMs + this.#jitterMs + SAFETY_MARGIN_MS,
      this.#minDelayMs,
      this.#maxDelayMs,
    );
  }

  #findPair(): void {
    const snapshots = this.#snapshots;
    const renderTime = this.#renderTimeMs ?? 0;
    this.#fromIndex = this.#toIndex = -1;
    if (snapshots.length === 0) return;
    const first = snapshots[0];
    if (first === undefined || renderTime <= this.#serverTimeOf(first)) {
      this.#fromIndex = this.#toIndex = 0;
      return;
    }
    for (let index = snapshots.length - 1; index >= 0; index--) {
      const snapshot = snapshots[index];
      if (snapshot !== undefined && this.#serverTimeOf(snapshot) <= renderTime) {
        this.#fromIndex = index;
        this.#toIndex = Math.min(index + 1, snapshots.length - 1);
        return;
      }
    }
  }

  #extrapolate(id: number): InterpolatedEntity | null {
    const snapshots = this.#snapshots;
    const newest = snapshots.at(-1);
    if (newest === undefined) return null;
    const row = newest.entities.get(id);
    if (row === undefined) return null;
    const past = this.extrapolatingMs;
    const previous = snapshots.at(-2);
    const before = previous?.entities.get(id);
    if (past <= 0 || previous === undefined || before === undefined) return this.#entity(id, row);
    const columns = this.#columns;
    const x = row[columns.x]!;
    const y = row[columns.y]!;
    const beforeX = before[columns.x]!;
    const beforeY = before[columns.y]!;
    if (this.#isTeleport(beforeX, beforeY, x, y)) return this.#entity(id, row);
    const span = this.#serverTimeOf(newest) - this.#serverTimeOf(previous);
    const scale = past / span;
    return {
      id,
      x: x + (x - beforeX) * scale,
      y: y + (y - beforeY) * scale,
      angle: row[columns.angle]!,
      row,
    };
  }

  #at(snapshot: BufferedSnapshot, id: number): InterpolatedEntity | null {
    const row = snapshot.entities.get(id);
    return row === undefined ? null : this.#entity(id, row);
  }

  #entity(id: number, position: readonly number[], row = position): InterpolatedEntity {
    const columns = this.#columns;
    return {
      id,
      x: position[columns.x]!,
      y: position[columns.y]!,
      angle: position[columns.angle]!,
      row,
    };
  }

  #isTeleport(ax: number, ay: number, bx: number, by: number): boolean {
    const dx = bx - ax;
    const dy = by - ay;
    return dx * dx + dy * dy > this.#teleportDistance * this.#teleportDistance;
  }
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
