/** Column indexes of the arena's snapshot rows, looked up by name in the welcome's fields. */
export interface EntityColumns {
  id: number;
  kind: number;
  x: number;
  y: number;
  angle: number;
  hp: number;
  score: number;
}

const NAMES = ["id", "kind", "x", "y", "angle", "hp", "score"] as const;

/**
 * Finds each arena column in `entityFields` (the welcome's list), so the client keeps working if
 * the server reorders or adds columns.
 * @throws {RangeError} if a column the client needs is missing
 *
 * @example Usage
 * ```ts
 * import { entityColumns } from "./entity_columns.ts";
 * import assert from "node:assert/strict";
 *
 * const columns = entityColumns(["id", "kind", "x", "y", "angle", "hp", "score"]);
 * assert.equal(columns.x, 2);
 * ```
 */
export function entityColumns(entityFields: readonly string[]): EntityColumns {
  const index = (name: typeof NAMES[number]): number => {
    const column = entityFields.indexOf(name);
    if (column < 0) {
      throw new RangeError(
        `Cannot read snapshots: column ${name} missing from fields ${entityFields.join(",")}`,
      );
    }
    return column;
  };
  return {
    id: index("id"),
    kind: index("kind"),
    x: index("x"),
    y: index("y"),
    angle: index("angle"),
    hp: index("hp"),
    score: index("score"),
  };
}
