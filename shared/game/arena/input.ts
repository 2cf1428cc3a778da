import { wrapAngle } from "./_math.ts";
import { BUTTON_MASK } from "./constants.ts";
import type { ArenaInput } from "./types.ts";

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
