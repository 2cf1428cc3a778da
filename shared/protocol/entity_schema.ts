import type { EntityCoding } from "./entity_delta.ts";

/**
 * One snapshot column as a game declares it: its name and its precision. Values travel as
 * integers `round(value × scale)`, so `scale` is steps per unit (8 → 1/8 unit).
 */
export interface EntityFieldSpec {
  /** Column name; the first column is always `id` with scale 1. */
  name: string;
  /**
   * Quantization steps per unit.
   * @default 1
   */
  scale?: number;
  /**
   * Period of a wrapping value in steps (an angle with scale 256/2π wraps at 256), or 0.
   * @default 0
   */
  wrap?: number;
  /** Whether the column changes on most ticks (a position); such columns cost no mask byte. */
  hot?: boolean;
  /**
   * Name of the column that holds this column's change per tick, in this column's steps (a
   * position's velocity). Deltas then code the error of `baseline + velocity × ticks` instead of
   * the change, which stays near 0 for steady motion however old the baseline.
   */
  velocity?: string;
  /**
   * On a velocity column: the runtime fills it, from its own world frames, with the change per
   * tick of the column whose `velocity` names it (the game writes 0 there and keeps no motion
   * bookkeeping). An entity new since the last snapshot, or one the game reports as teleported
   * (`Game.teleported`), gets 0. Its scale must be its position's.
   * @default false
   */
  derived?: boolean;
}

/**
 * Interest management: which entities a player is sent. An entity enters the view when it is
 * within `halfWidth` × `halfHeight` of the player and leaves only beyond that plus `margin`, so
 * entities on the edge do not flicker in and out.
 */
export interface InterestOptions {
  /** Column holding the x position. */
  xField: string;
  /** Column holding the y position. */
  yField: string;
  /** Half the view's width, in world units. */
  halfWidth: number;
  /** Half the view's height, in world units. */
  halfHeight: number;
  /** Extra distance before a visible entity is dropped. */
  margin: number;
  /**
   * Grid cell edge in world units.
   * @default 256
   */
  cellSize?: number;
}

/** The schema as the welcome carries it: parallel arrays, one entry per column. */
export interface EntitySchemaWire {
  entityFields: string[];
  entityScales: number[];
  entityWraps: number[];
  /** Bit `c − 1` set for each hot column `c`. */
  entityHotMask: number;
  /** Per column: index of its velocity column, or 0 for none. */
  entityVelocities: number[];
}

/** Flatten a game's field specs into the welcome's arrays. */
export function schemaToWire(fields: readonly EntityFieldSpec[]): EntitySchemaWire {
  let hotMask = 0;
  fields.forEach((field, column) => {
    if (field.hot === true && column > 0) hotMask |= 1 << (column - 1);
  });
  const names = fields.map((field) => field.name);
  const velocities = fields.map((field, column) => {
    if (field.velocity === undefined) return 0;
    const index = names.indexOf(field.velocity);
    if (index < 1 || index === column || (field.wrap ?? 0) !== 0) {
      throw new TypeError(
        `Cannot use ${field.velocity} as the velocity of ${field.name}: it must be another column and ${field.name} must not wrap`,
      );
    }
    return index;
  });
  return {
    entityFields: names,
    entityScales: fields.map((field) => field.scale ?? 1),
    entityWraps: fields.map((field) => field.wrap ?? 0),
    entityHotMask: hotMask,
    entityVelocities: velocities,
  };
}

/** The delta coding both ends derive from the schema. */
export function codingFromWire(schema: EntitySchemaWire): EntityCoding {
  return {
    stride: schema.entityFields.length,
    wraps: schema.entityWraps,
    hotMask: schema.entityHotMask,
    velocities: schema.entityVelocities,
  };
}

/** Quantize one value of a column: round to the column's grid, wrapping if it wraps. */
export function quantize(value: number, scale: number, wrap: number): number {
  // `+ 0` turns the -0 that rounding small negatives gives into 0, as integers have no sign of 0.
  const steps = Math.round(value * scale) + 0;
  if (wrap === 0) return steps;
  const wrapped = steps % wrap;
  return (wrapped < 0 ? wrapped + wrap : wrapped) + 0;
}

/** The value a quantized step stands for. */
export function dequantize(steps: number, scale: number): number {
  return steps / scale;
}
