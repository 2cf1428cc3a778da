/**
 * End-to-end for the arena's commands: in headless Chromium, Enter, a line and Enter in page A
 * shows the line in page B's chat, and C in page A changes the colour page B draws A's player in.
 * @module
 */
import assert from "node:assert/strict";
// For its global `__arena` declaration (the test hook), which the page functions below read.
import type {} from "../client/games/arena/debug_hook.ts";
import { createArenaGame } from "../server/games/arena.ts";
import type { Game } from "../server/rooms/game.ts";
import { launchChromium } from "./support/browser.ts";
import { openClientPage, startClientServer } from "./support/client_server.ts";
const WAIT = { polling: 50, timeout: 10_000 } as const;

Deno.test("arena in the browser: a chat line from page A appears in page B, and C recolours A", async () => {
  const server = await startClientServer([
    createArenaGame({ npcCount: 0, interestManagement: false }) as Game<unknown>,
  ]);
  try {
    await using chromium = await launchChromium();
    const errors: string[] = [];
    const open = async (query: string) => {
      const page = await openClientPage(chromium.browser, `${server.url}/${query}`, errors);
      await page.waitForFunction(
        () => (globalThis.__arena?.snapshotsApplied ?? 0) > 3,
        undefined,
        WAIT,
      );
      return page;
    };
    const pageA = await open("?room=chat-1&name=alice");
    const pageB = await open("?room=chat-1&name=bob");
    const idA = await pageA.evaluate(() => globalThis.__arena?.playerId ?? 0);
    await pageA.keyboard.press("Enter");
    await pageA.keyboard.type("hello    there");
    await pageA.keyboard.press("Enter");
    await pageB.waitForFunction(
      () => (globalThis.__arena?.chat() ?? []).length > 0,
      undefined,
      WAIT,
    );
    assert.deepEqual(await pageB.evaluate(() => globalThis.__arena?.chat()), [
      "alice: hello there",
    ]);
    assert.equal(await pageB.evaluate((id) => globalThis.__arena?.hueOf(id), idA), 0);
    await pageA.keyboard.press("KeyC");
    await pageB.waitForFunction((id) => (globalThis.__arena?.hueOf(id) ?? 0) > 0, idA, WAIT);
    // The first press picks hue 47, sent as 48 in the snapshot's hue column.
    assert.equal(await pageB.evaluate((id) => globalThis.__arena?.hueOf(id), idA), 48);
    assert.deepEqual(errors, []);
  } finally {
    await server.shutdown("Test finished");
  }
});
