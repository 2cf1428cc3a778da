import assert from "node:assert/strict";
import {
  ARENA,
  type ArenaInput,
  type ArenaPlayer,
  Buttons,
  movePlayer,
  newPlayer,
} from "../../../shared/game/arena/mod.ts";
import { Prediction } from "../../sdk/mod.ts";
import { ARENA_PREDICTION } from "./arena_prediction.ts";

/** The server's row for our player, as the prediction takes it. */
function atServer(fields: Pick<ArenaPlayer, "x" | "y" | "angle" | "hp">): ArenaPlayer {
  return { ...newPlayer(1, ""), ...fields };
}

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
  const player = atServer({ x, y, angle: 0, hp: ARENA.maxHp });
  for (const input of replayed) movePlayer(player, input, TICK_MS);
  return { x: player.x, y: player.y };
}

Deno.test("Prediction.reconcile() with the arena's rules replays the unacked inputs on the server's position", () => {
  const prediction = new Prediction(ARENA_PREDICTION, TICK_MS);
  prediction.reconcile(atServer({ x: 500, y: 500, angle: 0, hp: 100 }), 0, 0);
  const sent = inputs(8);
  sent.forEach((input, i) => prediction.addInput(i + 1, input, i * TICK_MS));
  assert.deepEqual(prediction.position, replay(500, 500, sent));
  // The server applied 1..5 from a slightly different start (it is the authority).
  prediction.reconcile(atServer({ x: 530, y: 497, angle: 0.4, hp: 100 }), 5, 8 * TICK_MS);
  assert.deepEqual(prediction.position, replay(530, 497, sent.slice(5)));
  assert.deepEqual(prediction.pendingInputs.map((pending) => pending.sequence), [6, 7, 8]);
});

Deno.test("Prediction.reconcile() with the arena's rules drops acked inputs and needs no correction when they agree", () => {
  const prediction = new Prediction(ARENA_PREDICTION, TICK_MS);
  prediction.reconcile(atServer({ x: 200, y: 200, angle: 0, hp: 100 }), 0, 0);
  const sent = inputs(6);
  sent.forEach((input, i) => prediction.addInput(i + 1, input, i * TICK_MS));
  const server = replay(200, 200, sent.slice(0, 4));
  const correction = prediction.reconcile(
    atServer({ ...server, angle: 0, hp: 100 }),
    4,
    6 * TICK_MS,
  );
  assert.equal(correction, 0);
  assert.equal(prediction.lastCorrection, 0);
  assert.deepEqual(prediction.pendingInputs.map((pending) => pending.sequence), [5, 6]);
  prediction.reconcile(atServer({ ...replay(200, 200, sent), angle: 0, hp: 100 }), 6, 7 * TICK_MS);
  assert.equal(prediction.pendingInputs.length, 0);
  assert.deepEqual(prediction.position, replay(200, 200, sent));
});

Deno.test("Prediction.reconcile() with the arena's rules smooths a small correction over a few frames", () => {
  const prediction = new Prediction(ARENA_PREDICTION, TICK_MS, {
    smoothingMs: 50,
    snapDistance: 100,
  });
  prediction.reconcile(atServer({ x: 300, y: 300, angle: 0, hp: 100 }), 0, 0);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 0);
  const drawn = prediction.renderPosition(1000);
  // The server says we are 20 units further left than we thought.
  const correction = prediction.reconcile(atServer({ x: 280, y: 300, angle: 0, hp: 100 }), 0, 1000);
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

Deno.test("Prediction.reconcile() with the arena's rules snaps a big correction", () => {
  const prediction = new Prediction(ARENA_PREDICTION, TICK_MS, { snapDistance: 100 });
  prediction.reconcile(atServer({ x: 300, y: 300, angle: 0, hp: 100 }), 0, 0);
  prediction.addInput(1, { buttons: Buttons.DOWN, aim: 0 }, 0);
  // A respawn on the other side of the map.
  const correction = prediction.reconcile(
    atServer({ x: 1500, y: 1600, angle: 0, hp: 100 }),
    1,
    100,
  );
  assert.ok(correction > 100);
  assert.equal(prediction.lastCorrectionSnapped, true);
  assert.deepEqual(prediction.renderPosition(100), { x: 1500, y: 1600 });
});

Deno.test("Prediction with the arena's rules does not predict a dead player", () => {
  const prediction = new Prediction(ARENA_PREDICTION, TICK_MS);
  prediction.reconcile(atServer({ x: 300, y: 300, angle: 0, hp: 0 }), 0, 0);
  assert.equal(prediction.body?.hp, 0);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 0);
  prediction.addInput(2, { buttons: Buttons.RIGHT, aim: 0 }, TICK_MS);
  assert.deepEqual(prediction.position, { x: 300, y: 300 });
  assert.equal(prediction.pendingInputs.length, 2);
});

Deno.test("Prediction with the arena's rules follows the server only when disabled", () => {
  const prediction = new Prediction(ARENA_PREDICTION, TICK_MS);
  prediction.enabled = false;
  prediction.reconcile(atServer({ x: 300, y: 300, angle: 0, hp: 100 }), 0, 0);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 0);
  assert.deepEqual(prediction.position, { x: 300, y: 300 });
  prediction.reconcile(atServer({ x: 310, y: 300, angle: 0, hp: 100 }), 0, 10);
  assert.deepEqual(prediction.position, { x: 310, y: 300 });
  assert.equal(prediction.lastCorrection, 0);
});

Deno.test("Prediction.renderPosition() with the arena's rules blends across the newest input's tick", () => {
  const prediction = new Prediction(ARENA_PREDICTION, TICK_MS);
  prediction.reconcile(atServer({ x: 300, y: 300, angle: 0, hp: 100 }), 0, 0);
  prediction.addInput(1, { buttons: Buttons.RIGHT, aim: 0 }, 1000);
  const step = ARENA.playerSpeed * TICK_MS / 1000;
  assert.ok(Math.abs(prediction.renderPosition(1000).x - 300) < 1e-9);
  assert.ok(Math.abs(prediction.renderPosition(1000 + TICK_MS / 2).x - (300 + step / 2)) < 1e-9);
  assert.ok(Math.abs(prediction.renderPosition(1000 + TICK_MS * 3).x - (300 + step)) < 1e-9);
});
