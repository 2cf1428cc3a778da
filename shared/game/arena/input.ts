import { defineInput, type InputLayout } from "../../protocol/input_schema.ts";
import { wrapAngle } from "./_math.ts";
import { BUTTON_MASK } from "./constants.ts";
import type { ArenaInput } from "./types.ts";

/**
 * What an arena client sends every tick: the held {@linkcode Buttons} (6 bits) and the aim in
 * radians, to 1/10,000 rad within ±1000 rad (a pointer's `atan2` is within ±π; the margin lets a
 * client send an unwrapped angle).
 */
export const ARENA_INPUT: InputLayout<"buttons" | "aim"> = defineInput([
  { name: "buttons", type: "bits", bits: 6 },
  { name: "aim", type: "axis", min: -1000, max: 1000, scale: 10_000 },
]);

/** The aim as the server will see it; a client predicts its own moves with this. */
export function quantizeAim(aim: number): number {
  return ARENA_INPUT.quantize(1, aim);
}

/** An arena input as the values of an input frame, in {@linkcode ARENA_INPUT}'s order. */
export function arenaInputValues(input: ArenaInput): [number, number] {
  return [input.buttons, input.aim];
}

/**
 * Returns the input the server trusts: unknown button bits dropped (non-integers truncate, NaN
 * and ±Infinity give no buttons), aim wrapped into (-π, π] with NaN and ±Infinity as 0.
 * Written into `out` (a new object by default); `input` is not changed unless it is `out`.
 *
 * @example Usage
 * ```ts
 * import { Buttons, sanitizeInput } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const input = sanitizeInput({ buttons: 0xff, aim: Number.NaN });
 * const all = Buttons.UP | Buttons.DOWN | Buttons.LEFT | Buttons.RIGHT | Buttons.FIRE | Buttons.BEAM;
 * assert.equal(input.buttons, all);
 * assert.equal(input.aim, 0);
 * ```
 */
export function sanitizeInput(
  input: ArenaInput,
  out: ArenaInput = { buttons: 0, aim: 0 },
): ArenaInput {
  // `out` lets a hot path reuse one object; it may be `input` itself.
  out.buttons = input.buttons & BUTTON_MASK;
  out.aim = wrapAngle(input.aim);
  return out;
}
