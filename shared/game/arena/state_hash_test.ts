import assert from "node:assert/strict";
import { addPlayer, applyPlayerInput, Buttons, createArenaState, stepArena } from "./mod.ts";
import { hashArenaState } from "./state_hash.ts";
import { StateHasher } from "../../recording/state_hasher.ts";
import type { ArenaState } from "./types.ts";

/** The numbers the hash is fed, in order: two states hash alike exactly when these are alike. */
function digest(state: ArenaState): string {
  const values: number[] = [];
  hashArenaState(state, { number: (value) => values.push(value) });
  return values.join(",");
}

/** The 32-bit hash the recorder keeps. */
function hash32(state: ArenaState): number {
  const hasher = new StateHasher();
  hashArenaState(state, hasher);
  return hasher.digest();
}

Deno.test("hashArenaState() covers every numeric field of the state, its players, NPCs and shots", () => {
  const state = createArenaState(11, { npcCount: 3 });
  const ada = addPlayer(state, "ada");
  addPlayer(state, "bo");
  applyPlayerInput(state, ada.id, { buttons: Buttons.FIRE | Buttons.RIGHT, aim: 0.5 }, 1000 / 30);
  stepArena(state, 1000 / 30);
  assert.equal(state.projectiles.length, 1);
  const before = digest(state);
  const beforeHash = hash32(state);
  const entry = (what: string, object: object): [string, Record<string, unknown>] => [
    what,
    object as Record<string, unknown>,
  ];
  const objects = [
    entry("state", state),
    ...[...state.players.values()].map((player) => entry(`player ${player.id}`, player)),
    ...state.npcs.map((npc) => entry(`npc ${npc.id}`, npc)),
    ...state.projectiles.map((shot) => entry(`shot ${shot.id}`, shot)),
  ];
  let fields = 0;
  for (const [what, object] of objects) {
    for (const [key, value] of Object.entries(object)) {
      if (typeof value !== "number") continue;
      fields++;
      object[key] = value + 1e-9 * Math.max(1, Math.abs(value));
      assert.notEqual(digest(state), before, `${what}.${key} is not hashed`);
      assert.notEqual(hash32(state), beforeHash, `${what}.${key} does not change the 32-bit hash`);
      object[key] = value;
    }
  }
  assert.equal(digest(state), before);
  assert.equal(hash32(state), beforeHash);
  // time, rng, id counter; 2 players × 10 (hue included); 3 NPCs × 6; 1 shot × 6.
  assert.equal(fields, 3 + 20 + 18 + 6);
  // Who is in the room counts too, not only their fields.
  state.projectiles.length = 0;
  assert.notEqual(digest(state), before);
});
