/**
 * The arena demo game as deterministic pure rules: the server runs them authoritatively and the
 * browser client runs {@linkcode movePlayer} to predict its own player. Same state, inputs and
 * step durations give the same result; the PRNG and the id counter live in the state.
 *
 * A server tick: {@linkcode applyPlayerInput} for each player's latest input, then
 * {@linkcode stepArena}.
 *
 * @example Usage
 * ```ts
 * import {
 *   addPlayer, applyPlayerInput, Buttons, createArenaState, seedFromString, stepArena,
 * } from "./mod.ts";
 * import type { ArenaEvent } from "./mod.ts";
 *
 * const state = createArenaState(seedFromString("room-1"), { npcCount: 10 });
 * const player = addPlayer(state, "ada");
 * const events: ArenaEvent[] = [];
 * const input = { buttons: Buttons.RIGHT | Buttons.FIRE, aim: 0 };
 * applyPlayerInput(state, player.id, input, 1000 / 30, events);
 * stepArena(state, 1000 / 30, events);
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./prng.ts";
export * from "./types.ts";
export * from "./input.ts";
export * from "./movement.ts";
export * from "./rules.ts";
export * from "./beam.ts";
export * from "./state_hash.ts";
