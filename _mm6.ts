import type {} from "./client/replay/main.ts";
import { createArenaGame } from "./server/games/arena.ts";
import { startServer } from "./server/server.ts";
import { recordMatch } from "./tests/recording/_match.ts";
import { launchChromium } from "./tests/support/browser.ts";
const ROOT = Deno.cwd() + "/";
const dir = await Deno.makeTempDir();
const { name } = await recordMatch(createArenaGame({ npcCount: 200 }), {
  players: 64,
  ticks: 1800,
  seed: 5,
  fireRate: 0.3,
}, dir);
const server = await startServer({
  games: [createArenaGame()],
  port: 0,
  staticFolders: [`${ROOT}client/dist`, `${ROOT}client`],
  recording: { dir },
});
await using chromium = await launchChromium();
const page = await chromium.browser.newPage();
await page.goto(`${server.url}/replay?file=${encodeURIComponent(name)}`);
await page.waitForFunction(() => globalThis.__replay?.player !== undefined, undefined, {
  timeout: 60_000,
});
const probe =
  `(() => { const s = globalThis.__replay.player.state; const f = new Float64Array(1); const bits = (v) => { f[0] = v; return [...new Uint32Array(f.buffer)].map((w) => w.toString(16)).join(":"); }; return { tick: globalThis.__replay.player.newest.tick, shots: s.projectiles.map((p) => [p.id, bits(p.x), bits(p.y), bits(p.angle), bits(p.lifeMs)].join(" ")), time: bits(s.timeMs) }; })()`;
await page.evaluate(() => {
  const app = globalThis.__replay!;
  app.seek(0);
  app.setSpeed(4);
  app.player!.pauseAt = 872;
  app.toggle();
});
await page.waitForFunction(() => globalThis.__replay?.player?.playing === false, undefined, {
  timeout: 200_000,
});
const lin = await page.evaluate(probe) as { tick: number; shots: string[] };
const mismatches = await page.evaluate(
  () => [
    globalThis.__replay!.player!.hashMismatches,
    ...globalThis.__replay!.player!.mismatchTicks,
  ],
);
const key = await page.evaluate(
  `(() => { const p = globalThis.__replay.player; p.seek(1790); p.seek(${lin.tick}); return ${probe}; })()`,
) as { tick: number; shots: string[] };
console.log("lin tick", lin.tick, "mismatches before", mismatches, "key tick", key.tick);
lin.shots.forEach((shot, i) => {
  if (shot !== key.shots[i]) console.log("lin", shot, "\nkey", key.shots[i]);
});
await server.shutdown("x", 500);
