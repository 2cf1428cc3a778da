import { segmentCircleEntry } from "./_collision.ts";
import { angleFromUnit, clamp } from "./_math.ts";
import { cosOf, sinOf } from "./_trig.ts";
import { placeAtFreeSpot } from "./_spawn.ts";
import { assertDtMs, TIMER_EPSILON_MS } from "./_time.ts";
import { ARENA, Buttons } from "./constants.ts";
import { sanitizeInput } from "./input.ts";
import { movePlayer } from "./movement.ts";
import { nextRandom } from "./prng.ts";
import type { ArenaEvent, ArenaInput, ArenaNpc, ArenaPlayer, ArenaState } from "./types.ts";

/** Options of {@linkcode createArenaState}. */
export interface ArenaOptions {
  /**
   * How many NPCs wander the arena; an integer >= 0.
   * @default {20} (`ARENA.defaultNpcCount`)
   */
  npcCount?: number;
}

/**
 * Creates a room's state with its NPCs at random spots. The same seed always gives the same state.
 *
 * @param seed Any number; only its low 32 bits count. Use {@linkcode seedFromString} for a room id.
 * @throws {RangeError} If `npcCount` is not an integer >= 0.
 *
 * @example Usage
 * ```ts
 * import { createArenaState } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createArenaState(7, { npcCount: 3 });
 * assert.deepEqual(state.npcs.map((npc) => npc.id), [1, 2, 3]);
 * assert.equal(state.nextEntityId, 4);
 * ```
 */
export function createArenaState(seed: number, options: ArenaOptions = {}): ArenaState {
  const npcCount = options.npcCount ?? ARENA.defaultNpcCount;
  if (!Number.isInteger(npcCount) || npcCount < 0) {
    throw new RangeError(
      `Cannot create arena state: npcCount must be an integer >= 0, got ${npcCount}`,
    );
  }
  const state: ArenaState = {
    timeMs: 0,
    rngState: seed >>> 0,
    nextEntityId: 1,
    players: new Map(),
    npcs: [],
    projectiles: [],
  };
  for (let i = 0; i < npcCount; i++) {
    const npc: ArenaNpc = {
      id: state.nextEntityId++,
      x: 0,
      y: 0,
      angle: 0,
      hp: ARENA.maxHp,
      turnInMs: ARENA.npcTurnIntervalMs,
    };
    placeAtFreeSpot(state, npc, ARENA.npcRadius);
    npc.angle = angleFromUnit(nextRandom(state));
    state.npcs.push(npc);
  }
  return state;
}

/** A player as it starts: full health, no score, at the origin until placed. */
export function newPlayer(id: number, name: string): ArenaPlayer {
  return {
    id,
    name,
    x: 0,
    y: 0,
    angle: 0,
    hp: ARENA.maxHp,
    score: 0,
    fireCooldownMs: 0,
    beamCooldownMs: 0,
    respawnInMs: 0,
  };
}

/**
 * Adds a player with full hp at a random spot clear of other live players and NPCs (when the
 * room has one) and returns it; its `id` is a fresh entity id.
 *
 * @example Usage
 * ```ts
 * import { addPlayer, createArenaState } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createArenaState(7, { npcCount: 0 });
 * const player = addPlayer(state, "ada");
 * assert.equal(state.players.get(player.id), player);
 * ```
 */
export function addPlayer(state: ArenaState, name: string): ArenaPlayer {
  const player = newPlayer(state.nextEntityId++, name);
  placeAtFreeSpot(state, player, ARENA.playerRadius);
  state.players.set(player.id, player);
  return player;
}

/**
 * Removes a player; returns whether it was there. Its projectiles fly on but score for no one.
 *
 * @example Usage
 * ```ts
 * import { addPlayer, createArenaState, removePlayer } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createArenaState(7);
 * const player = addPlayer(state, "ada");
 * assert.equal(removePlayer(state, player.id), true);
 * assert.equal(removePlayer(state, player.id), false);
 * ```
 */
export function removePlayer(state: ArenaState, id: number): boolean {
  return state.players.delete(id);
}

/**
 * Applies one input of a player for `dtMs`: sanitises it, moves the player with
 * {@linkcode movePlayer}, and fires a projectile from the player's edge along the aim if FIRE is
 * held and the cooldown is over. Does nothing for an unknown or dead player, so a late input of a
 * player who just left is harmless. Call it before {@linkcode stepArena}, which runs the cooldown
 * down and moves the new projectile in the same tick.
 *
 * Hits are resolved in {@linkcode stepArena}, so no input pushes an event yet; `events` is taken
 * and returned so a tick can collect both phases into one array.
 *
 * @throws {RangeError} If `dtMs` is negative, NaN or infinite.
 *
 * @example Usage
 * ```ts
 * import { addPlayer, applyPlayerInput, Buttons, createArenaState } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createArenaState(7, { npcCount: 0 });
 * const player = addPlayer(state, "ada");
 * applyPlayerInput(state, player.id, { buttons: Buttons.FIRE, aim: 0 }, 1000 / 30);
 * assert.equal(state.projectiles.length, 1);
 * ```
 */
export function applyPlayerInput(
  state: ArenaState,
  playerId: number,
  input: ArenaInput,
  dtMs: number,
  events: ArenaEvent[] = [],
): ArenaEvent[] {
  assertDtMs(dtMs, "apply player input");
  const player = state.players.get(playerId);
  if (player === undefined || player.hp <= 0) return events;
  const clean = sanitizeInput(input, CLEAN_INPUT);
  movePlayer(player, clean, dtMs);
  if ((clean.buttons & Buttons.FIRE) !== 0 && player.fireCooldownMs <= TIMER_EPSILON_MS) {
    state.projectiles.push({
      id: state.nextEntityId++,
      ownerId: player.id,
      x: player.x + cosOf(clean.aim) * ARENA.playerRadius,
      y: player.y + sinOf(clean.aim) * ARENA.playerRadius,
      angle: clean.aim,
      lifeMs: ARENA.projectileLifetimeMs,
    });
    player.fireCooldownMs = ARENA.fireCooldownMs;
  }
  return events;
}

/** The sanitized input of {@linkcode applyPlayerInput}, reused: one object less per input. */
const CLEAN_INPUT: ArenaInput = { buttons: 0, aim: 0 };

/**
 * Advances the world by `dtMs`: runs fire cooldowns and respawn timers down and respawns the
 * players whose time is up, walks and turns the NPCs, flies the projectiles and resolves their
 * hits, kills and scores. Pushes what happened onto `events` and returns it; pass one array per
 * tick to avoid allocating.
 *
 * @throws {RangeError} If `dtMs` is negative, NaN or infinite.
 *
 * @example Usage
 * ```ts
 * import { createArenaState, stepArena } from "./mod.ts";
 * import type { ArenaEvent } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createArenaState(7);
 * const events: ArenaEvent[] = [];
 * for (let tick = 0; tick < 30; tick++) {
 *   events.length = 0;
 *   stepArena(state, 1000 / 30, events);
 * }
 * assert.ok(Math.abs(state.timeMs - 1000) < 1e-9);
 * ```
 */
export function stepArena(
  state: ArenaState,
  dtMs: number,
  events: ArenaEvent[] = [],
): ArenaEvent[] {
  assertDtMs(dtMs, "step arena");
  state.timeMs += dtMs;
  stepPlayers(state, dtMs, events);
  stepNpcs(state, dtMs);
  stepProjectiles(state, dtMs, events);
  return events;
}

function stepPlayers(state: ArenaState, dtMs: number, events: ArenaEvent[]): void {
  for (const player of state.players.values()) {
    // Clamped at 0 rather than carried below it: a shot taken late must not shorten the next wait.
    if (player.fireCooldownMs > 0) {
      player.fireCooldownMs = player.fireCooldownMs > dtMs ? player.fireCooldownMs - dtMs : 0;
    }
    if (player.beamCooldownMs > 0) {
      player.beamCooldownMs = player.beamCooldownMs > dtMs ? player.beamCooldownMs - dtMs : 0;
    }
    if (player.hp > 0) continue;
    player.respawnInMs -= dtMs;
    if (player.respawnInMs > TIMER_EPSILON_MS) continue;
    placeAtFreeSpot(state, player, ARENA.playerRadius);
    player.hp = ARENA.maxHp;
    player.respawnInMs = 0;
    events.push({ type: "respawn", playerId: player.id });
  }
}

const NPC_MIN_X = ARENA.npcRadius;
const NPC_MAX_X = ARENA.worldWidth - ARENA.npcRadius;
const NPC_MIN_Y = ARENA.npcRadius;
const NPC_MAX_Y = ARENA.worldHeight - ARENA.npcRadius;

function stepNpcs(state: ArenaState, dtMs: number): void {
  const distance = ARENA.npcSpeed * dtMs / 1000;
  const npcs = state.npcs;
  for (let i = 0; i < npcs.length; i++) {
    const npc = npcs[i];
    if (npc === undefined) continue;
    npc.turnInMs -= dtMs;
    if (npc.turnInMs <= TIMER_EPSILON_MS) {
      npc.angle = angleFromUnit(nextRandom(state));
      // Carried, so the mean interval stays 2 s when the step does not divide it; a step longer
      // than the interval turns once and starts afresh.
      npc.turnInMs += ARENA.npcTurnIntervalMs;
      if (npc.turnInMs <= TIMER_EPSILON_MS) npc.turnInMs = ARENA.npcTurnIntervalMs;
    }
    npc.x = clamp(npc.x + cosOf(npc.angle) * distance, NPC_MIN_X, NPC_MAX_X);
    npc.y = clamp(npc.y + sinOf(npc.angle) * distance, NPC_MIN_Y, NPC_MAX_Y);
  }
}

const PLAYER_HIT_RADIUS = ARENA.playerRadius + ARENA.projectileRadius;
const NPC_HIT_RADIUS = ARENA.npcRadius + ARENA.projectileRadius;
const MAX_HIT_RADIUS = Math.max(PLAYER_HIT_RADIUS, NPC_HIT_RADIUS);

function stepProjectiles(state: ArenaState, dtMs: number, events: ArenaEvent[]): void {
  const projectiles = state.projectiles;
  if (projectiles.length === 0) return;
  // One array per tick, not one Map iterator per projectile.
  const players = Array.from(state.players.values());
  const npcs = state.npcs;
  // In-place compaction keeps firing order, which decides who hits first.
  let kept = 0;
  for (let i = 0; i < projectiles.length; i++) {
    const projectile = projectiles[i];
    if (projectile === undefined) continue;
    const travelMs = projectile.lifeMs < dtMs ? projectile.lifeMs : dtMs;
    const distance = ARENA.projectileSpeed * travelMs / 1000;
    const x0 = projectile.x;
    const y0 = projectile.y;
    const dx = cosOf(projectile.angle) * distance;
    const dy = sinOf(projectile.angle) * distance;
    // Bounding box of the swept segment, to skip most targets before the exact test.
    const minX = (dx < 0 ? x0 + dx : x0) - MAX_HIT_RADIUS;
    const maxX = (dx < 0 ? x0 : x0 + dx) + MAX_HIT_RADIUS;
    const minY = (dy < 0 ? y0 + dy : y0) - MAX_HIT_RADIUS;
    const maxY = (dy < 0 ? y0 : y0 + dy) + MAX_HIT_RADIUS;

    let bestT = 2;
    let hitPlayer: ArenaPlayer | undefined;
    let hitNpc: ArenaNpc | undefined;
    for (let j = 0; j < players.length; j++) {
      const target = players[j];
      if (target === undefined || target.hp <= 0 || target.id === projectile.ownerId) continue;
      if (target.x < minX || target.x > maxX || target.y < minY || target.y > maxY) continue;
      const t = segmentCircleEntry(x0, y0, dx, dy, target.x, target.y, PLAYER_HIT_RADIUS);
      if (t >= 0 && t < bestT) {
        bestT = t;
        hitPlayer = target;
      }
    }
    for (let j = 0; j < npcs.length; j++) {
      const target = npcs[j];
      if (target === undefined) continue;
      if (target.x < minX || target.x > maxX || target.y < minY || target.y > maxY) continue;
      const t = segmentCircleEntry(x0, y0, dx, dy, target.x, target.y, NPC_HIT_RADIUS);
      if (t >= 0 && t < bestT) {
        bestT = t;
        hitNpc = target;
        hitPlayer = undefined;
      }
    }
    if (hitPlayer !== undefined) {
      hitPlayerWith(state, hitPlayer, projectile.ownerId, events);
      continue;
    }
    if (hitNpc !== undefined) {
      hitNpcWith(state, hitNpc, projectile.ownerId, events);
      continue;
    }

    projectile.x = x0 + dx;
    projectile.y = y0 + dy;
    projectile.lifeMs -= dtMs;
    if (
      projectile.lifeMs <= TIMER_EPSILON_MS || projectile.x < 0 ||
      projectile.x > ARENA.worldWidth || projectile.y < 0 || projectile.y > ARENA.worldHeight
    ) continue;
    projectiles[kept++] = projectile;
  }
  projectiles.length = kept;
}

/** Take `damage` hp from a player: a hit event, and a kill (scored) if it was its last. */
export function hitPlayerWith(
  state: ArenaState,
  target: ArenaPlayer,
  attackerId: number,
  events: ArenaEvent[],
  damage: number = ARENA.projectileDamage,
): void {
  target.hp -= damage;
  events.push({ type: "hit", attackerId, targetId: target.id, damage });
  if (target.hp > 0) return;
  target.hp = 0;
  target.respawnInMs = ARENA.respawnDelayMs;
  const attacker = state.players.get(attackerId);
  if (attacker !== undefined) attacker.score += ARENA.killScore;
  events.push({ type: "kill", attackerId, targetId: target.id });
}

/** Take `damage` hp from an NPC: a hit event, and a kill (scored, NPC respawned) if it was its last. */
export function hitNpcWith(
  state: ArenaState,
  target: ArenaNpc,
  attackerId: number,
  events: ArenaEvent[],
  damage: number = ARENA.projectileDamage,
): void {
  target.hp -= damage;
  events.push({ type: "hit", attackerId, targetId: target.id, damage });
  if (target.hp > 0) return;
  const attacker = state.players.get(attackerId);
  if (attacker !== undefined) attacker.score += ARENA.npcKillScore;
  events.push({ type: "kill", attackerId, targetId: target.id });
  // NPCs never stay dead: the room keeps its NPC count, and the id stays the same.
  target.hp = ARENA.maxHp;
  placeAtFreeSpot(state, target, ARENA.npcRadius);
}
