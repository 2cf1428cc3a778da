/**
 * Entry point of the browser client, bundled into `client/dist/client.js` by
 * `deno task build:client`: reads `?game=`, `?room=`, `?name=` and `?transport=ws|wt` and starts
 * the game: the arena on its own client (it matchmakes at `/matchmake` of the page's host and
 * connects to the process that owns the room, over WebTransport when it can, else WebSocket),
 * other games through the client SDK (`client/sdk/`) with their module, which matchmakes and
 * connects the same way. Lists the server's games in the corner, and installs the `globalThis.__arena` (or
 * `__game`) test hook.
 * @module
 */
import { ArenaApp } from "./app.ts";
import { createRacingClient } from "./games/racing/racing_client.ts";
import { transportPreference } from "./net/transport_choice.ts";
import { type GameRunner, runGame } from "./sdk/mod.ts";
import { createDebugHook } from "./ui/debug_hook.ts";
import { joinSettings } from "./ui/join_settings.ts";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new TypeError(`Cannot start the client: #${id} is missing`);
  return found;
}

declare global {
  /** The SDK's runner of a game other than the arena, for the browser tests. */
  var __game: GameRunner | undefined;
}

/** Client modules by game name; the arena runs on its own client (`ArenaApp`). */
const SDK_GAMES = { racing: createRacingClient } as const;

const settings = {
  ...joinSettings(location.search),
  matchmakeUrl: new URL("/matchmake", location.href).href,
  transport: transportPreference(location.search),
};
const game = new URLSearchParams(location.search).get("game") ?? "arena";
if (Object.hasOwn(SDK_GAMES, game)) {
  const create = SDK_GAMES[game as keyof typeof SDK_GAMES];
  globalThis.__game = runGame(create(), {
    canvas: element("game", HTMLCanvasElement),
    hud: element("hud", HTMLElement),
    screen: element("screen", HTMLElement),
    debug: element("debug", HTMLElement),
  }, settings);
} else {
  const app = new ArenaApp(
    {
      canvas: element("game", HTMLCanvasElement),
      hud: element("hud", HTMLElement),
      screen: element("screen", HTMLElement),
      debug: element("debug", HTMLElement),
    },
    settings,
  );
  globalThis.__arena = createDebugHook(app);
  app.start();
}

// The landing list: every game the server hosts, one link each.
fetch("/healthz").then((response) => response.json()).then((health: { games?: unknown }) => {
  const nav = element("games", HTMLElement);
  nav.textContent = "Games:";
  for (const name of Array.isArray(health.games) ? health.games : []) {
    if (typeof name !== "string") continue;
    const link = document.createElement("a");
    link.href = `?game=${encodeURIComponent(name)}`;
    link.textContent = name === game ? `${name} (playing)` : name;
    nav.append(link);
  }
}).catch(() => {});
