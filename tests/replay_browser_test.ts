/**
 * End-to-end: the `/replay` page in headless Chromium plays a recorded arena match (16 seeded
 * bots and 100 NPCs, 60 s, recorded in Deno on a manual clock). Seeking to the middle shows the
 * same entity positions as linear playback from the start shows when it reaches that tick, and
 * the browser's re-simulation matches the server's state hash at every tick it played.
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
  // 60 s of S1's 16 players, with 100 NPCs: their every step takes a sine and a cosine, which
  // Chromium and Deno compute alike only since the rules stopped using Math.sin and Math.cos.
  const { name } = await recordMatch(createArenaGame({ npcCount: 100, maxPlayers: 16 }), {
    players: 16,
    ticks: 1800,
    seed: 19,
    lossRate: 0.05,
    reorderRate: 0.1,
    churnEveryTicks: 300,
    // No beams: the page judges them without the runtime's lag compensation.
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

Deno.test("the arena's sine and cosine give Chromium the same bits as Deno, where Math's do not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "trig_browser_" });
  try {
    // A page script that puts the rules' sinOf and cosOf on globalThis, bundled as the client is.
    const trig = new URL("../shared/game/arena/_trig.ts", import.meta.url).pathname;
    await Deno.writeTextFile(
      `${dir}/entry.ts`,
      `import { cosOf, sinOf } from ${JSON.stringify(trig)};\n` +
        `Object.assign(globalThis, { __trig: { cosOf, sinOf } });\n`,
    );
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "-o",
        `${dir}/trig.js`,
        `${dir}/entry.ts`,
      ],
      stdout: "null",
      stderr: "inherit",
    }).output();
    assert.equal(code, 0);
    const angles = Array.from(
      { length: 20_000 },
      (_, index) => -Math.PI + index * Math.PI / 10_000,
    );
    await using chromium = await launchChromium();
    const page = await chromium.browser.newPage();
    await page.addScriptTag({ content: await Deno.readTextFile(`${dir}/trig.js`) });
    const inPage = await page.evaluate((angles) => {
      const trig = (globalThis as unknown as {
        __trig: { cosOf(x: number): number; sinOf(x: number): number };
      }).__trig;
      return {
        portable: angles.map((angle) => [trig.cosOf(angle), trig.sinOf(angle)]),
        math: angles.map((angle) => [Math.cos(angle), Math.sin(angle)]),
      };
    }, angles);
    const { cosOf, sinOf } = await import("../shared/game/arena/_trig.ts");
    const differing = (
      values: number[][],
      cos: (x: number) => number,
      sin: (x: number) => number,
    ) =>
      angles.filter((angle, index) =>
        !Object.is(values[index]?.[0], cos(angle)) || !Object.is(values[index]?.[1], sin(angle))
      ).length;
    assert.equal(differing(inPage.portable, cosOf, sinOf), 0);
    // Why the rules do not use Math: this Chromium and this Deno part in the last bit.
    console.log(
      `Math.cos/sin differ between Chromium and Deno for ${
        differing(inPage.math, Math.cos, Math.sin)
      } of ${angles.length} angles; the rules' for 0`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
