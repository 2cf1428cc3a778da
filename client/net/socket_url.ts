/**
 * The game socket's URL on the page's own host: `wss:` under `https:`, else `ws:`, path `/ws`.
 *
 * @example Usage
 * ```ts
 * import { socketUrl } from "./socket_url.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(socketUrl({ protocol: "https:", host: "play.example:8443" }), "wss://play.example:8443/ws");
 * ```
 */
export function socketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
}
