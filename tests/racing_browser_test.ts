/**
 * End-to-end for the second game: the real server (arena and racing side by side) and the
 * bundled client in headless Chromium, the racing client running on the client SDK. Two drivers
 * join one race and press Enter; after the countdown, the up arrow held in page A drives A's car
 * forward in both pages: A's own page predicts it, B's interpolates it from snapshots.
 * @module
 */
import assert from "node:assert/strict";
// For the global `__game` declaration (the SDK runner), which the page functions below read.
import type {} from "../client/main.ts";
import { createArenaGame } from "../server/games/arena.ts";
import { createRacingGame } from "../server/games/racing.ts";
import type { Game } from "../server/rooms/game.ts";
import { CAR_COLUMN, PHASE } from "../shared/game/racing/mod.ts";
import { launchChromium, type Page } from "./support/browser.ts";
import { openClientPage, startClientServer } from "./support/client_server.ts";
const POLL = { polling: 50 } as const;

/** Where page `page` draws car `id` (its own car when `id` is its player id). */
function carAt(page: Page, id: number): Promise<{ x: number; y: number } | null> {
  return page.evaluate((id) => {
    const session = globalThis.__game?.session;
    if (session === undefined) return null;
    const frame = session.frame(performance.now());
    if (id === session.playerId) return frame.own === undefined ? null : frame.ownPosition;
    const car = frame.others.find((entity) => entity.id === id);
    return car === undefined ? null : { x: car.x, y: car.y };
  }, id);
}

Deno.test("racing in the browser: ready, countdown, and A's throttle drives A's car in both pages", async () => {
  const server = await startClientServer([
    createArenaGame({ npcCount: 0 }) as Game<unknown>,
    createRacingGame() as Game<unknown>,
  ]);
  try {
    await using chromium = await launchChromium();
    const errors: string[] = [];
    const open = async (query: string) => {
      const page = await openClientPage(chromium.browser, `${server.url}/${query}`, errors);
      await page.waitForFunction(
        () => (globalThis.__game?.session?.snapshotsApplied ?? 0) > 3,
        undefined,
        { ...POLL, timeout: 10_000 },
      );
      return page;
    };
    const pageA = await open("?game=racing&room=race-1&name=alice");
    const pageB = await open("?game=racing&room=race-1&name=bob");
    const idA = await pageA.evaluate(() => globalThis.__game?.session?.playerId ?? 0);
    assert.ok(idA > 0);
    // The landing list names both games the server hosts.
    await pageA.waitForFunction(() =>
      (document.getElementById("games")?.textContent ?? "").includes("arena")
    );
    assert.match(
      await pageA.evaluate(() => document.getElementById("games")?.textContent ?? ""),
      /arena.*racing/,
    );
    // A game the page has no client module for is named, not replaced by another.
    const unknown = await openClientPage(chromium.browser, `${server.url}/?game=chess`, errors);
    assert.match(await unknown.locator("#screen").innerText(), /no client for the game "chess"/);
    assert.equal(await unknown.evaluate(() => globalThis.__game === undefined), true);
    await unknown.close();
    // The SDK's HUD and F3 overlay, with only the debug views racing draws.
    assert.match(await pageA.locator("#hud").innerText(), /Arrows\/WASD drive/);
    await pageA.keyboard.press("F3");
    assert.equal(await pageA.getByLabel("Show server positions").count(), 1);
    assert.equal(await pageA.getByLabel("Show lag compensation", { exact: false }).count(), 0);
    await pageA.keyboard.press("F3");

    for (const page of [pageA, pageB]) await page.keyboard.press("Enter");
    const racing = (phase: number) =>
      globalThis.__game?.session?.history.latest?.global?.[0] === phase;
    for (const page of [pageA, pageB]) {
      await page.waitForFunction(racing, PHASE.RACING, { ...POLL, timeout: 8_000 });
    }
    const startA = await carAt(pageA, idA), startB = await carAt(pageB, idA);
    assert.ok(startA !== null && startB !== null, "both pages draw A's car");
    await pageA.keyboard.down("ArrowUp");
    await pageA.waitForTimeout(1200);
    await pageA.keyboard.up("ArrowUp");
    // B draws others ~100 ms in the past: give its view time to catch up.
    await pageB.waitForTimeout(400);
    const endA = await carAt(pageA, idA), endB = await carAt(pageB, idA);
    assert.ok(endA !== null && endB !== null);
    assert.ok(endA.x - startA.x > 100, `A's own page: ${startA.x} → ${endA.x}`);
    assert.ok(endB.x - startB.x > 100, `B's page: ${startB.x} → ${endB.x}`);
    // The car still coasts; B draws it up to its interpolation delay (≤ 250 ms) in the past, and
    // the two pages are read one after the other (on a loaded machine, up to a few hundred ms
    // apart): the pages agree within what the car covers in 0.6 s.
    const speed = await pageA.evaluate(
      ([id, column]) => globalThis.__game?.session?.history.latest?.entities.get(id)?.[column] ?? 0,
      [idA, CAR_COLUMN.speed] as const,
    );
    const gap = Math.hypot(endA.x - endB.x, endA.y - endB.y);
    assert.ok(gap < Math.abs(speed) * 0.6 + 40, JSON.stringify({ endA, endB, speed }));
    assert.deepEqual(errors, []);
  } finally {
    await server.shutdown("Test finished");
  }
});
