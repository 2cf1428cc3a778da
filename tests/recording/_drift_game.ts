import type { Game } from "../../server/rooms/game.ts";

/** Button that makes the drift game throw, to test the recording of a crash. */
export const DRIFT_BOOM = 1 << 20;

/** State of the drift test game: dots that drift with their input and a seeded generator. */
export interface DriftState {
  tick: number;
  rng: number;
  nextId: number;
  dots: Map<number, { x: number; y: number }>;
}

/**
 * A small deterministic test game with a state hash: each tick every dot drifts by its input
 * and by the state's own generator. With `randomFromTick`, the step adds `Math.random()` to the
 * first dot from that tick on: the planted non-determinism the replay must find.
 */
export function createDriftGame(options: { randomFromTick?: number } = {}): Game<DriftState> {
  return {
    name: "drift",
    version: "1",
    maxPlayers: 8,
    entitySchema: [{ name: "id" }, { name: "x", scale: 8 }, { name: "y", scale: 8 }],
    createState: (_roomId, seed) => ({ tick: 0, rng: seed, nextId: 1, dots: new Map() }),
    join(state) {
      const id = state.nextId++;
      state.dots.set(id, { x: id, y: 0 });
      return id;
    },
    leave(state, playerId) {
      state.dots.delete(playerId);
    },
    applyInput(state, playerId, input) {
      if ((input.buttons & DRIFT_BOOM) !== 0) throw new Error("boom");
      const dot = state.dots.get(playerId);
      if (dot === undefined) return;
      dot.x += (input.buttons & 1) - ((input.buttons >> 1) & 1) + Math.cos(input.aim) / 3;
    },
    step(state) {
      state.tick++;
      for (const dot of state.dots.values()) {
        state.rng = (Math.imul(state.rng, 1664525) + 1013904223) >>> 0;
        dot.y += state.rng / 2 ** 32 - 0.5;
      }
      const planted = options.randomFromTick;
      if (planted !== undefined && state.tick >= planted) {
        const first = state.dots.values().next().value;
        if (first !== undefined) first.x += Math.random();
      }
    },
    writeEntities(state, out) {
      for (const [id, dot] of state.dots) out.push(id, dot.x, dot.y);
    },
    hashState(state, hash) {
      hash.number(state.tick);
      hash.number(state.rng);
      hash.number(state.nextId);
      for (const [id, dot] of state.dots) {
        hash.number(id);
        hash.number(dot.x);
        hash.number(dot.y);
      }
    },
  };
}
