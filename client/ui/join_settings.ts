import { cleanText, LIMITS } from "../../shared/protocol/mod.ts";

/** Which room to join and under which name. */
export interface JoinSettings {
  /** Room id, or `any` for the server to pick one. */
  room: string;
  /** Display name. */
  name: string;
}

/**
 * Reads `?room=` and `?name=` from a URL query; a missing room is `any`, a missing name a random
 * one like `player-123`. Both are trimmed and cut to the protocol's limits, so a long name in a
 * link cannot get the join refused.
 *
 * @example Usage
 * ```ts
 * import { joinSettings } from "./join_settings.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(joinSettings("?name=ada", () => 0), { room: "any", name: "ada" });
 * assert.deepEqual(joinSettings("", () => 0.5), { room: "any", name: "player-550" });
 * ```
 */
export function joinSettings(search: string, random: () => number = Math.random): JoinSettings {
  const params = new URLSearchParams(search);
  const room = (params.get("room") ?? "").trim().slice(0, LIMITS.maxRoomIdChars);
  // The server's own cleaning, so the name shown here is the one others see.
  const name = cleanText(params.get("name") ?? "", {
    maxGraphemes: LIMITS.maxNameGraphemes,
    maxCodeUnits: LIMITS.maxNameChars,
  });
  return {
    room: room === "" ? "any" : room,
    name: name === "" ? `player-${100 + Math.floor(random() * 900)}` : name,
  };
}
