/**
 * Entry point of the `/replay` page, bundled into `client/dist/replay.js` by
 * `deno task build:client`: opens `?file=` (or the newest recording) and installs the
 * `globalThis.__replay` test hook.
 * @module
 */
import { ReplayApp } from "./replay_app.ts";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new TypeError(`Cannot start the replay: #${id} is missing`);
  return found;
}

const app = new ReplayApp({
  canvas: element("game", HTMLCanvasElement),
  info: element("info", HTMLElement),
  debug: element("debug", HTMLElement),
  controls: element("controls", HTMLElement),
});

declare global {
  /** Test hook of the replay page: the app itself (read its player, seek, play). */
  var __replay: ReplayApp | undefined;
}

globalThis.__replay = app;
app.start(new URLSearchParams(location.search).get("file"));
