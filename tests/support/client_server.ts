import { buildClient } from "../../server/build_client.ts";
import type { Game } from "../../server/rooms/game.ts";
import { type RunningServer, startServer } from "../../server/server.ts";
import type { Browser, Page } from "./browser.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** Bundle the client and serve it with `games` on an ephemeral loopback port, as `deno task start` does. */
export async function startClientServer(games: Game<unknown>[]): Promise<RunningServer> {
  await buildClient();
  return startServer({
    games,
    hostname: "127.0.0.1",
    port: 0,
    tickRateHz: 30,
    staticFolders: [`${ROOT}client/dist`, `${ROOT}client`],
  });
}

/**
 * Open `url` in a fresh browser context (another player's machine) with a 1000 × 640 window;
 * page exceptions go to `errors`.
 */
export async function openClientPage(
  browser: Browser,
  url: string,
  errors: string[],
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url, { timeout: 10_000 });
  return page;
}
