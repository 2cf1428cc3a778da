/**
 * End-to-end: the `/replay` page in headless Chromium plays a recorded S1 arena match (16
 * seeded bots, 60 s, recorded on a manual clock). Seeking to the middle shows the same entity
 * positions as linear playback from the start shows when it reaches that tick.
 * @module
 */
import assert from "node:assert/strict";
// For its global `__replay` declaration (the test hook), which the page functions below read.
import type {} from "../client/replay/main.ts";
import { buildClient } from "../server/build_client.ts";
import { createArenaGame } from "../server/games/arena.ts";
import { startServer } from "../server/server.ts";
import { launchChromium } from "./support/browser.ts";
import { recordMatch } from "./recording/_match.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("replay page: seeking to the middle shows what linear playback shows at that tick", async () => {
  await buildClient();
  const dir = await Deno.makeTempDir({ prefix: "replay_browser_" });
  // 60 s of S1: 16 players, no NPCs.
  const { name } = await recordMatch(createArenaGame({ npcCount: 0, maxPlayers: 16 }), {
    players: 16,
    ticks: 1800,
    seed: 19,
    lossRate: 0.05,
    reorderRate: 0.1,
    churnEveryTicks: 300,
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
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${server.url}/replay?file=${encodeURIComponent(name)}`, { timeout: 10_000 });
    assert.equal(new URL(page.url()).pathname, "/replay.html");
    await page.waitForFunction(() => globalThis.__replay?.player !== undefined, undefined, {
      timeout: 20_000,
    });
    assert.deepEqual(errors, []);
    const lastTick = await page.evaluate(() => globalThis.__replay?.player?.lastTick);
    assert.equal(lastTick, 1800);
    const middle = 937;
    const drawnAfterFrames = async () => {
      // Two animation frames: the next frame draws what the player now shows.
      await page.evaluate(() =>
        new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
      );
      return await page.evaluate(() =>
        [...globalThis.__replay?.drawn ?? []].sort((a, b) => a.id - b.id)
      );
    };
    // Seek: the keyframe at 900, then 37 ticks forward. Timed over a few seeks from elsewhere.
    const seekTimesMs = await page.evaluate((middle) => {
      const app = globalThis.__replay;
      const times: number[] = [];
      for (const from of [1700, 100, 1500, 10, 1200]) {
        app?.seek(from);
        times.push(app?.seek(middle) ?? NaN);
      }
      return times;
    }, middle);
    const seeked = await drawnAfterFrames();
    assert.equal(await page.evaluate(() => globalThis.__replay?.player?.tick), middle);
    assert.equal(seeked.length >= 14, true, `${seeked.length} entities drawn`);
    // Linear: from the start at 4×, stopping on the middle tick.
    await page.evaluate((middle) => {
      const app = globalThis.__replay;
      app?.seek(0);
      app?.setSpeed(4);
      if (app?.player !== undefined) app.player.pauseAt = middle;
      app?.toggle();
    }, middle);
    await page.waitForFunction(
      () => globalThis.__replay?.player?.playing === false,
      undefined,
      { timeout: 30_000, polling: 100 },
    );
    assert.equal(await page.evaluate(() => globalThis.__replay?.player?.tick), middle);
    const linear = await drawnAfterFrames();
    await page.evaluate(() => {
      globalThis.__replay?.follow(
        globalThis.__replay?.drawn.find((entity) => entity.kind === 0)?.id ?? 0,
      );
      document.dispatchEvent(new KeyboardEvent("keydown", { code: "F3" }));
      globalThis.dispatchEvent(new KeyboardEvent("keydown", { code: "F3" }));
    });
    await drawnAfterFrames();
    await page.screenshot({ path: `${ROOT}tests/artifacts/replay.png` });
    assert.deepEqual(seeked, linear);
    assert.equal(await page.evaluate(() => globalThis.__replay?.player?.hashMismatches), 0);
    assert.deepEqual(errors, []);
    const sorted = [...seekTimesMs].sort((a, b) => a - b);
    console.log(
      `replay page: seek to tick ${middle} took ${
        sorted.map((ms) => ms.toFixed(1)).join(", ")
      } ms (median ${sorted[2]?.toFixed(1)} ms); load ${
        (await page.evaluate(() => globalThis.__replay?.loadMs ?? NaN)).toFixed(0)
      } ms`,
    );
  } finally {
    await server.shutdown("Test finished", 1000);
    await Deno.remove(dir, { recursive: true });
  }
});
