/**
 * Tunables of the arena demo game. Distances are world units, speeds units per second, times
 * milliseconds, hp and scores integers.
 *
 * @example Usage
 * ```ts
 * import { ARENA } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ARENA.worldWidth - 2 * ARENA.playerRadius, 1960);
 * ```
 */
export const ARENA = {
  /** World size along x; x grows to the right. */
  worldWidth: 2000,
  /** World size along y; y grows downwards (screen coordinates). */
  worldHeight: 2000,
  /** Player speed in units per second, also along diagonals. */
  playerSpeed: 200,
  /** NPC speed in units per second. */
  npcSpeed: 100,
  /** How often an NPC picks a new random direction. */
  npcTurnIntervalMs: 2000,
  playerRadius: 20,
  npcRadius: 20,
  /** Projectile speed in units per second. */
  projectileSpeed: 700,
  projectileRadius: 4,
  projectileLifetimeMs: 900,
  /** Shortest time between two shots of one player. */
  fireCooldownMs: 300,
  /** Hp one projectile takes. */
  projectileDamage: 25,
  /** How far the hit-scan beam reaches (half the widest view, so anything on screen). */
  beamRange: 1000,
  /** Shortest time between two beams of one player. */
  beamCooldownMs: 500,
  /** Hp one beam takes. */
  beamDamage: 20,
  maxHp: 100,
  /** How long a killed player stays dead. */
  respawnDelayMs: 3000,
  /** Score for killing a player. */
  killScore: 1,
  /** Score for killing an NPC. */
  npcKillScore: 1,
  /** NPCs in a new state unless `npcCount` is given. */
  defaultNpcCount: 20,
} as const;

/**
 * Bits of {@linkcode ArenaInput.buttons}. Up is towards y = 0. A button held means its bit is set.
 * FIRE launches a projectile, BEAM fires the hit-scan beam (judged where the shooter saw targets).
 *
 * @example Usage
 * ```ts
 * import { Buttons } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const buttons = Buttons.UP | Buttons.FIRE;
 * assert.equal((buttons & Buttons.FIRE) !== 0, true);
 * ```
 */
export const Buttons = { UP: 1, DOWN: 2, LEFT: 4, RIGHT: 8, FIRE: 16, BEAM: 32 } as const;

/** One of the bits in {@linkcode Buttons}. */
export type Buttons = typeof Buttons[keyof typeof Buttons];

/** Every bit of {@linkcode Buttons}; other bits of an input are ignored. */
export const BUTTON_MASK: number = Buttons.UP | Buttons.DOWN | Buttons.LEFT | Buttons.RIGHT |
  Buttons.FIRE | Buttons.BEAM;

/** Kind codes of arena entities, for snapshots that mix players, NPCs and projectiles. */
export const ENTITY_KIND = { PLAYER: 0, NPC: 1, PROJECTILE: 2 } as const;

/** One of the codes in {@linkcode ENTITY_KIND}. */
export type EntityKind = typeof ENTITY_KIND[keyof typeof ENTITY_KIND];
