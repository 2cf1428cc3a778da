import assert from "node:assert/strict";
import { ReplayPlayer } from "../../client/replay/replay_player.ts";
import { replayGameFor } from "../../client/replay/replay_games.ts";
import { createArenaGame } from "../../server/games/arena.ts";
import { recordMatch } from "./_match.ts";

async function recordArena(ticks: number): Promise<Uint8Array<ArrayBuffer>> {
  const game = createArenaGame({ npcCount: 20, maxPlayers: 16 });
  // No beams: the page judges them without the runtime's lag compensation (see replay_games.ts).
  const options = {
    players: 8,
    seed: 21,
    lossRate: 0.05,
    reorderRate: 0.05,
    churnEveryTicks: 150,
    beamRate: 0,
  };
  return (await recordMatch(game, { ...options, ticks })).bytes;
}

Deno.test("ReplayPlayer.seek() shows the same rows as playing linearly to that tick", async () => {
  const bytes = await recordArena(900);
  const seeking = await ReplayPlayer.load(bytes, replayGameFor);
  const linear = await ReplayPlayer.load(bytes, replayGameFor);
  assert.equal(seeking.lastTick, 900);
  for (const target of [437, 600, 299, 899, 5]) {
    seeking.seek(target);
    assert.equal(seeking.tick, target);
    linear.seek(0);
    linear.pauseAt = target;
    linear.speed = 4;
    linear.play();
    for (let frame = 0; frame < 10_000 && linear.playing; frame++) linear.advance(16);
    assert.equal(linear.tick, target);
    assert.deepEqual(seeking.frame.entities, linear.frame.entities, `tick ${target}`);
    assert.ok(seeking.frame.entities.size > 20);
  }
  assert.equal(seeking.hashMismatches, 0);
  assert.equal(linear.hashMismatches, 0);
});
