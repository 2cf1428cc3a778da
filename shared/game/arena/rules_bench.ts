import { Buttons } from "./constants.ts";
import { nextRandom } from "./prng.ts";
import { addPlayer, applyPlayerInput, createArenaState, stepArena } from "./rules.ts";
import type { ArenaEvent, ArenaInput, ArenaState } from "./types.ts";

const TICK_MS = 1000 / 30;

/** The workload's S2 room: 64 players and 200 NPCs, each bot with its own input. */
function s2Room(fire: boolean): { state: ArenaState; inputs: [number, ArenaInput][] } {
  const state = createArenaState(1, { npcCount: 200 });
  const bots = { rngState: 2 };
  const inputs: [number, ArenaInput][] = [];
  for (let i = 0; i < 64; i++) {
    const player = addPlayer(state, `bot${i}`);
    const moveBits = Math.floor(nextRandom(bots) * 16);
    const buttons = fire ? moveBits | Buttons.FIRE : moveBits;
    inputs.push([player.id, { buttons, aim: (nextRandom(bots) * 2 - 1) * Math.PI }]);
  }
  return { state, inputs };
}

function benchTick(fire: boolean): (b: Deno.BenchContext) => void {
  return (b) => {
    const { state, inputs } = s2Room(fire);
    const events: ArenaEvent[] = [];
    // Warm up to the steady projectile count (3 in flight per firing player).
    for (let i = 0; i < 60; i++) {
      events.length = 0;
      for (const [id, input] of inputs) applyPlayerInput(state, id, input, TICK_MS, events);
      stepArena(state, TICK_MS, events);
    }
    b.start();
    for (let i = 0; i < 30; i++) {
      events.length = 0;
      for (const [id, input] of inputs) applyPlayerInput(state, id, input, TICK_MS, events);
      stepArena(state, TICK_MS, events);
    }
    b.end();
  };
}

Deno.bench("S2 room, 30 ticks: 64 players moving, 200 NPCs", { baseline: true }, benchTick(false));
Deno.bench("S2 room, 30 ticks: 64 players moving and firing, 200 NPCs", benchTick(true));
