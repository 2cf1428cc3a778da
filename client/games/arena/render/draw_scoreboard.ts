import { PALETTE, playerColor } from "./colors.ts";
import type { FrameView } from "./frame_view.ts";

const MAX_ROWS = 8;

/**
 * Draw the scoreboard (every player in the room by score, from the snapshot's global section) in
 * the top-right corner and the recent kills under it.
 */
export function drawScoreboard(frame: FrameView): void {
  const { ctx, scene, camera } = frame;
  const players = scene.scores;
  const width = 210;
  const rowHeight = 20;
  const left = camera.width - width - 14;
  let top = 14;
  const shown = players.slice(0, MAX_ROWS);
  const height = 34 + shown.length * rowHeight;
  ctx.save();
  ctx.fillStyle = PALETTE.panel;
  ctx.fillRect(left, top, width, height);
  ctx.font = "700 12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.fillStyle = "#9aa6c8";
  ctx.fillText(`SCOREBOARD · ${players.length} online`, left + 12, top + 16);
  top += 34;
  ctx.font = "13px system-ui, sans-serif";
  for (const [index, player] of shown.entries()) {
    const y = top + index * rowHeight + rowHeight / 2 - 4;
    if (player.own) {
      ctx.fillStyle = "rgba(255, 255, 255, 0.09)";
      ctx.fillRect(left + 4, y - rowHeight / 2, width - 8, rowHeight);
    }
    ctx.fillStyle = playerColor(player.id);
    ctx.beginPath();
    ctx.arc(left + 16, y, 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = player.own ? PALETTE.ownRing : PALETTE.text;
    ctx.textAlign = "left";
    const name = scene.names.get(player.id) ?? `player ${player.id}`;
    ctx.fillText(name.length > 18 ? `${name.slice(0, 17)}…` : name, left + 28, y);
    ctx.textAlign = "right";
    ctx.fillText(String(player.score), left + width - 12, y);
  }
  let feedTop = 14 + height + 16;
  ctx.textAlign = "right";
  ctx.font = "12px system-ui, sans-serif";
  for (const kill of scene.kills) {
    ctx.fillStyle = "rgba(0, 0, 0, 0.6)";
    ctx.fillText(`${kill.attacker} ✖ ${kill.target}`, left + width + 1, feedTop + 1);
    ctx.fillStyle = "#ffb4a8";
    ctx.fillText(`${kill.attacker} ✖ ${kill.target}`, left + width, feedTop);
    feedTop += 18;
  }
  for (const line of scene.chat) {
    const text = `${line.name}: ${line.text}`;
    ctx.fillStyle = "rgba(0, 0, 0, 0.6)";
    ctx.fillText(text, left + width + 1, feedTop + 1);
    ctx.fillStyle = "#e6ecff";
    ctx.fillText(text, left + width, feedTop);
    feedTop += 18;
  }
  ctx.restore();
}
