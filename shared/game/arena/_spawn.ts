import { ARENA } from "./constants.ts";
import { nextRandom } from "./prng.ts";
import type { ArenaState } from "./types.ts";

/** Random spots tried before taking an occupied one: a crowded room must still spawn. */
const SPAWN_ATTEMPTS = 16;

/**
 * Moves `entity` to a random spot, drawn from the state's PRNG, where a circle of `radius` touches
 * no live player and no NPC other than `entity` itself, if one turns up within a few tries.
 */
export function placeAtFreeSpot(
  state: ArenaState,
  entity: { id: number; x: number; y: number },
  radius: number,
): void {
  let x = 0;
  let y = 0;
  for (let attempt = 0; attempt < SPAWN_ATTEMPTS; attempt++) {
    x = radius + nextRandom(state) * (ARENA.worldWidth - 2 * radius);
    y = radius + nextRandom(state) * (ARENA.worldHeight - 2 * radius);
    if (isFree(state, x, y, radius, entity.id)) break;
  }
  entity.x = x;
  entity.y = y;
}

function isFree(state: ArenaState, x: number, y: number, radius: number, selfId: number): boolean {
  let minDistance = radius + ARENA.playerRadius;
  for (const player of state.players.values()) {
    if (player.id === selfId || player.hp <= 0) continue;
    const dx = player.x - x;
    const dy = player.y - y;
    if (dx * dx + dy * dy < minDistance * minDistance) return false;
  }
  minDistance = radius + ARENA.npcRadius;
  for (const npc of state.npcs) {
    if (npc.id === selfId) continue;
    const dx = npc.x - x;
    const dy = npc.y - y;
    if (dx * dx + dy * dy < minDistance * minDistance) return false;
  }
  return true;
}
