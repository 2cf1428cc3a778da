import { TIMER_EPSILON_MS } from "./_time.ts";
import { ARENA, Buttons } from "./constants.ts";
import { sanitizeInput } from "./input.ts";
import { hitNpcWith, hitPlayerWith } from "./rules.ts";
import type { ArenaEvent, ArenaInput, ArenaNpc, ArenaPlayer, ArenaState } from "./types.ts";

/** What a beam asks of the world; the fields the server's rewind answers with. */
export interface BeamHit {
  /** The entity the beam enters first, or 0. */
  id: number;
  /** The entity hit, or the one the beam passed closest to, or 0. */
  nearestId: number;
  /** Where `nearestId` was judged to be. */
  x: number;
  y: number;
}

/**
 * Where the beam looks for targets. The server passes the runtime's rewind, which places every
 * other entity where the shooter's client drew it; without one, targets are where they are now.
 */
export interface BeamWorld {
  /** How far back targets are placed, ms. */
  readonly rewindMs: number;
  /**
   * The first entity a ray from (`x`, `y`) along the unit vector (`dirX`, `dirY`) enters within
   * `range`; `radiusOf(id)` is an entity's hit radius, 0 if it cannot be hit.
   */
  raycast(
    x: number,
    y: number,
    dirX: number,
    dirY: number,
    range: number,
    radiusOf: (id: number) => number,
  ): BeamHit;
}

/**
 * Applies the BEAM button of one input: fires the player's beam if it is held, the player is
 * alive and its beam cooldown is over. Call it after `applyPlayerInput` (which moves the player)
 * with the same input, so the beam leaves from where the player's own client predicted it.
 * Returns whether a beam was fired.
 *
 * @example Usage
 * ```ts
 * import { addPlayer, applyBeamInput, Buttons, createArenaState } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createArenaState(7, { npcCount: 0 });
 * const player = addPlayer(state, "ada");
 * const input = { buttons: Buttons.BEAM, aim: 0 };
 * assert.equal(applyBeamInput(state, player.id, input, undefined, []), true);
 * assert.equal(applyBeamInput(state, player.id, input, undefined, []), false, "cooling down");
 * ```
 */
export function applyBeamInput(
  state: ArenaState,
  playerId: number,
  input: ArenaInput,
  world: BeamWorld | undefined,
  events: ArenaEvent[],
): boolean {
  const player = state.players.get(playerId);
  if (player === undefined || player.hp <= 0) return false;
  const clean = sanitizeInput(input, CLEAN_INPUT);
  if ((clean.buttons & Buttons.BEAM) === 0 || player.beamCooldownMs > TIMER_EPSILON_MS) {
    return false;
  }
  fireBeam(state, player, clean.aim, world, events);
  return true;
}

const CLEAN_INPUT: ArenaInput = { buttons: 0, aim: 0 };

/**
 * Fires the hit-scan beam of `player` along `aim` (radians, sanitised): from its centre, up to
 * `ARENA.beamRange`, into the first live player or NPC in `world` (the present when `world` is
 * undefined). Pushes a `beam` event, then `hit` (and `kill`) if it hit, and starts the cooldown.
 * The caller checks the cooldown and that the player is alive.
 *
 * @example Usage
 * ```ts
 * import { addPlayer, ARENA, createArenaState, fireBeam } from "./mod.ts";
 * import type { ArenaEvent } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createArenaState(7, { npcCount: 0 });
 * const shooter = addPlayer(state, "ada");
 * const target = addPlayer(state, "bob");
 * target.x = shooter.x + 300;
 * target.y = shooter.y;
 * const events: ArenaEvent[] = [];
 * fireBeam(state, shooter, 0, undefined, events);
 * assert.equal(target.hp, ARENA.maxHp - ARENA.beamDamage);
 * ```
 */
export function fireBeam(
  state: ArenaState,
  player: ArenaPlayer,
  aim: number,
  world: BeamWorld | undefined,
  events: ArenaEvent[],
): void {
  player.beamCooldownMs = ARENA.beamCooldownMs;
  const dirX = Math.cos(aim), dirY = Math.sin(aim);
  const radiusOf = (id: number): number => beamRadius(state, id);
  const hit = world === undefined
    ? castInPresent(state, player, dirX, dirY, radiusOf)
    : world.raycast(player.x, player.y, dirX, dirY, ARENA.beamRange, radiusOf);
  events.push({
    type: "beam",
    attackerId: player.id,
    targetId: hit.id,
    nearestId: hit.nearestId,
    nearestX: hit.x,
    nearestY: hit.y,
    rewindMs: world?.rewindMs ?? 0,
  });
  if (hit.id === 0) return;
  const targetPlayer = state.players.get(hit.id);
  if (targetPlayer !== undefined) {
    hitPlayerWith(state, targetPlayer, player.id, events, ARENA.beamDamage);
    return;
  }
  const npc = findNpc(state, hit.id);
  if (npc !== undefined) hitNpcWith(state, npc, player.id, events, ARENA.beamDamage);
}

/** Hit radius of entity `id` now: live players and NPCs can be hit, nothing else. */
function beamRadius(state: ArenaState, id: number): number {
  const player = state.players.get(id);
  if (player !== undefined) return player.hp > 0 ? ARENA.playerRadius : 0;
  return findNpc(state, id) === undefined ? 0 : ARENA.npcRadius;
}

function findNpc(state: ArenaState, id: number): ArenaNpc | undefined {
  // NPCs are made first with ids 1, 2, 3…: their index is id − 1 unless a state was built by hand.
  const npcs = state.npcs, guess = npcs[id - 1];
  if (guess?.id === id) return guess;
  return npcs.find((npc) => npc.id === id);
}

/** The beam against the present positions: what a server without lag compensation judges. */
function castInPresent(
  state: ArenaState,
  shooter: ArenaPlayer,
  dirX: number,
  dirY: number,
  radiusOf: (id: number) => number,
): BeamHit {
  const hit: BeamHit = { id: 0, nearestId: 0, x: 0, y: 0 };
  let bestEntry = Number.POSITIVE_INFINITY, bestMiss = Number.POSITIVE_INFINITY;
  const consider = (id: number, x: number, y: number): void => {
    if (id === shooter.id) return;
    const radius = radiusOf(id);
    if (!(radius > 0)) return;
    const offsetX = x - shooter.x, offsetY = y - shooter.y;
    const along = offsetX * dirX + offsetY * dirY;
    if (along < -radius || along > ARENA.beamRange + radius) return;
    const across = Math.abs(offsetX * dirY - offsetY * dirX);
    if (across <= radius) {
      const entry = Math.max(0, along - Math.sqrt(radius * radius - across * across));
      if (entry < bestEntry) {
        bestEntry = entry;
        Object.assign(hit, { id, nearestId: id, x, y });
      }
    } else if (hit.id === 0 && along >= 0 && across - radius < bestMiss) {
      bestMiss = across - radius;
      Object.assign(hit, { nearestId: id, x, y });
    }
  };
  for (const player of state.players.values()) consider(player.id, player.x, player.y);
  for (const npc of state.npcs) consider(npc.id, npc.x, npc.y);
  return hit;
}
