/**
 * Lag compensation end to end over a deterministic simulated link (`support/lag_link.ts`): the
 * real room and arena on a manual clock, a shooter client made of the client's real snapshot,
 * interpolation and input code aiming at the target's rendered centre, a target strafing at full
 * speed. No sockets, no wall-clock time.
 */
import assert from "node:assert/strict";
import { createArenaGame } from "../server/games/arena.ts";
import type { Game } from "../server/rooms/game.ts";
import { Room } from "../server/rooms/room.ts";
import { ManualClock } from "../server/tick/clock.ts";
import { openLagLink, runShots, type Shot } from "./support/lag_link.ts";

const TICK_MS = 1000 / 30;
/** One quantization step of the arena's positions. */
const GRID = 1 / 8;

function hitRate(shots: readonly Shot[]): number {
  return shots.filter((shot) => shot.hit).length / shots.length;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** How far the server's judged target was from where the shooter's client drew it. */
function judgedErrors(shots: readonly Shot[]): number[] {
  return shots.map((shot) => Math.hypot(shot.seenX - shot.judgedX, shot.seenY - shot.judgedY));
}

Deno.test("lag compensation: 1,000 beams over 75 ms each way hit ≥ 95% rewound, < 30% judged in the present", () => {
  const compensated = runShots(openLagLink({ oneWayMs: 75, compensate: true, shots: 1000 }), 1000);
  const present = runShots(openLagLink({ oneWayMs: 75, compensate: false, shots: 1000 }), 1000);
  assert.equal(compensated.length, 1000);
  assert.equal(present.length, 1000);
  assert.ok(hitRate(compensated) >= 0.95, `hit rate with rewind ${hitRate(compensated)}`);
  assert.ok(hitRate(present) < 0.3, `hit rate without rewind ${hitRate(present)}`);
});

Deno.test("lag compensation: the rewound target is within one 1/8-unit step of the drawn one at p99", () => {
  const shots = runShots(openLagLink({ oneWayMs: 75, compensate: true, shots: 1000 }), 1000);
  const errors = judgedErrors(shots);
  // A tick off would be 200 / 30 ≈ 6.7 units at full speed; half a tick 3.3.
  assert.ok(quantile(errors, 0.99) <= GRID, `p99 error ${quantile(errors, 0.99)} units`);
  // The view reaches back about one way down, one way up and the interpolation delay.
  const rewinds = shots.map((shot) => shot.rewindMs);
  assert.ok(
    quantile(rewinds, 0.5) > 100 && quantile(rewinds, 0.5) < 250,
    `${quantile(rewinds, 0.5)}`,
  );
});

Deno.test("lag compensation: with ±10 ms jitter and 2% loss ≥ 90% of 1,000 beams still hit", () => {
  const link = openLagLink({
    oneWayMs: 75,
    jitterMs: 10,
    lossPercent: 2,
    compensate: true,
    shots: 1000,
  });
  const shots = runShots(link, 1000);
  assert.equal(shots.length, 1000);
  assert.ok(hitRate(shots) >= 0.9, `hit rate ${hitRate(shots)}`);
});

Deno.test("lag compensation: a client at 600 ms round trip is rewound only up to maxRewindMs", () => {
  const link = openLagLink({ oneWayMs: 300, compensate: true, shots: 200 });
  const shots = runShots(link, 200);
  assert.equal(shots.length, 200);
  for (const shot of shots) assert.ok(shot.rewindMs <= 250, `rewound ${shot.rewindMs} ms`);
  assert.ok(
    link.room.stats.viewsBeyondMaxRewind > 150,
    `${link.room.stats.viewsBeyondMaxRewind} views clamped`,
  );
  // What it saw was older than the cap: the server judges a target that has moved on since.
  assert.ok(quantile(judgedErrors(shots), 0.5) > 10);
});

Deno.test("lag compensation: a forged old view tick is clamped to the player's measured lag and counted", () => {
  const link = openLagLink({ oneWayMs: 10, compensate: true, shots: 10 });
  runShots(link, 10);
  link.holdBeam(false);
  link.steadyTarget();
  link.clock.advance(1000);
  const room = link.room;
  const clampedBefore = room.stats.viewsBeyondLag;
  const aimAt = (tick: number) => {
    const target = link.targetAt(tick);
    if (target === undefined) throw new Error(`No track at tick ${tick}`);
    return Math.atan2(target.y - link.shooterY, target.x - link.shooterX);
  };
  // 7 ticks (233 ms) back is within the game's 250 ms cap but far beyond a 20 ms round trip.
  const forgedTick = room.tick - 7;
  assert.equal(link.sendForged(forgedTick, aimAt(forgedTick)), "queued");
  const [forged] = runShots(link, 1);
  assert.equal(room.stats.viewsBeyondLag, clampedBefore + 1, "counted");
  assert.ok(forged !== undefined && forged.rewindMs < 7 * TICK_MS - 20, `${forged?.rewindMs}`);
  // An honest view (3 ticks back) is taken as it is.
  link.clock.advance(600);
  const honestTick = room.tick - 3;
  assert.equal(link.sendForged(honestTick, aimAt(honestTick)), "queued");
  const [honest] = runShots(link, 1);
  assert.equal(room.stats.viewsBeyondLag, clampedBefore + 1, "not counted");
  assert.equal(honest?.rewindMs, Math.round(3 * TICK_MS));
  assert.equal(honest?.hit, true);
});

Deno.test("lag compensation: a view tick the room has not reached is refused", () => {
  const link = openLagLink({ oneWayMs: 10, compensate: true, shots: 1 });
  runShots(link, 1);
  assert.equal(link.sendForged(link.room.tick + 1, 0), "future_view");
  assert.equal(link.sendForged(link.room.tick + 1000, 0), "future_view");
  assert.equal(link.sendForged(link.room.tick, 0), "queued");
});

Deno.test("Room refuses a maxRewindMs longer than its snapshot history", () => {
  const arena = createArenaGame({ npcCount: 0 });
  const game: Game<unknown> = {
    ...(arena as Game<unknown>),
    lagCompensation: { xField: "x", yField: "y", maxRewindMs: 5000 },
  };
  assert.throws(
    () => new Room("r", game, { clock: new ManualClock(0) }),
    /Cannot rewind 5000 ms: the room keeps 1000 ms of snapshots/,
  );
});
