/**
 * Entry point of the browser client, bundled into `client/dist/client.js` by
 * `deno task build:client`: reads `?game=`, `?room=`, `?name=` and `?transport=ws|wt` and starts
 * the game's client module (`client/games/`) on the client SDK (`client/sdk/`), which matchmakes
 * at `/matchmake` of the page's host and connects to the process that owns the room, over
 * WebTransport when it can, else WebSocket. Lists the server's games in the corner, and installs
 * the `globalThis.__game` test hook (and the arena's `__arena`).
 * @module
 */
import { ArenaClient } from "./games/arena/arena_client.ts";
import { createDebugHook } from "./games/arena/debug_hook.ts";
import { createRacingClient } from "./games/racing/racing_client.ts";
import { transportPreference } from "./net/transport_choice.ts";
import { type GameElements, type GameRunner, runGame } from "./sdk/mod.ts";
import { joinSettings } from "./ui/join_settings.ts";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new TypeError(`Cannot start the client: #${id} is missing`);
  return found;
}

declare global {
  /** The SDK's runner of the game on the page, for the browser tests. */
  var __game: GameRunner | undefined;
}

const settings = {
  ...joinSettings(location.search),
  matchmakeUrl: new URL("/matchmake", location.href).href,
  transport: transportPreference(location.search),
};
const elements: GameElements = {
  canvas: element("game", HTMLCanvasElement),
  hud: element("hud", HTMLElement),
  screen: element("screen", HTMLElement),
  debug: element("debug", HTMLElement),
};
/** Each game's client module started on the SDK; `?game=` picks one, the arena by default. */
const GAMES: Readonly<Record<string, () => GameRunner>> = {
  arena: () => {
    const arena = new ArenaClient();
    const runner = runGame(arena, elements, settings);
    globalThis.__arena = createDebugHook(runner, arena);
    return runner as GameRunner;
  },
  racing: () => runGame(createRacingClient(), elements, settings) as GameRunner,
};
const game = new URLSearchParams(location.search).get("game") ?? "arena";
const start = Object.hasOwn(GAMES, game) ? GAMES[game] : undefined;
if (start === undefined) {
  // A game the server may host but this page has no client module for: say so, do not guess.
  elements.screen.textContent = `This page has no client for the game "${game}". ` +
    `Add its module to GAMES in client/main.ts.`;
} else {
  globalThis.__game = start();
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
