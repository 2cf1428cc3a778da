import type { Game } from "../../server/rooms/game.ts";

/** Button that makes the dots game throw in `applyInput`, to test that a failing game closes only its room. */
export const BOOM_BUTTON = 1 << 30;
/** Button that makes the dots game's next `step` throw. */
export const BOOM_STEP_BUTTON = 1 << 29;
/** Button that makes the dots game's next `writeEntities` throw. */
export const BOOM_WRITE_BUTTON = 1 << 28;
/** A player joining under this name makes `join` throw. */
export const BOOM_JOIN_NAME = "boom-join";
/** A player joined under this name makes `leave` throw when it leaves. */
export const BOOM_LEAVE_NAME = "boom-leave";

/** State of the dots test game: dots that move one unit per input along the buttons. */
export interface DotsState {
  nextId: number;
  dots: Map<number, { x: number; y: number }>;
  /** Players whose leave throws (joined as {@linkcode BOOM_LEAVE_NAME}). */
  fragile: Set<number>;
  /** The hook that throws next, set by a boom button. */
  failNext: "step" | "writeEntities" | null;
}

/**
 * A minimal game for runtime tests: entity `[id, x, y]`, bit 0 moves +x, bit 1 moves +y. It has
 * nothing of the demo game, which shows the runtime needs nothing of it either. Each hook throws
 * on demand (the `BOOM_*` buttons and names), for fault-isolation tests.
 */
export function createDotsGame(maxPlayers = 2): Game<DotsState> {
  return {
    name: "dots",
    maxPlayers,
    entitySchema: [{ name: "id" }, { name: "x", hot: true }, { name: "y", hot: true }],
    createState: () => ({ nextId: 1, dots: new Map(), fragile: new Set(), failNext: null }),
    canJoin: (_state, name) => name === "banned" ? "That name is not allowed" : null,
    join(state, name) {
      if (name === BOOM_JOIN_NAME) throw new Error("boom in join");
      const id = state.nextId++;
      state.dots.set(id, { x: 0, y: 0 });
      if (name === BOOM_LEAVE_NAME) state.fragile.add(id);
      return id;
    },
    leave(state, playerId) {
      if (state.fragile.has(playerId)) throw new Error("boom in leave");
      state.dots.delete(playerId);
    },
    applyInput(state, playerId, input) {
      if ((input.buttons & BOOM_BUTTON) !== 0) throw new Error("boom in applyInput");
      if ((input.buttons & BOOM_STEP_BUTTON) !== 0) state.failNext = "step";
      if ((input.buttons & BOOM_WRITE_BUTTON) !== 0) state.failNext = "writeEntities";
      const dot = state.dots.get(playerId);
      if (dot === undefined) return;
      if ((input.buttons & 1) !== 0) dot.x += 1;
      if ((input.buttons & 2) !== 0) dot.y += 1;
    },
    step(state) {
      if (state.failNext === "step") throw new Error("boom in step");
    },
    writeEntities(state, out) {
      if (state.failNext === "writeEntities") throw new Error("boom in writeEntities");
      for (const [id, dot] of state.dots) out.push(id, dot.x, dot.y);
    },
  };
}
