import type { ArenaState } from "./types.ts";

/** Where {@linkcode hashArenaState} writes: the room runtime's `StateHash` fits. */
export interface NumberHash {
  /** Add a number. */
  number(value: number): void;
}

/**
 * Version of the arena's rules as recordings name it: bump it when a change to these rules
 * changes what a tick computes, so old recordings are refused rather than misreplayed. 2: sine
 * and cosine from `_trig.ts`, the same in every engine, instead of `Math.sin`/`Math.cos`.
 */
export const ARENA_RULES_VERSION = "2";

/**
 * Feed every field of the arena state the rules read into `hash`, in a fixed order: time, the
 * generator, the id counter, each player (in join order), NPC and projectile. Names do not count
 * (no rule reads them). Recordings keep this hash per tick; the server's adapter and the replay
 * page both use this one function, so they agree.
 *
 * @example Usage
 * ```ts
 * import { createArenaState, hashArenaState } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const values: number[] = [];
 * hashArenaState(createArenaState(7, { npcCount: 0 }), { number: (value) => values.push(value) });
 * assert.deepEqual(values, [0, 7, 1, 0, 0, 0]);
 * ```
 */
export function hashArenaState(state: ArenaState, hash: NumberHash): void {
  hash.number(state.timeMs);
  hash.number(state.rngState);
  hash.number(state.nextEntityId);
  hash.number(state.players.size);
  for (const player of state.players.values()) {
    hash.number(player.id);
    hash.number(player.x);
    hash.number(player.y);
    hash.number(player.angle);
    hash.number(player.hp);
    hash.number(player.score);
    hash.number(player.fireCooldownMs);
    hash.number(player.beamCooldownMs);
    hash.number(player.respawnInMs);
  }
  hash.number(state.npcs.length);
  for (const npc of state.npcs) {
    hash.number(npc.id);
    hash.number(npc.x);
    hash.number(npc.y);
    hash.number(npc.angle);
    hash.number(npc.hp);
    hash.number(npc.turnInMs);
  }
  hash.number(state.projectiles.length);
  for (const shot of state.projectiles) {
    hash.number(shot.id);
    hash.number(shot.ownerId);
    hash.number(shot.x);
    hash.number(shot.y);
    hash.number(shot.angle);
    hash.number(shot.lifeMs);
  }
}
