/// <reference lib="deno.unstable" />
/**
 * End-to-end over WebTransport: the bundled client in headless Chromium (QUIC on) plays over
 * WebTransport and says so in its HUD; without WebTransport in the page, or with the server's
 * QUIC port blocked, it falls back to WebSocket and plays.
 * @module
 */
import assert from "node:assert/strict";
// For its global `__arena` declaration (the test hook), which the page functions below read.
import type {} from "../client/games/arena/debug_hook.ts";
import { createArenaGame } from "../server/games/arena.ts";
import { startServer, type TransportDocument } from "../server/server.ts";
import { buildClient } from "../server/build_client.ts";
import { browserTest, launchChromium, type Page } from "./support/browser.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Wait until the page plays (connected, snapshots applied); returns its transport and HUD. */
async function playing(page: Page): Promise<{ transport: string; hud: string }> {
  await page.waitForFunction(
    () =>
      (globalThis.__arena?.connected ?? false) && (globalThis.__arena?.snapshotsApplied ?? 0) > 10,
    undefined,
    { timeout: 15_000, polling: 50 },
  );
  return await page.evaluate(() => ({
    transport: globalThis.__arena?.transport ?? "",
    hud: document.getElementById("hud-transport")?.textContent ?? "",
  }));
}

browserTest(
  "browser client: plays over WebTransport, and falls back to WebSocket without it",
  async () => {
    await buildClient();
    // A UDP socket that swallows everything: a QUIC port behind a firewall that drops UDP.
    const blackhole = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    const blackholePort = (blackhole.addr as Deno.NetAddr).port;
    const swallowing = (async () => {
      try {
        for await (const _ of blackhole) { /* dropped */ }
      } catch { /* closed */ }
    })();
    const server = await startServer({
      games: [createArenaGame({ npcCount: 2 })],
      hostname: "127.0.0.1",
      port: 0,
      staticFolders: [`${ROOT}client/dist`, `${ROOT}client`],
    });
    const blockedServer = await startServer({
      games: [createArenaGame({ npcCount: 2 })],
      hostname: "127.0.0.1",
      port: 0,
      staticFolders: [`${ROOT}client/dist`, `${ROOT}client`],
      routes: {
        "/transport": () =>
          Response.json(
            {
              webSocketPath: "/ws",
              webTransport: {
                port: blackholePort,
                certificateHashes: server.webTransport?.certificateHashes() ?? [],
              },
            } satisfies TransportDocument,
          ),
      },
    });
    try {
      await using chromium = await launchChromium({ quic: true });
      const context = await chromium.browser.newContext();
      const overWt = await context.newPage();
      await overWt.goto(`${server.url}/?name=ada`, { timeout: 10_000 });
      assert.deepEqual(await playing(overWt), { transport: "webtransport", hud: "WebTransport" });
      assert.equal(server.counters.openByTransport.webtransport, 1);
      assert.ok(server.counters.webTransport.datagramsOut > 10, "snapshots went as datagrams");

      const withoutApi = await context.newPage();
      await withoutApi.addInitScript(() => {
        delete (globalThis as { WebTransport?: unknown }).WebTransport;
      });
      await withoutApi.goto(`${server.url}/?name=bob`, { timeout: 10_000 });
      assert.deepEqual(await playing(withoutApi), { transport: "websocket", hud: "WebSocket" });

      const forced = await context.newPage();
      await forced.goto(`${server.url}/?name=cy&transport=ws`, { timeout: 10_000 });
      assert.deepEqual(await playing(forced), { transport: "websocket", hud: "WebSocket" });
      assert.equal(server.counters.openByTransport.websocket, 2);

      const blocked = await context.newPage();
      const startedMs = performance.now();
      await blocked.goto(`${blockedServer.url}/?name=dee`, { timeout: 10_000 });
      assert.deepEqual(await playing(blocked), { transport: "websocket", hud: "WebSocket" });
      console.log(
        `Blocked QUIC port: playing over WebSocket after ${
          Math.round(performance.now() - startedMs)
        } ms`,
      );
      assert.equal(blockedServer.counters.openByTransport.websocket, 1);
    } finally {
      await server.shutdown("Test finished", 1000);
      await blockedServer.shutdown("Test finished", 1000);
      blackhole.close();
      await swallowing;
    }
  },
);
