import assert from "node:assert/strict";
import { createArenaGame } from "../../server/games/arena.ts";
import type { Game } from "../../server/rooms/game.ts";
import type { ArenaState } from "../../shared/game/arena/mod.ts";
import { recordMatch } from "./_match.ts";

const REPLAY = new URL("../../server/replay.ts", import.meta.url).pathname;

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", REPLAY, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

async function recordArena(dir: string, game: Game<ArenaState>, ticks: number): Promise<string> {
  return (await recordMatch(game, { players: 6, ticks, seed: 8, churnEveryTicks: 100 }, dir)).path;
}

Deno.test("replay.ts verify and info: a clean recording passes, a diverging one names its tick", async () => {
  const dir = await Deno.makeTempDir({ prefix: "replay_cli_test_" });
  try {
    const options = { npcCount: 10, maxPlayers: 8 };
    const clean = await recordArena(dir, createArenaGame(options), 450);
    const verified = await run("verify", clean);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /^ok: 450 ticks \(15\.0 s\) replayed identically in \d+ ms/);
    const synced = await run("verify", clean, "--sync-test");
    assert.equal(synced.code, 0, synced.stderr);

    const info = await run("info", clean);
    assert.equal(info.code, 0, info.stderr);
    assert.match(
      info.stdout,
      /^room {8}arena-1 \(arena version 3, options \{"maxPlayers":8,"npcCount":10,/m,
    );
    assert.match(info.stdout, /^duration {4}450 ticks at 30 Hz = 15\.0 s$/m);
    assert.match(info.stdout, /^players {5}10$/m);
    assert.match(info.stdout, /^keyframes {3}2 every 300 ticks \(indexed\)$/m);

    // The room ran rules that moved an NPC by Math.random() from tick 50; the replay's do not.
    const base = createArenaGame(options);
    let ticks = 0;
    const planted: Game<ArenaState> = {
      ...base,
      step(state, dtMs, events) {
        base.step(state, dtMs, events);
        const npc = state.npcs[0];
        if (++ticks >= 50 && npc !== undefined) npc.x += Math.random();
      },
    };
    const diverging = await recordArena(dir, planted, 400);
    const failed = await run("verify", diverging);
    assert.equal(failed.code, 1);
    const lines = failed.stdout.split("\n");
    assert.match(
      lines[0] ?? "",
      /^diverged at tick 50: recorded hash [0-9a-f]{8}, replay [0-9a-f]{8} \(ticks 1–49 matched\)$/,
    );
    assert.equal(lines[1], "  At keyframe 300 the recorded state and the replayed state differ in");
    assert.match(lines[2] ?? "", /^ {2}state\.npcs\[0\]\.x: /);

    const missing = await run("verify", `${dir}/nothing.arec`);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^Cannot read .*nothing\.arec: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
