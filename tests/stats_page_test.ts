/**
 * The live stats page in headless Chromium: it loads, its canvas charts draw, and its numbers
 * follow a few in-process bots joining and leaving.
 * @module
 */
import assert from "node:assert/strict";
import { createArenaGame } from "../server/games/arena.ts";
import { startServer } from "../server/server.ts";
import { browserTest, launchChromium } from "./support/browser.ts";
import { BotFleet } from "./load/bot_fleet.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SCREENSHOT = `${ROOT}tests/artifacts/stats.png`;
const CHARTS = ["chart-tick", "chart-players", "chart-rooms", "chart-bandwidth"];

/** Poll every 50 ms, for at most `timeoutMs`. */
function within(timeoutMs: number): { timeout: number; polling: number } {
  return { timeout: timeoutMs, polling: 50 };
}

browserTest("stats page: charts draw and the numbers follow a small load", async () => {
  const server = await startServer({
    games: [createArenaGame({ npcCount: 10 })],
    port: 0,
    statsSampleIntervalMs: 200,
  });
  let fleet: BotFleet | undefined;
  try {
    await using chromium = await launchChromium();
    const page = await chromium.browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    // Any failed request (a /favicon.ico 404 was one) is a failure.
    page.on("response", (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${server.url}/stats`);
    // Headful browsers ask for /favicon.ico (a 404 in the log) unless the page names an icon.
    assert.match(
      await page.evaluate(() =>
        document.querySelector("link[rel=icon]")?.getAttribute("href") ?? ""
      ),
      /^data:/,
    );
    const text = (id: string) => page.locator(`#${id}`).textContent();
    await page.waitForFunction(
      () => document.getElementById("v-players")?.textContent === "0",
      null,
      within(5000),
    );
    assert.equal(await text("v-rooms"), "0");
    fleet = new BotFleet({ url: server.wsUrl, rooms: 1, playersPerRoom: 3 });
    await fleet.connect();
    await page.waitForFunction(
      () => document.getElementById("v-players")?.textContent === "3",
      null,
      within(5000),
    );
    // Bandwidth and tick time show once a sample covers the bots' traffic.
    await page.waitForFunction(
      () => Number(document.getElementById("v-bandwidth")?.textContent) > 0,
      null,
      within(5000),
    );
    await page.waitForFunction(
      () => /^\d/.test(document.getElementById("v-tick")?.textContent ?? ""),
      null,
      within(5000),
    );
    assert.equal(await text("v-rooms"), "1");
    // The cluster view: the embedded default is a cluster of one process, this one.
    assert.match(await text("cluster-summary") ?? "", /^cluster: 1 process, /);
    const processes = await page.locator("#cluster-body tr").allTextContents();
    assert.equal(processes.length, 1);
    assert.match(processes[0] ?? "", /\(this one\)/);
    const rows = await page.locator("#rooms-body tr").allTextContents();
    assert.equal(rows.length, 1);
    assert.match(rows[0] ?? "", /^arena-1arena3\d+/);
    // Each chart draws its line: pixels in a saturated series colour, not the grey frame.
    const countLinePixels = (ids: string[]) =>
      ids.map((id) => {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        const data = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let index = 0; data !== undefined && index < data.length; index += 4) {
          const [r = 0, g = 0, b = 0] = [data[index], data[index + 1], data[index + 2]];
          if (Math.max(r, g, b) > 150 && Math.max(r, g, b) - Math.min(r, g, b) > 60) count++;
        }
        return count;
      });
    let counts = await page.evaluate(countLinePixels, CHARTS);
    const deadlineMs = performance.now() + 5000;
    while (counts.some((count) => count <= 50) && performance.now() < deadlineMs) {
      await page.waitForTimeout(50);
      counts = await page.evaluate(countLinePixels, CHARTS);
    }
    CHARTS.forEach((id, index) => {
      assert.ok((counts[index] ?? 0) > 50, `${id} drew its line: ${counts[index]} pixels`);
    });
    await Deno.mkdir(`${ROOT}tests/artifacts`, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await fleet.stop();
    fleet = undefined;
    await page.waitForFunction(
      () => document.getElementById("v-players")?.textContent === "0",
      null,
      within(5000),
    );
    assert.deepEqual(errors, []);
  } finally {
    await fleet?.stop();
    await server.shutdown("Test finished", 1000);
  }
});
