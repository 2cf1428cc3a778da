/**
 * `deno task bench:replay-seek`: the `/replay` page's seek time in headless Chromium on a
 * recorded minute of S2 (64 bots, 200 NPCs): seeks to ticks 1 to 299 past a keyframe, each from
 * far away (so each loads the keyframe's state and simulates forward), timed in the page, then
 * the time until the next frame is drawn. Prints one JSON line.
 * @module
 */
import type {} from "../../client/replay/main.ts";
import { buildClient } from "../../server/build_client.ts";
import { createArenaGame } from "../../server/games/arena.ts";
import { startServer } from "../../server/server.ts";
import { recordMatch } from "../recording/_match.ts";
import { launchChromium } from "../support/browser.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

if (import.meta.main) {
  await buildClient();
  const dir = await Deno.makeTempDir({ prefix: "bench_replay_seek_" });
  const { name, bytes } = await recordMatch(createArenaGame({ npcCount: 200 }), {
    players: 64,
    ticks: 1800,
    seed: 5,
    fireRate: 0.3,
    beamRate: 0,
  }, dir);
  const server = await startServer({
    games: [createArenaGame()],
    port: 0,
    staticFolders: [`${ROOT}client/dist`, `${ROOT}client`],
    recording: { dir },
  });
  try {
    await using chromium = await launchChromium();
    const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${server.url}/replay?file=${encodeURIComponent(name)}`);
    await page.waitForFunction(() => globalThis.__replay?.player !== undefined, undefined, {
      timeout: 60_000,
    });
    const targets = [299, 599, 899, 1199, 1499, 1799, 450, 1350];
    const seeks: { seekMs: number; drawnMs: number }[] = [];
    for (const target of targets) {
      seeks.push(
        await page.evaluate(async (target) => {
          const app = globalThis.__replay;
          app?.seek(target > 900 ? 0 : 1790);
          const startedMs = performance.now();
          const seekMs = app?.seek(target) ?? NaN;
          await new Promise((done) => requestAnimationFrame(done));
          return { seekMs, drawnMs: performance.now() - startedMs };
        }, target),
      );
    }
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const seekMs = sorted(seeks.map((seek) => seek.seekMs));
    const drawnMs = sorted(seeks.map((seek) => seek.drawnMs));
    const round = (ms: number | undefined) => Math.round((ms ?? NaN) * 10) / 10;
    console.log(JSON.stringify({
      scale: "S2",
      fileBytes: bytes.length,
      loadMs: round(await page.evaluate(() => globalThis.__replay?.loadMs)),
      seekMs: { median: round(seekMs[4]), max: round(seekMs.at(-1)) },
      seekToDrawnMs: { median: round(drawnMs[4]), max: round(drawnMs.at(-1)) },
      hashMismatches: await page.evaluate(() => globalThis.__replay?.player?.hashMismatches),
    }));
  } finally {
    await server.shutdown("Bench finished", 1000);
    await Deno.remove(dir, { recursive: true });
  }
}
