/**
 * A player's colour from its id: hues a golden angle apart, so ids in a row look distinct and a
 * player keeps its colour in every client.
 *
 * @example Usage
 * ```ts
 * import { playerColor } from "./colors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(playerColor(1), playerColor(1));
 * assert.notEqual(playerColor(1), playerColor(2));
 * ```
 */
export function playerColor(id: number, lightness = 58, picked = 0): string {
  // `picked` is the hue the player chose plus 1 (the snapshot's hue column), 0 for none.
  const hue = picked > 0 ? picked - 1 : Math.round((id * 137.508) % 360);
  return `hsl(${hue} 70% ${lightness}%)`;
}

/** Colours of the scene that are not per player. */
export const PALETTE = {
  background: "#0b0e18",
  world: "#141a2c",
  grid: "#1f2740",
  edge: "#5c6fb5",
  npc: "#7d9c82",
  npcOutline: "#3d5443",
  projectile: "#ffd166",
  hpBack: "rgba(0, 0, 0, 0.55)",
  hpGood: "#5ee07a",
  hpLow: "#f25c54",
  text: "#e8ecf8",
  ownRing: "#ffffff",
  // Opaque: entities behind a panel must not show through it.
  panel: "#080b16",
} as const;
