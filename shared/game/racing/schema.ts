import type { EntityFieldSpec } from "../../protocol/entity_schema.ts";

/**
 * Snapshot columns of a car: position on a 1/8-unit grid (hot), heading in 256 steps per turn,
 * speed to 1/4 unit/s, laps and the next checkpoint.
 */
export const RACING_ENTITY_SCHEMA: readonly EntityFieldSpec[] = [
  { name: "id" },
  { name: "x", scale: 8, hot: true },
  { name: "y", scale: 8, hot: true },
  { name: "heading", scale: 256 / (2 * Math.PI), wrap: 256 },
  { name: "speed", scale: 4, hot: true },
  { name: "lap" },
  { name: "checkpoint" },
];

/** Where each column sits in a car's snapshot row. */
export const CAR_COLUMN = {
  id: 0,
  x: 1,
  y: 2,
  heading: 3,
  speed: 4,
  lap: 5,
  checkpoint: 6,
} as const;
