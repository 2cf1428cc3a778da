/**
 * The racing demo game's rules: declarations (input axes, the `ready` command), state and pure,
 * deterministic steps, shared by the server and the client's prediction.
 *
 * @example A race of one
 * ```ts
 * import {
 *   addCar, applyRacingInput, createRacingState, PHASE, setReady, stepRacing,
 * } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createRacingState();
 * const car = addCar(state, "ada");
 * setReady(state, car.id);
 * for (let tick = 0; tick < 91; tick++) stepRacing(state, 1000 / 30);
 * assert.equal(state.phase, PHASE.RACING);
 * applyRacingInput(state, car.id, { throttle: 1, steer: 0 }, 1000 / 30);
 * assert.ok(car.speed > 0);
 * ```
 * @module
 */
export * from "./rules.ts";
export * from "./schema.ts";
