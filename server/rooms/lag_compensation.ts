import type { EntityTable } from "../../shared/protocol/entity_delta.ts";
import type { WorldFrame } from "./snapshots/world_frames.ts";

/** How a game asks for lag compensation (`Game.lagCompensation`). */
export interface LagCompensationOptions {
  /** Snapshot column holding an entity's x, as the client interpolates it. */
  xField: string;
  /** Snapshot column holding an entity's y. */
  yField: string;
  /**
   * Furthest back a shot is judged, ms; at most the snapshot history (32 ticks).
   * @default 250
   */
  maxRewindMs?: number;
  /**
   * A move longer than this between two snapshots is a teleport, drawn without blending; the
   * client's `InterpolationBuffer` must use the same figure.
   * @default 150
   */
  teleportDistance?: number;
}

/** A point in world units. */
export interface Point {
  x: number;
  y: number;
}

/** What {@linkcode Rewind.raycast} found; one object, reused by the next call. */
export interface RayHit {
  /** The entity the ray enters first, or 0 when it hits nothing. */
  id: number;
  /** Along the ray to where it enters that entity (0 if it starts inside). */
  distance: number;
  /**
   * The entity hit, or on a miss the entity the ray passed closest to (0 when none was within
   * range): a debug view draws it.
   */
  nearestId: number;
  /** Rewound centre of `nearestId`. */
  x: number;
  /** Rewound centre of `nearestId`. */
  y: number;
  /** How far the ray passed outside the circle of `nearestId`; 0 for a hit. */
  missBy: number;
}

/**
 * The world as the player whose input is being applied saw it: other entities where its client
 * drew them, blended between two snapshots exactly as the client's interpolation blends them.
 * The shooter itself is never rewound (its client predicts it in the present).
 */
export interface Rewind {
  /** Server tick (with its fraction) the input is judged at, after the runtime's limits. */
  readonly viewTime: number;
  /** How far before the newest tick that is, ms. */
  readonly rewindMs: number;
  /**
   * Where entity `id` was drawn at the view time, written into `out`. Returns `false` when the
   * player could not see it then (not in the world, or it is the shooter).
   */
  positionOf(id: number, out: Point): boolean;
  /**
   * The first entity a ray from (`x`, `y`) along the unit vector (`dirX`, `dirY`) enters within
   * `range`, every entity but the shooter at its rewound position. `radiusOf(id)` is an entity's
   * hit radius; 0 leaves it out (the game decides what can be hit). The answer is reused.
   */
  raycast(
    x: number,
    y: number,
    dirX: number,
    dirY: number,
    range: number,
    radiusOf: (id: number) => number,
  ): RayHit;
}

/** Where a {@linkcode LagCompensation} finds the room's world frames. */
export interface WorldFrameSource {
  /** The quantized world of `tick`, if still remembered. */
  worldFrame(tick: number): WorldFrame | undefined;
}

/** Frames searched before and after a view time: the snapshot history's length. */
const MAX_FRAME_SEARCH = 32;

/**
 * The runtime's lag compensation: answers a game's {@linkcode Rewind} questions from the
 * snapshot pipeline's quantized world frames, so the server rewinds to exactly the numbers the
 * client received, on the same grid, and blends them the same way. Game-agnostic: it knows only
 * the two position columns.
 */
export class LagCompensation implements Rewind {
  readonly #frames: WorldFrameSource;
  readonly #stride: number;
  readonly #xColumn: number;
  readonly #yColumn: number;
  readonly #xScale: number;
  readonly #yScale: number;
  readonly #teleportSquared: number;
  readonly #stepMs: number;
  readonly #hit: RayHit = { id: 0, distance: 0, nearestId: 0, x: 0, y: 0, missBy: 0 };
  #shooterId = 0;
  #from: EntityTable | undefined;
  #to: EntityTable | undefined;
  /** Blend between the two frames, 0..1, as the client's `t`. */
  #t = 0;
  #viewTime = 0;
  #rewindMs = 0;

  /**
   * @param frames the room's world frames
   * @param fields the snapshot's column names and scales (the welcome's `entityFields`, `entityScales`)
   * @param stepMs the room's tick interval
   */
  constructor(
    frames: WorldFrameSource,
    fields: { entityFields: readonly string[]; entityScales: readonly number[] },
    stepMs: number,
    options: LagCompensationOptions,
  ) {
    this.#frames = frames;
    this.#stride = fields.entityFields.length;
    this.#xColumn = fields.entityFields.indexOf(options.xField);
    this.#yColumn = fields.entityFields.indexOf(options.yField);
    if (this.#xColumn < 1 || this.#yColumn < 1) {
      throw new TypeError(
        `Cannot compensate lag on fields ${options.xField}, ${options.yField}: not in the schema`,
      );
    }
    this.#xScale = fields.entityScales[this.#xColumn] ?? 1;
    this.#yScale = fields.entityScales[this.#yColumn] ?? 1;
    const teleport = options.teleportDistance ?? 150;
    this.#teleportSquared = teleport * teleport;
    this.#stepMs = stepMs;
  }

  /** See {@linkcode Rewind.viewTime}. */
  get viewTime(): number {
    return this.#viewTime;
  }

  /** See {@linkcode Rewind.rewindMs}. */
  get rewindMs(): number {
    return this.#rewindMs;
  }

  /**
   * Point the answers at `viewTime` (ticks, already limited) for the input of `shooterId`;
   * `newestTick` is the newest world frame. Finds the two frames around the view time once, so
   * each query only looks entities up.
   */
  prepare(shooterId: number, viewTime: number, newestTick: number): void {
    this.#shooterId = shooterId;
    const time = viewTime > 0 && viewTime < newestTick ? viewTime : newestTick;
    this.#viewTime = time;
    this.#rewindMs = (newestTick - time) * this.#stepMs;
    const floor = Math.floor(time);
    let fromTick = -1, from: WorldFrame | undefined;
    for (let tick = floor; tick > floor - MAX_FRAME_SEARCH && tick > 0; tick--) {
      from = this.#frames.worldFrame(tick);
      if (from !== undefined) {
        fromTick = tick;
        break;
      }
    }
    let to: WorldFrame | undefined;
    for (let tick = floor + 1; tick <= newestTick && tick <= floor + MAX_FRAME_SEARCH; tick++) {
      to = this.#frames.worldFrame(tick);
      if (to !== undefined) {
        // The client's blend factor between its two snapshots: elapsed over their distance.
        this.#t = Math.min(1, Math.max(0, (time - fromTick) / (tick - fromTick)));
        break;
      }
    }
    // Past the newest frame (or before the oldest) the client shows one frame unblended.
    if (from === undefined || to === undefined) {
      this.#from = undefined;
      this.#to = (to ?? from)?.table;
      this.#t = 0;
      return;
    }
    this.#from = from.table;
    this.#to = to.table;
  }

  /** See {@linkcode Rewind.positionOf}. */
  positionOf(id: number, out: Point): boolean {
    const to = this.#to;
    if (to === undefined || id === this.#shooterId) return false;
    const toRow = findRow(to, id);
    if (toRow < 0) return false;
    const from = this.#from;
    this.#blend(toRow, from === undefined ? -1 : findRow(from, id), out);
    return true;
  }

  /** See {@linkcode Rewind.raycast}. */
  raycast(
    x: number,
    y: number,
    dirX: number,
    dirY: number,
    range: number,
    radiusOf: (id: number) => number,
  ): RayHit {
    const hit = this.#hit;
    hit.id = hit.nearestId = 0;
    hit.distance =
      hit.x =
      hit.y =
      hit.missBy =
        0;
    const to = this.#to;
    if (to === undefined) return hit;
    const from = this.#from;
    const ids = to.ids, fromIds = from?.ids;
    const fromCount = from?.count ?? 0;
    const point = SCRATCH;
    let bestEntry = Number.POSITIVE_INFINITY;
    let bestMiss = Number.POSITIVE_INFINITY;
    let fromRow = 0;
    for (let row = 0; row < to.count; row++) {
      const id = ids[row]!;
      // Both tables are sorted by id: one walk pairs each entity with its older row.
      while (fromIds !== undefined && fromRow < fromCount && fromIds[fromRow]! < id) {
        fromRow++;
      }
      if (id === this.#shooterId) continue;
      const radius = radiusOf(id);
      if (!(radius > 0)) continue;
      const paired = fromIds !== undefined && fromRow < fromCount && fromIds[fromRow] === id;
      this.#blend(row, paired ? fromRow : -1, point);
      const offsetX = point.x - x, offsetY = point.y - y;
      const along = offsetX * dirX + offsetY * dirY;
      if (along < -radius || along > range + radius) continue;
      const across = Math.abs(offsetX * dirY - offsetY * dirX);
      if (across <= radius) {
        const entry = Math.max(0, along - Math.sqrt(radius * radius - across * across));
        if (entry <= range && entry < bestEntry) {
          bestEntry = entry;
          hit.id = hit.nearestId = id;
          hit.distance = entry;
          hit.x = point.x;
          hit.y = point.y;
          hit.missBy = 0;
        }
      } else if (hit.id === 0 && along >= 0 && along <= range && across - radius < bestMiss) {
        bestMiss = across - radius;
        hit.nearestId = id;
        hit.distance = along;
        hit.x = point.x;
        hit.y = point.y;
        hit.missBy = bestMiss;
      }
    }
    return hit;
  }

  /** Position of row `toRow` of the newer frame blended with row `fromRow` of the older (or -1). */
  #blend(toRow: number, fromRow: number, out: Point): void {
    const stride = this.#stride;
    const toValues = (this.#to as EntityTable).values;
    // Dequantized as the client's snapshot history does: steps / scale.
    const bx = toValues[toRow * stride + this.#xColumn]! / this.#xScale;
    const by = toValues[toRow * stride + this.#yColumn]! / this.#yScale;
    const from = this.#from;
    if (fromRow < 0 || from === undefined) {
      out.x = bx;
      out.y = by;
      return;
    }
    const ax = from.values[fromRow * stride + this.#xColumn]! / this.#xScale;
    const ay = from.values[fromRow * stride + this.#yColumn]! / this.#yScale;
    const dx = bx - ax, dy = by - ay, t = this.#t;
    if (dx * dx + dy * dy > this.#teleportSquared) {
      out.x = t < 0.5 ? ax : bx;
      out.y = t < 0.5 ? ay : by;
      return;
    }
    // The client's formula, term for term, so both ends compute the same number.
    out.x = ax + (bx - ax) * t;
    out.y = ay + (by - ay) * t;
  }
}

const SCRATCH: Point = { x: 0, y: 0 };

/** Row of `id` in a table sorted by id, or -1. */
function findRow(table: EntityTable, id: number): number {
  const ids = table.ids;
  let low = 0, high = table.count - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = ids[middle]!;
    if (found === id) return middle;
    if (found < id) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
