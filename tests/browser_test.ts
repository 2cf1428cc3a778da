/**
 * End-to-end: the real server and the bundled client in headless Chromium. Two players join one
 * room; a key held in page A moves A's player in both pages, and A's beam hits B while B strafes
 * (lag compensation), read from each page's `window.__arena` test hook (what the page draws, not
 * what the server says).
 * @module
 */
import assert from "node:assert/strict";
// For its global `__arena` declaration (the test hook), which the page functions below read.
import type {} from "../client/games/arena/debug_hook.ts";
import { buildClient } from "../server/build_client.ts";
import { type ArenaGameOptions, createArenaGame } from "../server/games/arena.ts";
import { type RunningServer, startServer } from "../server/server.ts";
import { serveStaticFile } from "../server/transport/static_files.ts";
import type { ArenaState } from "../shared/game/arena/mod.ts";
import { SUBPROTOCOL } from "../shared/protocol/mod.ts";
import { type Browser, browserTest, launchChromium, type Page } from "./support/browser.ts";
import { startRedis } from "./support/redis.ts";
import { startClusterProcesses } from "./cluster/_cluster_process.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SCREENSHOT = `${ROOT}tests/artifacts/arena.png`;
const LAG_SCREENSHOT = `${ROOT}tests/artifacts/lag_compensation.png`;

/** Bundle the client and serve it with the arena game, as `deno task start` does, on a free port. */
async function serveClient(arena: ArenaGameOptions): Promise<RunningServer> {
  await buildClient();
  return await startServer({
    games: [createArenaGame(arena)],
    hostname: "127.0.0.1",
    port: 0,
    tickRateHz: 30,
    staticFolders: [`${ROOT}client/dist`, `${ROOT}client`],
    // A fixed process id: a named room's id (`<name>.p1`) seeds its NPCs, so a page test that
    // names its room plays the same arena on every run.
    cluster: { processId: "p1" },
  });
}

/** Poll every 50 ms, for at most `timeoutMs`. */
function within(timeoutMs: number): { timeout: number; polling: number } {
  return { timeout: timeoutMs, polling: 50 };
}

/** Await a bounded wait; on failure say what was awaited. */
async function waitFor<T>(what: string, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    throw new Error(`Gave up waiting for ${what}`, { cause: error });
  }
}

/**
 * Open `url` in a fresh browser context (its own storage, like another player's machine) with
 * a 1280 × 720 window; page exceptions, and with `strict` console errors and failed requests, go
 * to `errors`.
 */
async function openPage(
  browser: Browser,
  url: string,
  errors: string[],
  strict: boolean,
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  if (strict) {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("response", (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
  }
  await page.goto(url, { timeout: 10_000 });
  return page;
}

/** Which screen the page shows, and its title. */
function screenOf(page: Page): Promise<[string, string]> {
  return page.evaluate(() => [
    globalThis.__arena?.screen ?? "",
    document.querySelector("#screen h1")?.textContent ?? "",
  ]);
}

/** Where the page drew entity `id` (its own player when `id` is its player id). */
function drawnAt(page: Page, id: number): Promise<{ x: number; y: number } | null> {
  return page.evaluate((id) => globalThis.__arena?.entityPosition(id) ?? null, id);
}

/**
 * Hold the arrow keys in `page` that take its player towards entity `targetId` until it is
 * within `distance`, or `timeoutMs` has passed.
 */
async function walkTowards(
  page: Page,
  targetId: number,
  distance: number,
  timeoutMs: number,
): Promise<void> {
  const held = new Set<string>();
  const deadlineMs = performance.now() + timeoutMs;
  try {
    while (performance.now() < deadlineMs) {
      const own = await page.evaluate(() => globalThis.__arena?.ownPosition() ?? null);
      const target = await drawnAt(page, targetId);
      if (own === null || target === null) break;
      const dx = target.x - own.x;
      const dy = target.y - own.y;
      if (Math.hypot(dx, dy) < distance) break;
      const wanted = new Set<string>();
      if (dx > 30) wanted.add("ArrowRight");
      if (dx < -30) wanted.add("ArrowLeft");
      if (dy > 30) wanted.add("ArrowDown");
      if (dy < -30) wanted.add("ArrowUp");
      for (const key of [...held]) {
        if (wanted.has(key)) continue;
        await page.keyboard.up(key);
        held.delete(key);
      }
      for (const key of wanted) {
        if (held.has(key)) continue;
        await page.keyboard.down(key);
        held.add(key);
      }
      await page.waitForTimeout(50);
    }
  } finally {
    for (const key of held) await page.keyboard.up(key);
  }
}

/** Put the mouse of `page` (whose own player is `ownId`) 150 px from it towards `targetId`. */
async function aimAt(page: Page, ownId: number, targetId: number): Promise<void> {
  const own = await drawnAt(page, ownId);
  const target = await drawnAt(page, targetId);
  const size = page.viewportSize();
  if (own === null || target === null || size === null) return;
  const length = Math.hypot(target.x - own.x, target.y - own.y) || 1;
  // The camera keeps the own player in the middle of the view.
  await page.mouse.move(
    size.width / 2 + (target.x - own.x) / length * 150,
    size.height / 2 + (target.y - own.y) / length * 150,
  );
}

browserTest("browser client: a key held in page A moves A's player in both pages", async () => {
  const startedMs = performance.now();
  // Interest management off: players spawn anywhere in the 2000 × 2000 arena, and B must see A
  // wherever that is. Everything else is as `deno task start` serves it.
  const server = await serveClient({ interestManagement: false });
  const bundleBytes = (await Deno.stat(`${ROOT}client/dist/client.js`)).size;
  try {
    await using chromium = await launchChromium();
    const pageErrors: string[] = [];
    const open = (query: string) =>
      openPage(chromium.browser, `${server.url}/${query}`, pageErrors, true);

    const joined = () =>
      (globalThis.__arena?.connected ?? false) && (globalThis.__arena?.snapshotsApplied ?? 0) > 3;
    // A named room on a fixed process id: the same NPCs on every run (none stands in the beam's way).
    const pageA = await open("?room=arena-1&name=alice");
    await waitFor("A to join", pageA.waitForFunction(joined, undefined, within(10_000)));
    const roomId = await pageA.evaluate(() => globalThis.__arena?.roomId);
    const idA = await pageA.evaluate(() => globalThis.__arena?.playerId);
    assert.ok(roomId !== undefined && idA !== undefined);
    const pageB = await open(`?room=${encodeURIComponent(roomId)}&name=bob`);
    await waitFor("B to join", pageB.waitForFunction(joined, undefined, within(10_000)));
    assert.equal(await pageB.evaluate(() => globalThis.__arena?.roomId), roomId);
    await waitFor(
      "B to draw A's player",
      pageB.waitForFunction(
        (id) => globalThis.__arena?.entityPosition(id) != null,
        idA,
        within(10_000),
      ),
    );
    await waitFor(
      "A to draw itself",
      pageA.waitForFunction(
        () => !Number.isNaN(globalThis.__arena?.ownPosition().x),
        undefined,
        within(10_000),
      ),
    );

    const startA = await pageA.evaluate(() =>
      globalThis.__arena?.ownPosition() ?? { x: NaN, y: NaN }
    );
    const startInB = await drawnAt(pageB, idA);
    assert.ok(startInB !== null, "B draws A's player");
    // D moves right; a player spawned against the right wall goes left instead.
    const [key, direction] = startA.x > 1850 ? ["a", -1] : ["d", 1];
    await pageA.keyboard.down(key);
    await pageA.waitForTimeout(500);
    await pageA.keyboard.up(key);
    // 500 ms at 200 units/s is 100 units; allow for timer granularity.
    const moved = 60;
    await waitFor(
      "A's player to move in page A",
      pageA.waitForFunction(
        ([x, dir, min]) => ((globalThis.__arena?.ownPosition().x ?? x) - x) * dir >= min,
        [startA.x, direction, moved] as const,
        within(5_000),
      ),
    );
    await waitFor(
      "A's player to move in page B",
      pageB.waitForFunction(
        ([id, x, dir, min]) => ((globalThis.__arena?.entityPosition(id)?.x ?? x) - x) * dir >= min,
        [idA, startInB.x, direction, moved] as const,
        within(5_000),
      ),
    );
    // Once A stops, both pages settle on the same spot (the server's, to its 1/8-unit grid).
    await pageA.waitForTimeout(600);
    const endA = await pageA.evaluate(() =>
      globalThis.__arena?.ownPosition() ?? { x: NaN, y: NaN }
    );
    const endInB = await drawnAt(pageB, idA);
    assert.ok(endInB !== null);
    assert.ok(
      Math.abs(endA.x - endInB.x) < 1 && Math.abs(endA.y - endInB.y) < 1,
      `A at ${endA.x},${endA.y} in A but ${endInB.x},${endInB.y} in B`,
    );
    assert.ok(Math.abs(endA.y - startA.y) < 1, "holding one key moves along one axis only");

    // The HUD shows a measured ping.
    await waitFor(
      "the HUD to show a ping",
      pageA.waitForFunction(
        () => /^\d+ ms$/.test(document.getElementById("hud-pingMs")?.textContent ?? ""),
        undefined,
        within(5_000),
      ),
    );
    const pingText = await pageA.textContent("#hud-pingMs");
    assert.match(pingText ?? "", /^\d+ ms$/);
    assert.equal(typeof (await pageA.evaluate(() => globalThis.__arena?.pingMs)), "number");

    // For the screenshot: B walks up to A (bounded), then both aim at each other and fire.
    await walkTowards(pageB, idA, 260, 15_000);
    const idB = await pageB.evaluate(() => globalThis.__arena?.playerId ?? 0);

    // The beam (F) is judged where A saw B: A keeps aiming at where it draws B while B strafes,
    // and the server confirms a hit on B, which page B shows as lost hp.
    const hpBefore = await pageB.evaluate(() => globalThis.__arena?.ownHp ?? 0);
    // The net-debug overlay's lag compensation view rings where A saw B and where the server
    // judged B after each beam (kept in the screenshot below).
    await pageA.keyboard.press("F3");
    await pageA.getByLabel("Show lag compensation", { exact: false }).check();
    await pageA.keyboard.press("F3");
    // Only a hit on B ends the volley: a wandering NPC may step into the beam first.
    const beamHit = (target: number) =>
      globalThis.__arena?.beams().some((beam) => beam.judgedTarget === target) ?? false;
    const strafeUntilMs = performance.now() + 8_000;
    const strafe = async () => {
      for (let turn = 0; performance.now() < strafeUntilMs; turn++) {
        const key = turn % 2 === 0 ? "d" : "a";
        await pageB.keyboard.down(key);
        await pageB.waitForTimeout(400);
        await pageB.keyboard.up(key);
        if (await pageA.evaluate(beamHit, idB)) return;
      }
    };
    const shoot = async () => {
      await pageA.keyboard.down("f");
      try {
        while (performance.now() < strafeUntilMs && !(await pageA.evaluate(beamHit, idB))) {
          await aimAt(pageA, idA, idB);
          await pageA.waitForTimeout(20);
        }
      } finally {
        await pageA.keyboard.up("f");
      }
    };
    await Promise.all([strafe(), shoot()]);
    const beams = await pageA.evaluate(() => globalThis.__arena?.beams() ?? []);
    assert.ok(beams.length > 0, "A drew its beams at once");
    assert.ok(
      beams.some((beam) => beam.judgedTarget === idB),
      `the server confirmed a beam hit on B: ${JSON.stringify(beams)}`,
    );
    await Deno.mkdir(`${ROOT}tests/artifacts`, { recursive: true });
    await pageA.screenshot({ path: LAG_SCREENSHOT, timeout: 10_000 });
    await waitFor(
      "B to show the beam's damage",
      pageB.waitForFunction(
        (before) => (globalThis.__arena?.ownHp ?? before) < before,
        hpBefore,
        within(3_000),
      ),
    );
    await aimAt(pageA, idA, idB);
    await aimAt(pageB, idB, idA);
    await pageA.mouse.down();
    await pageB.mouse.down();
    // Taken mid-fight: the first shots have hit (HP bars down), later ones are in flight.
    await pageA.waitForTimeout(900);
    await Deno.mkdir(`${ROOT}tests/artifacts`, { recursive: true });
    await pageA.screenshot({ path: SCREENSHOT, timeout: 10_000 });
    await pageA.mouse.up();
    await pageB.mouse.up();

    assert.deepEqual(pageErrors, []);
    console.log(
      `browser test: ${
        Math.round(performance.now() - startedMs)
      } ms, bundle ${bundleBytes} bytes, ` +
        `ping ${pingText}, A moved ${
          Math.round(endA.x - startA.x)
        } units, ${beams.length} beams to the first confirmed hit; screenshot ${SCREENSHOT}`,
    );
  } finally {
    await server.shutdown("Test finished", 1000);
  }
});

browserTest("client: quick clicks/taps fire, keys beat focus, the URL is the invite", async () => {
  const server = await serveClient({ npcCount: 0 });
  try {
    await using chromium = await launchChromium();
    const pageErrors: string[] = [];
    const context = await chromium.browser.newContext({ viewport: { width: 800, height: 500 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/?room=new&name=quick`, { timeout: 10_000 });
    // Every text the HUD's rates show from the start, to check none is a made-up zero.
    await page.evaluate(() => {
      const seen = new Set<string>();
      Object.assign(globalThis, { hudRatesSeen: seen });
      const ids = ["hud-snapshotsPerSecond", "hud-kilobytesPerSecondDown"];
      const record = () => {
        for (const id of ids) seen.add(document.getElementById(id)?.textContent ?? "");
      };
      record();
      new MutationObserver(record).observe(document.getElementById("hud") ?? document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    await waitFor(
      "the player to join and draw itself",
      page.waitForFunction(
        () =>
          globalThis.__arena?.connected === true &&
          !Number.isNaN(globalThis.__arena.ownPosition().x),
        undefined,
        within(10_000),
      ),
    );
    const roomId = await page.evaluate(() => globalThis.__arena?.roomId ?? "");
    const playerId = await page.evaluate(() => globalThis.__arena?.playerId ?? 0);
    // Matchmade rooms are named `<name>.<processId>`: the id names the process that owns it.
    assert.match(roomId, /^arena-[a-z0-9]+\.[a-z0-9]+$/);
    // ?room=new became the room's real id: the address bar is the invite.
    assert.equal(new URL(page.url()).searchParams.get("room"), roomId);
    assert.equal(new URL(page.url()).searchParams.get("name"), "quick");

    const room = server.registry.get(roomId);
    assert.ok(room !== undefined);
    const shotIds = () =>
      (room.state as ArenaState).projectiles
        .filter((shot) => shot.ownerId === playerId)
        .map((shot) => shot.id);
    const seenShots = new Set<number>();
    /** Do `act` (a press and release with no wait between), then wait for a new shot. */
    const firesAShot = async (what: string, act: () => Promise<void>) => {
      // Past the fire cooldown (300 ms) of the previous shot.
      await page.waitForTimeout(400);
      for (const id of shotIds()) seenShots.add(id);
      await act();
      const deadlineMs = performance.now() + 3000;
      while (performance.now() < deadlineMs) {
        const fresh = shotIds().find((id) => !seenShots.has(id));
        if (fresh !== undefined) {
          seenShots.add(fresh);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.fail(`${what} fired no shot`);
    };
    const size = page.viewportSize() ?? { width: 800, height: 500 };
    // Three of each: a press and release between two 33 ms input samples was lost every time.
    for (let index = 0; index < 3; index++) {
      await firesAShot(`instant click ${index + 1}`, async () => {
        await page.mouse.move(size.width / 2 + 120, size.height / 2);
        await page.mouse.down();
        await page.mouse.up();
      });
      await firesAShot(`instant space tap ${index + 1}`, () => page.keyboard.press("Space"));
    }

    // With the net-debug panel open and one of its checkboxes focused, space still fires and
    // leaves the checkbox alone.
    await page.keyboard.press("F3");
    const checkbox = page.locator("#debug input[type=checkbox]").last();
    await checkbox.focus();
    const checkedBefore = await checkbox.isChecked();
    await firesAShot("space with a checkbox focused", () => page.keyboard.press("Space"));
    assert.equal(await checkbox.isChecked(), checkedBefore, "space left the checkbox alone");

    // Panels over the game are opaque; the debug panel fits the window and scrolls.
    const panels = await page.evaluate(() =>
      ["hud", "debug"].map((id) => {
        const element = document.getElementById(id);
        if (element === null) return null;
        const style = getComputedStyle(element);
        return {
          id,
          background: style.backgroundColor,
          bottom: element.getBoundingClientRect().bottom,
          overflows: element.scrollHeight > element.clientHeight,
          overflowY: style.overflowY,
        };
      })
    );
    for (const panel of panels) {
      assert.ok(panel !== null);
      assert.match(panel.background, /^rgb\(/, `${panel.id} is opaque: ${panel.background}`);
    }
    const debugPanel = panels[1];
    assert.ok(debugPanel !== null && debugPanel !== undefined);
    assert.ok(debugPanel.bottom <= size.height, "the debug panel fits the window");
    if (debugPanel.overflows) assert.equal(debugPanel.overflowY, "scroll");
    await page.keyboard.press("F3");

    // The HUD's rates: a dash until measured, never a made-up 0, in KB/s like /stats.
    await waitFor(
      "the HUD to show a download rate",
      page.waitForFunction(
        () =>
          /KB\/s$/.test(document.getElementById("hud-kilobytesPerSecondDown")?.textContent ?? ""),
        undefined,
        within(5_000),
      ),
    );
    const ratesSeen = await page.evaluate(
      () => [...(globalThis as unknown as { hudRatesSeen: Set<string> }).hudRatesSeen],
    );
    assert.ok(ratesSeen.includes("–"), `a dash before the first measurement: ${ratesSeen}`);
    for (const text of ratesSeen) assert.doesNotMatch(text, /^0(\.0)? ?(\/s|KB\/s)$/, text);

    // H hides the HUD (and with it the scoreboard and minimap), and brings it back.
    await page.keyboard.press("h");
    assert.equal(await page.locator("#hud").isHidden(), true);
    await page.keyboard.press("h");
    assert.equal(await page.locator("#hud").isVisible(), true);

    // "Copy invite link" puts the room's address on the clipboard.
    await page.click("#hud-invite");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, `${server.url}/?room=${roomId}`);
    assert.deepEqual(pageErrors, []);
    await context.close();
  } finally {
    await server.shutdown("Test finished", 1000);
  }
});

browserTest("client: room full, a restart and a version mismatch show their screens", async () => {
  await buildClient();
  const staticFolders = [`${ROOT}client/dist`, `${ROOT}client`];
  const settings = { hostname: "127.0.0.1", tickRateHz: 30, staticFolders };
  const oneSeat = () => [createArenaGame({ maxPlayers: 1, npcCount: 5 })];
  let server = await startServer({ ...settings, games: oneSeat(), port: 0 });
  const port = Number(new URL(server.url).port);
  // The browser logs failed WebSocket connections as console errors here; only page exceptions
  // count as failures.
  const pageErrors: string[] = [];
  try {
    await using chromium = await launchChromium();
    const first = await openPage(
      chromium.browser,
      `${server.url}/?name=first`,
      pageErrors,
      false,
    );
    const playing = () =>
      globalThis.__arena?.connected === true && globalThis.__arena.screen === "playing";
    await waitFor(
      "the first player to join",
      first.waitForFunction(playing, undefined, within(10_000)),
    );
    const roomId = await first.evaluate(() => globalThis.__arena?.roomId ?? "");

    const second = await openPage(
      chromium.browser,
      `${server.url}/?room=${encodeURIComponent(roomId)}&name=second`,
      pageErrors,
      false,
    );
    const showing = (kind: string) => globalThis.__arena?.screen === kind;
    await waitFor(
      "the room-full screen",
      second.waitForFunction(showing, "room_full", within(10_000)),
    );
    assert.deepEqual(await screenOf(second), ["room_full", "Room full"]);
    await second.context().close();

    // Restart (1012): the first player sees "Disconnected" with the server's reason, retries
    // within a few hundred ms, keeps the reason through failed attempts, and is back by itself.
    // A generous deadline: on a busy machine a close reply later than it would reach the page
    // as 1006, not the 1012 this part is about.
    await server.shutdown("Restarting for the test", 5000);
    await waitFor(
      "the disconnected screen",
      first.waitForFunction(showing, "disconnected", within(5_000)),
    );
    assert.deepEqual(await screenOf(first), ["disconnected", "Disconnected"]);
    await waitFor(
      "a second attempt",
      first.waitForFunction(
        () => (globalThis.__arena?.retryDelaysMs.length ?? 0) >= 2,
        undefined,
        within(5_000),
      ),
    );
    const [firstDelayMs = Infinity] = await first.evaluate(() =>
      globalThis.__arena?.retryDelaysMs ?? []
    );
    assert.ok(firstDelayMs <= 400, `first retry after ${firstDelayMs} ms`);
    const message = await first.evaluate(() => document.querySelector("#screen p")?.textContent);
    assert.match(message ?? "", /^Restarting for the test\. Reconnecting /);
    server = await startServer({ ...settings, games: oneSeat(), port });
    // Backoff after a restart: 0.2 s, 0.4 s, 0.8 s, 1.6 s (up to twice that) before it is back.
    await waitFor("the reconnect", first.waitForFunction(playing, undefined, within(10_000)));
    await first.context().close();
  } finally {
    await server.shutdown("Test finished", 1000);
  }

  // A server of another protocol version refuses the join with 4000.
  const controller = new AbortController();
  const other = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    async (request): Promise<Response> => {
      const url = new URL(request.url);
      if (url.pathname === "/matchmake") {
        // The page's matchmaking: connect to this server's own socket.
        const wsUrl = `ws://${url.host}/ws`;
        return Response.json({ url: wsUrl, roomId: "old.p1", seat: "seat" });
      }
      if (url.pathname === "/ws") {
        const { socket, response } = Deno.upgradeWebSocket(request, { protocol: SUBPROTOCOL });
        socket.onmessage = () => socket.close(4000, "Protocol version 1 is not supported");
        return response;
      }
      for (const folder of staticFolders) {
        const file = await serveStaticFile(folder, url.pathname);
        if (file !== null) return file;
      }
      return new Response("Not found", { status: 404 });
    },
  );
  try {
    await using chromium = await launchChromium();
    const page = await openPage(
      chromium.browser,
      `http://127.0.0.1:${other.addr.port}/`,
      pageErrors,
      false,
    );
    const showing = (kind: string) => globalThis.__arena?.screen === kind;
    await waitFor(
      "the version screen",
      page.waitForFunction(showing, "version_mismatch", within(10_000)),
    );
    assert.deepEqual(await screenOf(page), ["version_mismatch", "Version mismatch"]);
    await page.context().close();
  } finally {
    controller.abort();
    await other.finished;
  }
  assert.deepEqual(pageErrors, []);
});

browserTest(
  "browser client: one ?room= link opened on two cluster processes lands both in one room",
  async () => {
    await buildClient();
    await using redis = await startRedis();
    const processes = await startClusterProcesses(2, {
      redisUrl: redis.url,
      tickRateHz: 30,
      extraArgs: ["--interest", "off"],
    });
    try {
      await using chromium = await launchChromium();
      const pageErrors: string[] = [];
      const joined = () =>
        (globalThis.__arena?.connected ?? false) && (globalThis.__arena?.snapshotsApplied ?? 0) > 3;
      const [first, second] = processes;
      assert.ok(first !== undefined && second !== undefined);
      const pageA = await openPage(
        chromium.browser,
        `${first.url}/?room=friends&name=alice`,
        pageErrors,
        true,
      );
      const pageB = await openPage(
        chromium.browser,
        `${second.url}/?room=friends&name=bob`,
        pageErrors,
        true,
      );
      await waitFor("A to join", pageA.waitForFunction(joined, undefined, within(10_000)));
      await waitFor("B to join", pageB.waitForFunction(joined, undefined, within(10_000)));
      const roomA = await pageA.evaluate(() => globalThis.__arena?.roomId);
      const roomB = await pageB.evaluate(() => globalThis.__arena?.roomId);
      assert.equal(roomA, roomB, "one room for one link");
      assert.match(roomA ?? "", /^friends\.[a-z0-9]+$/);
      const idA = await pageA.evaluate(() => globalThis.__arena?.playerId ?? 0);
      const idB = await pageB.evaluate(() => globalThis.__arena?.playerId ?? 0);
      await waitFor(
        "B to draw A's player",
        pageB.waitForFunction(
          (id) => globalThis.__arena?.entityPosition(id) != null,
          idA,
          within(10_000),
        ),
      );
      await waitFor(
        "A to draw B's player",
        pageA.waitForFunction(
          (id) => globalThis.__arena?.entityPosition(id) != null,
          idB,
          within(10_000),
        ),
      );
      assert.deepEqual(pageErrors, []);
      await pageA.context().close();
      await pageB.context().close();
    } finally {
      await Promise.all(processes.map((process) => process.stop()));
    }
  },
);
