/**
 * Entry point of the browser client, bundled into `client/dist/client.js` by
 * `deno task build:client`: reads `?room=`, `?name=` and `?transport=ws|wt`, matchmakes at
 * `/matchmake` of the page's host, connects to the process that owns the room (over WebTransport
 * when it can, else WebSocket) and starts the game. Also installs the `globalThis.__arena` test hook.
 * @module
 */
import { ArenaApp } from "./app.ts";
import { transportPreference } from "./net/transport_choice.ts";
import { createDebugHook } from "./ui/debug_hook.ts";
import { joinSettings } from "./ui/join_settings.ts";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new TypeError(`Cannot start the client: #${id} is missing`);
  return found;
}

const app = new ArenaApp(
  {
    canvas: element("game", HTMLCanvasElement),
    hud: element("hud", HTMLElement),
    screen: element("screen", HTMLElement),
    debug: element("debug", HTMLElement),
  },
  {
    ...joinSettings(location.search),
    matchmakeUrl: new URL("/matchmake", location.href).href,
    transport: transportPreference(location.search),
  },
);
globalThis.__arena = createDebugHook(app);
app.start();
