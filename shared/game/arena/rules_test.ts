import assert from "node:assert/strict";
import { ARENA, Buttons } from "./constants.ts";
import { nextRandom } from "./prng.ts";
import { addPlayer, applyPlayerInput, createArenaState, removePlayer, stepArena } from "./rules.ts";
import type { ArenaEvent, ArenaInput, ArenaPlayer, ArenaState } from "./types.ts";

const TICK_MS = 1000 / 30;
const FIRE_RIGHT: ArenaInput = { buttons: Buttons.FIRE, aim: 0 };
const IDLE: ArenaInput = { buttons: 0, aim: 0 };

/** One server tick: every given input, then the step. Returns the tick's events. */
function tick(state: ArenaState, inputs: ReadonlyArray<[number, ArenaInput]>): ArenaEvent[] {
  const events: ArenaEvent[] = [];
  for (const [id, input] of inputs) applyPlayerInput(state, id, input, TICK_MS, events);
  return stepArena(state, TICK_MS, events);
}

function placePlayer(state: ArenaState, name: string, x: number, y: number): ArenaPlayer {
  const player = addPlayer(state, name);
  player.x = x;
  player.y = y;
  return player;
}

/** A room without NPCs and two players 40 units apart: their circles touch. */
function duel(): { state: ArenaState; shooter: ArenaPlayer; target: ArenaPlayer } {
  const state = createArenaState(1, { npcCount: 0 });
  const shooter = placePlayer(state, "shooter", 500, 500);
  const target = placePlayer(state, "target", 540, 500);
  return { state, shooter, target };
}

function ofType<T extends ArenaEvent["type"]>(
  events: readonly ArenaEvent[],
  type: T,
): Extract<ArenaEvent, { type: T }>[] {
  return events.filter((event): event is Extract<ArenaEvent, { type: T }> => event.type === type);
}

Deno.test("createArenaState() places the same NPCs for the same seed only", () => {
  const a = createArenaState(99, { npcCount: 50 });
  const b = createArenaState(99, { npcCount: 50 });
  const c = createArenaState(100, { npcCount: 50 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.npcs, c.npcs);
  assert.equal(a.npcs.length, 50);
  for (const npc of a.npcs) {
    assert.equal(npc.hp, ARENA.maxHp);
    assert.ok(npc.angle > -Math.PI && npc.angle <= Math.PI);
  }
});

Deno.test("createArenaState() defaults npcCount and rejects a bad one", () => {
  assert.equal(createArenaState(1).npcs.length, ARENA.defaultNpcCount);
  assert.equal(createArenaState(1, { npcCount: 0 }).npcs.length, 0);
  assert.throws(() => createArenaState(1, { npcCount: -1 }), RangeError);
  assert.throws(() => createArenaState(1, { npcCount: 1.5 }), RangeError);
});

Deno.test("stepArena() gives deep-equal states for the same seed and inputs after 300 steps", () => {
  function run(): { state: ArenaState; events: ArenaEvent[] } {
    const state = createArenaState(2024, { npcCount: 30 });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      // Crowded round the centre, so shots hit and kills and respawns happen.
      const player = placePlayer(state, `bot${i}`, 900 + 40 * i, 1000 + 30 * (i % 2));
      ids.push(player.id);
    }
    const bots = { rngState: 5 };
    const events: ArenaEvent[] = [];
    let inputs: [number, ArenaInput][] = [];
    for (let step = 0; step < 300; step++) {
      if (step % 15 === 0) {
        inputs = ids.map((id) => [id, {
          buttons: Math.floor(nextRandom(bots) * 32),
          aim: (nextRandom(bots) - 0.5) * 8,
        }]);
      }
      events.push(...tick(state, inputs));
    }
    return { state, events };
  }
  const a = run();
  const b = run();
  assert.deepEqual(a.state, b.state);
  assert.deepEqual(a.events, b.events);
  assert.ok(Math.abs(a.state.timeMs - 10_000) < 1e-6);
  assert.ok(ofType(a.events, "hit").length > 0, "the run should include hits");
});

Deno.test("addPlayer() gives full hp, a fresh id and a spot clear of others", () => {
  const state = createArenaState(3, { npcCount: 40 });
  const players: ArenaPlayer[] = [];
  for (let i = 0; i < 20; i++) players.push(addPlayer(state, `p${i}`));
  for (const player of players) {
    assert.equal(player.hp, ARENA.maxHp);
    assert.equal(player.respawnInMs, 0);
    assert.equal(state.players.get(player.id), player);
    for (const other of [...players, ...state.npcs]) {
      if (other.id === player.id) continue;
      const distance = Math.hypot(other.x - player.x, other.y - player.y);
      assert.ok(distance >= 2 * ARENA.playerRadius, `${player.id} overlaps ${other.id}`);
    }
  }
});

Deno.test("removePlayer() removes the player; its late inputs are ignored", () => {
  const { state, shooter } = duel();
  assert.equal(removePlayer(state, shooter.id), true);
  assert.equal(state.players.has(shooter.id), false);
  assert.deepEqual(applyPlayerInput(state, shooter.id, FIRE_RIGHT, TICK_MS), []);
  assert.equal(state.projectiles.length, 0);
  assert.equal(removePlayer(state, shooter.id), false);
});

Deno.test("entity ids never collide across players, NPCs and projectiles", () => {
  const state = createArenaState(8, { npcCount: 10 });
  const seen = new Map<number, string>();
  function record(id: number, what: string): void {
    const before = seen.get(id);
    assert.ok(before === undefined || before === what, `id ${id} is ${before} and ${what}`);
    assert.ok(id >= 1 && id < state.nextEntityId);
    seen.set(id, what);
  }
  const first = addPlayer(state, "a");
  const second = addPlayer(state, "b");
  const spin = (step: number): [number, ArenaInput][] =>
    [first.id, second.id].map((id) => [id, { buttons: Buttons.FIRE, aim: step / 5 }]);
  for (let step = 0; step < 60; step++) {
    tick(state, spin(step));
    for (const player of state.players.values()) record(player.id, `player ${player.name}`);
    for (const npc of state.npcs) record(npc.id, "npc");
    for (const shot of state.projectiles) record(shot.id, `projectile of ${shot.ownerId}`);
  }
  removePlayer(state, second.id);
  const third = addPlayer(state, "c");
  assert.ok(!seen.has(third.id), "a new player must not reuse an old id");
  record(third.id, "player c");
  assert.ok(seen.size > 2 + 10 + 10, "the run should fire many projectiles");
});

Deno.test("stepArena() turns each NPC every 2 s and keeps it in the world", () => {
  const state = createArenaState(11, { npcCount: 50 });
  const turnSteps = state.npcs.map((): number[] => []);
  let angles = state.npcs.map((npc) => npc.angle);
  for (let step = 1; step <= 300; step++) {
    stepArena(state, TICK_MS);
    state.npcs.forEach((npc, i) => {
      if (npc.angle !== angles[i]) turnSteps[i]?.push(step);
      assert.ok(npc.x >= ARENA.npcRadius && npc.x <= ARENA.worldWidth - ARENA.npcRadius);
      assert.ok(npc.y >= ARENA.npcRadius && npc.y <= ARENA.worldHeight - ARENA.npcRadius);
    });
    angles = state.npcs.map((npc) => npc.angle);
  }
  for (const steps of turnSteps) assert.deepEqual(steps, [60, 120, 180, 240, 300]);
});

Deno.test("stepArena() walks NPCs at 100 units/s", () => {
  const state = createArenaState(12, { npcCount: 1 });
  const npc = state.npcs[0];
  assert.ok(npc !== undefined);
  npc.x = 1000;
  npc.y = 1000;
  for (let step = 0; step < 30; step++) stepArena(state, TICK_MS);
  assert.ok(Math.abs(Math.hypot(npc.x - 1000, npc.y - 1000) - ARENA.npcSpeed) < 1e-9);
});

Deno.test("stepArena() resolves a shot at an adjacent player as a 25 hp hit", () => {
  const { state, shooter, target } = duel();
  const events = tick(state, [[shooter.id, FIRE_RIGHT]]);
  assert.deepEqual(events, [{
    type: "hit",
    attackerId: shooter.id,
    targetId: target.id,
    damage: ARENA.projectileDamage,
  }]);
  assert.equal(target.hp, ARENA.maxHp - 25);
  assert.equal(shooter.hp, ARENA.maxHp, "a projectile never hits its owner");
  assert.equal(state.projectiles.length, 0);
});

Deno.test("stepArena() resolves a shot at an adjacent NPC as a 25 hp hit", () => {
  const state = createArenaState(4, { npcCount: 1 });
  const npc = state.npcs[0];
  assert.ok(npc !== undefined);
  npc.x = 540;
  npc.y = 500;
  const shooter = placePlayer(state, "shooter", 500, 500);
  const events = tick(state, [[shooter.id, FIRE_RIGHT]]);
  assert.deepEqual(events, [{ type: "hit", attackerId: shooter.id, targetId: npc.id, damage: 25 }]);
  assert.equal(npc.hp, 75);
});

Deno.test("stepArena() kills a player on the 4th hit and scores 1 for the shooter", () => {
  const { state, shooter, target } = duel();
  const hitSteps: number[] = [];
  let killEvents: ArenaEvent[] = [];
  for (let step = 0; step < 30 && killEvents.length === 0; step++) {
    const events = tick(state, [[shooter.id, FIRE_RIGHT]]);
    if (ofType(events, "hit").length > 0) hitSteps.push(step);
    killEvents = ofType(events, "kill");
  }
  assert.deepEqual(hitSteps, [0, 9, 18, 27]);
  assert.deepEqual(killEvents, [{ type: "kill", attackerId: shooter.id, targetId: target.id }]);
  assert.equal(target.hp, 0);
  assert.equal(target.respawnInMs, ARENA.respawnDelayMs);
  assert.equal(shooter.score, ARENA.killScore);
});

Deno.test("stepArena() respawns a dead player with full hp after 3 s", () => {
  const { state, target } = duel();
  target.hp = 0;
  target.respawnInMs = ARENA.respawnDelayMs;
  const respawnSteps: number[] = [];
  for (let step = 1; step <= 120; step++) {
    // Dead players neither move nor fire.
    const before = { x: target.x, y: target.y };
    const events = tick(state, [[target.id, { buttons: Buttons.RIGHT | Buttons.FIRE, aim: 0 }]]);
    if (target.hp === 0) {
      assert.deepEqual({ x: target.x, y: target.y }, before);
      assert.equal(state.projectiles.length, 0);
    }
    if (ofType(events, "respawn").length > 0) {
      assert.deepEqual(ofType(events, "respawn"), [{ type: "respawn", playerId: target.id }]);
      respawnSteps.push(step);
    }
  }
  assert.deepEqual(respawnSteps, [90]);
  assert.equal(target.hp, ARENA.maxHp);
  assert.equal(target.respawnInMs, 0);
});

Deno.test("stepArena() puts a killed NPC back at once with full hp and scores the kill", () => {
  const state = createArenaState(4, { npcCount: 1 });
  const npc = state.npcs[0];
  assert.ok(npc !== undefined);
  npc.x = 540;
  npc.y = 500;
  npc.hp = 25;
  const shooter = placePlayer(state, "shooter", 500, 500);
  const events = tick(state, [[shooter.id, FIRE_RIGHT]]);
  assert.deepEqual(ofType(events, "kill"), [
    { type: "kill", attackerId: shooter.id, targetId: npc.id },
  ]);
  assert.equal(shooter.score, ARENA.npcKillScore);
  assert.equal(state.npcs.length, 1);
  assert.equal(npc.hp, ARENA.maxHp);
  assert.ok(Math.hypot(npc.x - 540, npc.y - 500) > 1, "the NPC should reappear elsewhere");
});

Deno.test("stepArena() lets a shot outlive its owner without scoring for anyone", () => {
  const { state, shooter, target } = duel();
  target.hp = 25;
  applyPlayerInput(state, shooter.id, FIRE_RIGHT, TICK_MS);
  removePlayer(state, shooter.id);
  const events = stepArena(state, TICK_MS);
  assert.deepEqual(ofType(events, "kill"), [
    { type: "kill", attackerId: shooter.id, targetId: target.id },
  ]);
  assert.equal(target.hp, 0);
  // Nobody scores: not the shooter that left, not anyone still in the room.
  assert.equal(shooter.score, 0);
  assert.deepEqual([...state.players.values()].map((player) => [player.id, player.score]), [
    [target.id, 0],
  ]);
});

Deno.test("applyPlayerInput() fires ceil(1000 / 300) shots while FIRE is held for 1 s at 30 Hz", () => {
  const state = createArenaState(5, { npcCount: 0 });
  const player = placePlayer(state, "p", 1000, 1000);
  const firstId = state.nextEntityId;
  const fireSteps: number[] = [];
  for (let step = 0; step < 30; step++) {
    const before = state.nextEntityId;
    tick(state, [[player.id, FIRE_RIGHT]]);
    if (state.nextEntityId > before) fireSteps.push(step);
  }
  assert.equal(state.nextEntityId - firstId, Math.ceil(1000 / ARENA.fireCooldownMs));
  // 9 steps of 33.3 ms are exactly the 300 ms cooldown.
  assert.deepEqual(fireSteps, [0, 9, 18, 27]);
});

Deno.test("applyPlayerInput() spawns the projectile at the player's edge along the aim", () => {
  const state = createArenaState(5, { npcCount: 0 });
  const player = placePlayer(state, "p", 1000, 1000);
  applyPlayerInput(state, player.id, { buttons: Buttons.FIRE, aim: Math.PI / 2 }, TICK_MS);
  const shot = state.projectiles[0];
  assert.ok(shot !== undefined);
  assert.equal(shot.ownerId, player.id);
  assert.ok(Math.abs(shot.x - 1000) < 1e-9);
  assert.ok(Math.abs(shot.y - (1000 + ARENA.playerRadius)) < 1e-9);
  assert.equal(shot.lifeMs, ARENA.projectileLifetimeMs);
  assert.equal(player.angle, Math.PI / 2);
});

Deno.test("applyPlayerInput() sanitises the input before using it", () => {
  const state = createArenaState(5, { npcCount: 0 });
  const player = placePlayer(state, "p", 1000, 1000);
  applyPlayerInput(state, player.id, { buttons: 0xffff_ff00 | Buttons.RIGHT, aim: 100 }, 500);
  assert.equal(player.x, 1100);
  assert.ok(player.angle > -Math.PI && player.angle <= Math.PI);
  assert.equal(state.projectiles.length, 0);
  applyPlayerInput(state, player.id, { buttons: Buttons.FIRE, aim: Number.NaN }, TICK_MS);
  assert.equal(state.projectiles[0]?.angle, 0);
});

Deno.test("stepArena() does not let a fast projectile tunnel through a target", () => {
  const { state, shooter, target } = duel();
  target.x = 650;
  // One 500 ms step flies the shot 350 units, from x 520 to 870: both ends are far from the
  // target at 650, only the path between them crosses it.
  applyPlayerInput(state, shooter.id, FIRE_RIGHT, 500);
  const events = stepArena(state, 500);
  assert.deepEqual(ofType(events, "hit").map((hit) => hit.targetId), [target.id]);
  assert.equal(target.hp, 75);
});

Deno.test("stepArena() hits the first target along the path", () => {
  const { state, shooter, target } = duel();
  target.x = 800;
  const near = placePlayer(state, "near", 650, 500);
  applyPlayerInput(state, shooter.id, FIRE_RIGHT, 500);
  const events = stepArena(state, 500);
  assert.deepEqual(ofType(events, "hit").map((hit) => hit.targetId), [near.id]);
  assert.equal(target.hp, ARENA.maxHp);
});

Deno.test("stepArena() lets projectiles fly through dead players", () => {
  const { state, shooter, target } = duel();
  target.hp = 0;
  target.respawnInMs = ARENA.respawnDelayMs;
  const events = tick(state, [[shooter.id, FIRE_RIGHT]]);
  assert.deepEqual(events, []);
  assert.equal(state.projectiles.length, 1);
});

Deno.test("stepArena() removes a projectile after its 900 ms lifetime", () => {
  const state = createArenaState(6, { npcCount: 0 });
  const player = placePlayer(state, "p", 1000, 1000);
  tick(state, [[player.id, FIRE_RIGHT]]);
  for (let step = 1; step < 26; step++) tick(state, [[player.id, IDLE]]);
  const shot = state.projectiles[0];
  assert.ok(shot !== undefined, "alive after 26 steps");
  tick(state, [[player.id, IDLE]]);
  assert.equal(state.projectiles.length, 0, "gone after 27 steps (900 ms)");
  const range = ARENA.projectileSpeed * ARENA.projectileLifetimeMs / 1000;
  assert.ok(Math.abs(shot.x - (1000 + ARENA.playerRadius + range)) < 1e-9);
});

Deno.test("stepArena() removes a projectile that leaves the world", () => {
  const state = createArenaState(6, { npcCount: 0 });
  const player = placePlayer(state, "p", 1950, 1000);
  // Fired at x 1970, 23.3 units a step: x 1993.3 after the first step, 2016.7 after the second.
  tick(state, [[player.id, FIRE_RIGHT]]);
  assert.equal(state.projectiles.length, 1);
  tick(state, [[player.id, IDLE]]);
  assert.equal(state.projectiles.length, 0);
});

Deno.test("stepArena() and applyPlayerInput() reject a negative, NaN or infinite dtMs", () => {
  const { state, shooter } = duel();
  for (const dtMs of [-1, Number.NaN, Infinity]) {
    assert.throws(() => stepArena(state, dtMs), RangeError);
    assert.throws(() => applyPlayerInput(state, shooter.id, IDLE, dtMs), RangeError);
  }
});
