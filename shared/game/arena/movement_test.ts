import assert from "node:assert/strict";
import { ARENA, Buttons } from "./constants.ts";
import { movePlayer } from "./movement.ts";
import type { ArenaPlayer } from "./types.ts";

const TICK_MS = 1000 / 30;

function makePlayer(x: number, y: number): ArenaPlayer {
  return {
    id: 1,
    name: "p",
    x,
    y,
    angle: 0,
    hp: ARENA.maxHp,
    score: 0,
    fireCooldownMs: 0,
    beamCooldownMs: 0,
    respawnInMs: 0,
  };
}

function holdFor(player: ArenaPlayer, buttons: number, ticks: number): void {
  for (let i = 0; i < ticks; i++) movePlayer(player, { buttons, aim: 0 }, TICK_MS);
}

Deno.test("movePlayer() moves 200 units right in 1 s at 30 Hz", () => {
  const player = makePlayer(500, 500);
  holdFor(player, Buttons.RIGHT, 30);
  assert.ok(Math.abs(player.x - 700) < 1e-9, `x is ${player.x}`);
  assert.equal(player.y, 500);
});

Deno.test("movePlayer() moves up towards y = 0 and left towards x = 0", () => {
  const player = makePlayer(500, 500);
  holdFor(player, Buttons.UP | Buttons.LEFT, 1);
  assert.ok(player.x < 500 && player.y < 500);
});

Deno.test("movePlayer() moves diagonally as fast as straight", () => {
  const diagonals = [
    Buttons.UP | Buttons.RIGHT,
    Buttons.UP | Buttons.LEFT,
    Buttons.DOWN | Buttons.RIGHT,
    Buttons.DOWN | Buttons.LEFT,
  ];
  for (const buttons of diagonals) {
    const player = makePlayer(1000, 1000);
    holdFor(player, buttons, 30);
    const distance = Math.hypot(player.x - 1000, player.y - 1000);
    assert.ok(Math.abs(distance - ARENA.playerSpeed) < 1e-9, `moved ${distance}`);
  }
});

Deno.test("movePlayer() stops at the walls", () => {
  const topLeft = makePlayer(30, 30);
  holdFor(topLeft, Buttons.UP | Buttons.LEFT, 30);
  assert.equal(topLeft.x, ARENA.playerRadius);
  assert.equal(topLeft.y, ARENA.playerRadius);
  const bottomRight = makePlayer(1970, 1970);
  holdFor(bottomRight, Buttons.DOWN | Buttons.RIGHT, 30);
  assert.equal(bottomRight.x, ARENA.worldWidth - ARENA.playerRadius);
  assert.equal(bottomRight.y, ARENA.worldHeight - ARENA.playerRadius);
});

Deno.test("movePlayer() cancels opposite buttons", () => {
  const player = makePlayer(500, 500);
  holdFor(player, Buttons.UP | Buttons.DOWN | Buttons.LEFT | Buttons.RIGHT, 30);
  assert.equal(player.x, 500);
  assert.equal(player.y, 500);
  holdFor(player, Buttons.LEFT | Buttons.RIGHT | Buttons.DOWN, 30);
  assert.equal(player.x, 500);
  // One axis cancelled leaves a straight move at full speed, not a diagonal one.
  assert.ok(Math.abs(player.y - 700) < 1e-9);
});

Deno.test("movePlayer() faces the aim", () => {
  const player = makePlayer(500, 500);
  movePlayer(player, { buttons: 0, aim: 1.25 }, TICK_MS);
  assert.equal(player.angle, 1.25);
});

Deno.test("movePlayer() leaves a dead player in place", () => {
  const player = makePlayer(500, 500);
  player.hp = 0;
  player.respawnInMs = 1000;
  movePlayer(player, { buttons: Buttons.RIGHT, aim: 1 }, TICK_MS);
  assert.deepEqual(player, { ...makePlayer(500, 500), hp: 0, respawnInMs: 1000 });
});

Deno.test("movePlayer() rejects a negative or NaN dtMs", () => {
  const player = makePlayer(500, 500);
  assert.throws(() => movePlayer(player, { buttons: 0, aim: 0 }, -1), RangeError);
  assert.throws(() => movePlayer(player, { buttons: 0, aim: 0 }, Number.NaN), RangeError);
});
