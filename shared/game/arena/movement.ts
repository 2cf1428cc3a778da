import { clamp } from "./_math.ts";
import { assertDtMs } from "./_time.ts";
import { ARENA, Buttons } from "./constants.ts";
import type { ArenaInput, ArenaPlayer } from "./types.ts";

const MIN_X = ARENA.playerRadius;
const MAX_X = ARENA.worldWidth - ARENA.playerRadius;
const MIN_Y = ARENA.playerRadius;
const MAX_Y = ARENA.worldHeight - ARENA.playerRadius;

/**
 * Moves a live player by one input held for `dtMs`: the server's authoritative move and the
 * client's prediction, so both must call exactly this. Opposite buttons cancel, a diagonal is as
 * fast as a straight line, the player stops at the walls, and `angle` becomes `input.aim`.
 * A dead player does not move or turn. Pass a {@linkcode sanitizeInput}d input.
 *
 * @throws {RangeError} If `dtMs` is negative, NaN or infinite.
 *
 * @example Usage
 * ```ts
 * import { Buttons, movePlayer } from "./mod.ts";
 * import type { ArenaPlayer } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const player: ArenaPlayer = {
 *   id: 1, name: "a", x: 100, y: 100, angle: 0,
 *   hp: 100, score: 0, fireCooldownMs: 0, beamCooldownMs: 0, respawnInMs: 0,
 * };
 * movePlayer(player, { buttons: Buttons.RIGHT, aim: 0 }, 500);
 * assert.equal(player.x, 200);
 * ```
 */
export function movePlayer(player: ArenaPlayer, input: ArenaInput, dtMs: number): void {
  assertDtMs(dtMs, "move player");
  if (player.hp <= 0) return;
  player.angle = input.aim;
  const buttons = input.buttons;
  let dirX = 0;
  let dirY = 0;
  if ((buttons & Buttons.RIGHT) !== 0) dirX += 1;
  if ((buttons & Buttons.LEFT) !== 0) dirX -= 1;
  if ((buttons & Buttons.DOWN) !== 0) dirY += 1;
  if ((buttons & Buttons.UP) !== 0) dirY -= 1;
  if (dirX === 0 && dirY === 0) return;
  // Only +, *, / and a constant here, never Math.sin/cos/hypot: those may differ in the last bit
  // between JS engines, and the client's prediction has to match the server bit for bit.
  let distance = ARENA.playerSpeed * dtMs / 1000;
  if (dirX !== 0 && dirY !== 0) distance *= Math.SQRT1_2;
  player.x = clamp(player.x + dirX * distance, MIN_X, MAX_X);
  player.y = clamp(player.y + dirY * distance, MIN_Y, MAX_Y);
}
