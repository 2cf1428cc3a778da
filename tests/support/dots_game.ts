import type { Game } from "../../server/rooms/game.ts";

/** Button that makes the dots game throw, to test that a failing game closes only its room. */
export const BOOM_BUTTON = 1 << 30;

/** State of the dots test game: dots that move one unit per input along the buttons. */
export interface DotsState {
  nextId: number;
  dots: Map<number, { x: number; y: number }>;
}

/**
 * A minimal game for runtime tests: entity `[id, x, y]`, bit 0 moves +x, bit 1 moves +y. It has
 * nothing of the demo game, which shows the runtime needs nothing of it either.
 */
export function createDotsGame(maxPlayers = 2): Game<DotsState> {
  return {
    name: "dots",
    maxPlayers,
    entitySchema: [{ name: "id" }, { name: "x", hot: true }, { name: "y", hot: true }],
    createState: () => ({ nextId: 1, dots: new Map() }),
    canJoin: (_state, name) => name === "banned" ? "That name is not allowed" : null,
    join(state) {
      const id = state.nextId++;
      state.dots.set(id, { x: 0, y: 0 });
      return id;
    },
    leave(state, playerId) {
      state.dots.delete(playerId);
    },
    applyInput(state, playerId, input) {
      if ((input.buttons & BOOM_BUTTON) !== 0) throw new Error("boom");
      const dot = state.dots.get(playerId);
      if (dot === undefined) return;
      if ((input.buttons & 1) !== 0) dot.x += 1;
      if ((input.buttons & 2) !== 0) dot.y += 1;
    },
    step() {},
    writeEntities(state, out) {
      for (const [id, dot] of state.dots) out.push(id, dot.x, dot.y);
    },
  };
}
