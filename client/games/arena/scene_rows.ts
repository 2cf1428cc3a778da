import { ENTITY_KIND } from "../../../shared/game/arena/mod.ts";
import type { EntityColumns } from "./entity_columns.ts";
import type { SceneEntity, ScoreLine } from "./scene.ts";

/**
 * The server's positions of every entity but projectiles, from a snapshot's rows: the outlines
 * the net-debug overlay draws (the live client's newest snapshot, the replay's newest simulated
 * tick). `ownId` marks the own player, if any.
 */
export function serverPositions(
  entities: ReadonlyMap<number, readonly number[]>,
  columns: EntityColumns,
  ownId?: number,
): SceneEntity[] {
  const result: SceneEntity[] = [];
  for (const [id, row] of entities) {
    const kind = row[columns.kind]!;
    if (kind === ENTITY_KIND.PROJECTILE) continue;
    result.push({
      id,
      kind,
      x: row[columns.x]!,
      y: row[columns.y]!,
      angle: row[columns.angle]!,
      hp: row[columns.hp]!,
      score: row[columns.score]!,
      own: id === ownId,
      flash: 0,
    });
  }
  return result;
}

/**
 * The scoreboard from the arena's global section (`[playerId, score, …]` for every player in
 * the room), best first, ties by id.
 *
 * @example Usage
 * ```ts
 * import { scoreLines } from "./scene_rows.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(scoreLines([3, 1, 5, 2], 3).map((line) => line.id), [5, 3]);
 * ```
 */
export function scoreLines(global: readonly number[], ownId: number): ScoreLine[] {
  const lines: ScoreLine[] = [];
  for (let index = 0; index + 1 < global.length; index += 2) {
    const id = global[index]!;
    lines.push({ id, score: global[index + 1]!, own: id === ownId });
  }
  return lines.sort((a, b) => b.score - a.score || a.id - b.id);
}
