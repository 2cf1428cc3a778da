import assert from "node:assert/strict";
import {
  ARENA,
  type ArenaInput,
  type ArenaPlayer,
  Buttons,
  movePlayer,
} from "../../shared/game/arena/mod.ts";
import { OwnPlayerPrediction } from "./prediction.ts";

const TICK_MS = 1000 / 30;

function inputs(count: number): ArenaInput[] {
  const script = [
    Buttons.RIGHT,
    Buttons.RIGHT | Buttons.DOWN,
    Buttons.UP,
    Buttons.LEFT | Buttons.UP,
  ];
  return Array.from(
    { length: count },
    (_, i) => ({ buttons: script[i % script.length] ?? 0, aim: i * 0.1 }),
  );
}

/** The server's position replayed with `replayed` through the shared rules, as the test oracle. */
function replay(x: number, y: number, replayed: ArenaInput[]): { x: number; y: number } {
  const player: ArenaPlayer = {
    id: 1,
    name: "",
    x,
    y,
    angle: 0,
    hp: ARENA.maxHp,
    score: 0,
    fireCooldownMs: 0,
    beamCooldownMs: 0,
    respawnInMs: 0,
  };
  for (const input of replayed) movePlayer(player, input, TICK_MS);
  return { x: player.x, y: player.y };
}

Deno.test("OwnPlayerPrediction.reconcile() replays the unacked inputs on the server's position", () => {
  const prediction = new OwnPlayerPrediction(TICK_MS);
  prediction.reconcile({ x: 500, y: 500, angle: 0, hp: 100 }, 0, 0);
  const sent = inputs(8);
  sent.forEach((input, i) => prediction.addInput(i + 1, input, i * TICK_MS));
  assert.deepEqual(prediction.position, replay(500, 500, sent));
  // The server applied 1..5 from a slightly different start (it is the authority).
  prediction.reconcile({ x: 530, y: 497, angle: 0.4, hp: 100 }, 5, 8 * TICK_MS);
  assert.deepEqual(prediction.position, replay(530, 497, sent.slice(5)));
  assert.deepEqual(prediction.pendingInputs.map((pending) => pending.sequence), [6, 7, 8]);
});

Deno.test("OwnPlayerPrediction.reconcile() drops acked inputs and needs no correction when they agree", () => {
  const prediction = new OwnPlayerPrediction(TICK_MS);
  prediction.reconcile({ x: 200, y: 200, angle: 0, hp: 100 }, 0, 0);
  const sent = inputs(6);
  sent.forEach((input, i) => prediction.addInput(i + 1, input, i * TICK_MS));
  const server = replay(200, 200, sent.slice(0, 4));
  const correction = prediction.reconcile({ ...server, angle: 0, hp: 100 }, 4, 6 * TICK_MS);
  assert.equal(correction, 0);
  assert.equal(prediction.lastCorrection, 0);
  assert.deepEqual(prediction.pendingInputs.map((pending) => pending.sequence), [5, 6]);
  prediction.reconcile({ ...replay(200, 200, sent), angle: 0, hp: 100 }, 6, 7 * TICK_MS);
  assert.equal(prediction.pendingInputs.length, 0);
  assert.deepEqual(prediction.position, replay(200, 200, sent));
});

Deno.test("OwnPlayerPrediction.reconcile() smooths a small correction over a few frames", () => {
  const prediction = new OwnPlayerPrediction(TICK_MS, { smoothingMs: 50, snapDistance: 100 });
  prediction.reconcile({ x: 300, y: 300, angle: 0, hp: 100 }, 0, 0);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 0);
  const drawn = prediction.renderPosition(1000);
  // The server says we are 20 units further left than we thought.
  const correction = prediction.reconcile({ x: 280, y: 300, angle: 0, hp: 100 }, 0, 1000);
  assert.ok(Math.abs(correction - 20) < 1e-9);
  assert.equal(prediction.lastCorrectionSnapped, false);
  const predicted = prediction.position;
  assert.deepEqual(predicted, replay(280, 300, [{ buttons: Buttons.RIGHT, aim: 0 }]));
  // Drawn where it was a moment ago: no jump on screen.
  assert.ok(Math.abs(prediction.renderPosition(1000).x - drawn.x) < 1e-9);
  // Half-way-ish after one time constant, gone after a few frames.
  const later = prediction.renderPosition(1050).x - predicted.x;
  assert.ok(later > 20 * 0.3 && later < 20 * 0.4, `offset ${later}`);
  assert.ok(Math.abs(prediction.renderPosition(1250).x - predicted.x) < 0.2);
});

Deno.test("OwnPlayerPrediction.reconcile() snaps a big correction", () => {
  const prediction = new OwnPlayerPrediction(TICK_MS, { snapDistance: 100 });
  prediction.reconcile({ x: 300, y: 300, angle: 0, hp: 100 }, 0, 0);
  prediction.addInput(1, { buttons: Buttons.DOWN, aim: 0 }, 0);
  // A respawn on the other side of the map.
  const correction = prediction.reconcile({ x: 1500, y: 1600, angle: 0, hp: 100 }, 1, 100);
  assert.ok(correction > 100);
  assert.equal(prediction.lastCorrectionSnapped, true);
  assert.deepEqual(prediction.renderPosition(100), { x: 1500, y: 1600 });
});

Deno.test("OwnPlayerPrediction does not predict a dead player", () => {
  const prediction = new OwnPlayerPrediction(TICK_MS);
  prediction.reconcile({ x: 300, y: 300, angle: 0, hp: 0 }, 0, 0);
  assert.equal(prediction.alive, false);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 0);
  prediction.addInput(2, { buttons: Buttons.RIGHT, aim: 0 }, TICK_MS);
  assert.deepEqual(prediction.position, { x: 300, y: 300 });
  assert.equal(prediction.pendingInputs.length, 2);
});

Deno.test("OwnPlayerPrediction follows the server only when disabled", () => {
  const prediction = new OwnPlayerPrediction(TICK_MS);
  prediction.enabled = false;
  prediction.reconcile({ x: 300, y: 300, angle: 0, hp: 100 }, 0, 0);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 0);
  assert.deepEqual(prediction.position, { x: 300, y: 300 });
  prediction.reconcile({ x: 310, y: 300, angle: 0, hp: 100 }, 0, 10);
  assert.deepEqual(prediction.position, { x: 310, y: 300 });
  assert.equal(prediction.lastCorrection, 0);
});

Deno.test("OwnPlayerPrediction.renderPosition() blends across the newest input's tick", () => {
  const prediction = new OwnPlayerPrediction(TICK_MS);
  prediction.reconcile({ x: 300, y: 300, angle: 0, hp: 100 }, 0, 0);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 1000);
  const step = ARENA.playerSpeed * TICK_MS / 1000;
  assert.ok(Math.abs(prediction.renderPosition(1000).x - 300) < 1e-9);
  assert.ok(Math.abs(prediction.renderPosition(1000 + TICK_MS / 2).x - (300 + step / 2)) < 1e-9);
  assert.ok(Math.abs(prediction.renderPosition(1000 + TICK_MS * 3).x - (300 + step)) < 1e-9);
});
