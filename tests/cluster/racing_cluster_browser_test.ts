/// <reference lib="deno.unstable" />
/**
 * The client SDK in a cluster: two real server processes on one real redis-server, the bundled
 * racing client in headless Chromium (QUIC on). Two drivers open the same race from pages served
 * by different processes; both land in one race on the process that owns it, over WebTransport,
 * and the HUD says so. When the owner dies, the driver whose page host survives goes back through
 * `/matchmake` and races again on the survivor.
 * @module
 */
import assert from "node:assert/strict";
// For the global `__game` declaration (the SDK runner), which the page functions below read.
import type {} from "../../client/main.ts";
import { buildClient } from "../../server/build_client.ts";
import { browserTest, launchChromium, type Page } from "../support/browser.ts";
import { startRedis } from "../support/redis.ts";
import { startClusterProcesses } from "./_cluster_process.ts";

const POLL = { polling: 50 } as const;

/** What page `page` plays in, once it has applied a few snapshots since `afterRoom` changed. */
async function racingIn(
  page: Page,
  notRoom = "",
): Promise<{ roomId: string; transport: string; hud: string; names: number }> {
  await page.waitForFunction(
    (notRoom) => {
      const session = globalThis.__game?.session;
      return session !== undefined && session.connection.welcome.roomId !== notRoom &&
        session.snapshotsApplied > 3;
    },
    notRoom,
    { ...POLL, timeout: 20_000 },
  );
  return await page.evaluate(() => {
    const session = globalThis.__game?.session;
    return {
      roomId: session?.connection.welcome.roomId ?? "",
      transport: session?.connection.transport ?? "",
      hud: document.getElementById("hud")?.textContent ?? "",
      names: session?.names.size ?? 0,
    };
  });
}

browserTest(
  "racing in a cluster: pages served by two processes race in one room on its owner, over WebTransport",
  async () => {
    await buildClient();
    await using redis = await startRedis();
    const processes = await startClusterProcesses(2, { redisUrl: redis.url, webTransport: true });
    try {
      await using chromium = await launchChromium({ quic: true });
      const errors: string[] = [];
      const open = async (url: string) => {
        const page = await (await chromium.browser.newContext()).newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(url, { timeout: 10_000 });
        return page;
      };
      const [first, second] = processes;
      assert.ok(first !== undefined && second !== undefined);
      const pageA = await open(`${first.url}/?game=racing&room=grand-prix&name=alice`);
      const a = await racingIn(pageA);
      const owner = processes.find((process) => a.roomId.endsWith(`.${process.processId}`));
      assert.ok(owner !== undefined, `room ${a.roomId} is owned by a process of the cluster`);
      const other = owner === first ? second : first;
      // B's page comes from the process that does not own the race.
      const pageB = await open(`${other.url}/?game=racing&room=grand-prix&name=bob`);
      const b = await racingIn(pageB);
      assert.equal(b.roomId, a.roomId, "both drivers are in the same race");
      assert.equal(a.transport, "webtransport");
      assert.equal(b.transport, "webtransport");
      assert.match(b.hud, /WebTransport/);
      await pageA.waitForFunction(
        () => (globalThis.__game?.session?.names.size ?? 0) === 2,
        undefined,
        { ...POLL, timeout: 10_000 },
      );

      // The owner dies: B reconnects through /matchmake of its page's process, to the survivor.
      owner.signal("SIGKILL");
      const again = await racingIn(pageB, b.roomId);
      assert.ok(
        again.roomId.endsWith(`.${other.processId}`),
        `after the owner died, B races on the survivor: ${again.roomId}`,
      );
      assert.equal(again.transport, "webtransport");
      assert.deepEqual(errors, []);
    } finally {
      await Promise.all(processes.map((process) => process.stop()));
    }
  },
);
