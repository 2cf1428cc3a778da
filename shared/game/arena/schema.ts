import type { EntityFieldSpec, InterestOptions } from "../../protocol/entity_schema.ts";

/**
 * Snapshot columns of the arena and their precision: positions on a 1/8-unit grid (hot: they
 * change every tick), angles in 256 steps per turn, hp and score as integers.
 */
export const ARENA_ENTITY_SCHEMA: readonly EntityFieldSpec[] = [
  { name: "id" },
  { name: "kind" },
  { name: "x", scale: 8, hot: true, velocity: "vx" },
  { name: "y", scale: 8, hot: true, velocity: "vy" },
  { name: "angle", scale: 256 / (2 * Math.PI), wrap: 256 },
  { name: "hp" },
  { name: "score" },
  // The colour a player picked (hue + 1, 0 for its default); rarely changes, so it costs nothing
  // in deltas.
  { name: "hue" },
  // Motion over the last tick, in units per tick, derived by the runtime from its world frames:
  // deltas predict positions from it, and the client can extrapolate with it.
  { name: "vx", scale: 8, derived: true },
  { name: "vy", scale: 8, derived: true },
];

/** Snapshot column names of the arena; the client reads rows in this order. */
export const ARENA_ENTITY_FIELDS: readonly string[] = ARENA_ENTITY_SCHEMA.map((field) =>
  field.name
);

/**
 * What a player is sent: entities within 700 × 450 units of it (a 1400 × 900 view, which the
 * client's camera never exceeds), kept until 100 units beyond.
 */
export const ARENA_INTEREST: InterestOptions = {
  xField: "x",
  yField: "y",
  halfWidth: 700,
  halfHeight: 450,
  margin: 100,
  cellSize: 250,
};
