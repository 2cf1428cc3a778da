import { ARENA, ENTITY_KIND } from "../../../../shared/game/arena/mod.ts";
import { PALETTE, playerColor } from "./colors.ts";
import type { FrameView } from "./frame_view.ts";

/**
 * Draw the whole arena small in the bottom-right corner: NPCs as grey dots, players in their
 * colours, the own player ringed, and the part of the world in view as a rectangle.
 */
export function drawMinimap(frame: FrameView): void {
  const { ctx, scene, camera } = frame;
  const size = Math.round(Math.min(180, Math.max(110, Math.min(camera.width, camera.height) / 4)));
  const margin = 14;
  const left = camera.width - size - margin;
  const top = camera.height - size - margin;
  const scale = size / Math.max(ARENA.worldWidth, ARENA.worldHeight);
  ctx.save();
  ctx.fillStyle = PALETTE.panel;
  ctx.fillRect(left - 4, top - 4, size + 8, size + 8);
  ctx.strokeStyle = PALETTE.edge;
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, size - 1, size - 1);
  for (const entity of scene.entities) {
    if (entity.kind === ENTITY_KIND.PROJECTILE) continue;
    const x = left + entity.x * scale;
    const y = top + entity.y * scale;
    if (entity.kind === ENTITY_KIND.NPC) {
      ctx.fillStyle = PALETTE.npc;
      ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      continue;
    }
    ctx.beginPath();
    ctx.arc(x, y, entity.own ? 4 : 3, 0, 2 * Math.PI);
    ctx.fillStyle = playerColor(entity.id);
    ctx.fill();
    if (entity.own) {
      ctx.strokeStyle = PALETTE.ownRing;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }
  const [viewLeft, viewTop, viewRight, viewBottom] = camera.visibleWorld();
  const clipLeft = Math.max(0, viewLeft);
  const clipTop = Math.max(0, viewTop);
  ctx.strokeStyle = "rgba(255, 255, 255, 0.5)";
  ctx.strokeRect(
    left + clipLeft * scale,
    top + clipTop * scale,
    (Math.min(ARENA.worldWidth, viewRight) - clipLeft) * scale,
    (Math.min(ARENA.worldHeight, viewBottom) - clipTop) * scale,
  );
  ctx.restore();
}
