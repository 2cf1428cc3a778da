import { ARENA, ENTITY_KIND } from "../../../../shared/game/arena/mod.ts";
import type { SceneEntity } from "../scene.ts";
import type { Camera } from "./camera.ts";
import { drawBeams } from "./draw_beams.ts";
import { PALETTE, playerColor } from "./colors.ts";
import type { FrameView } from "./frame_view.ts";

/** Settings of {@linkcode drawWorld}. */
export interface DrawWorldOptions {
  /**
   * Outline where the server's newest snapshot puts each entity, to show what prediction and
   * interpolation add.
   * @default false
   */
  showServerPositions?: boolean;
  /**
   * After each own beam, ring where the client drew the target and where the server's rewind
   * judged it.
   * @default false
   */
  showLagCompensation?: boolean;
}

const GRID_STEP = 100;

/**
 * Draw the arena as `camera` sees it: floor, grid and walls, NPCs, players with their aim, HP
 * bars and names (the own player ringed), projectiles and hit flashes. The context's transform is
 * restored afterwards.
 */
export function drawWorld(frame: FrameView, options: DrawWorldOptions = {}): void {
  const { ctx, scene, camera } = frame;
  ctx.save();
  ctx.fillStyle = PALETTE.background;
  ctx.fillRect(0, 0, camera.width, camera.height);
  // World units from here on.
  ctx.translate(camera.width / 2, camera.height / 2);
  ctx.scale(camera.scale, camera.scale);
  ctx.translate(-camera.centerX, -camera.centerY);
  drawFloor(ctx, camera);
  if (options.showServerPositions === true) drawServerPositions(ctx, scene.serverPositions);
  for (const entity of scene.entities) {
    if (entity.kind === ENTITY_KIND.PROJECTILE) drawProjectile(ctx, entity);
    else if (entity.kind === ENTITY_KIND.NPC) drawNpc(ctx, entity);
    else drawPlayer(ctx, entity);
  }
  drawBeams(ctx, scene.beams, options.showLagCompensation === true);
  ctx.restore();
  // Labels in screen space, so text stays crisp at any zoom.
  ctx.save();
  ctx.font = "600 13px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  for (const entity of scene.entities) {
    if (entity.kind !== ENTITY_KIND.PLAYER) continue;
    const point = camera.toScreen(entity.x, entity.y - ARENA.playerRadius - 12);
    const name = scene.names.get(entity.id) ?? `player ${entity.id}`;
    const label = entity.hp > 0 ? name : `${name} (respawning)`;
    ctx.fillStyle = "rgba(0, 0, 0, 0.6)";
    ctx.fillText(label, point.x + 1, point.y - 3);
    ctx.fillStyle = entity.own ? PALETTE.ownRing : PALETTE.text;
    ctx.fillText(label, point.x, point.y - 4);
  }
  ctx.restore();
}

function drawFloor(ctx: CanvasRenderingContext2D, camera: Camera): void {
  ctx.fillStyle = PALETTE.world;
  ctx.fillRect(0, 0, ARENA.worldWidth, ARENA.worldHeight);
  const [left, top, right, bottom] = camera.visibleWorld();
  ctx.strokeStyle = PALETTE.grid;
  ctx.lineWidth = 1 / camera.scale;
  ctx.beginPath();
  const firstX = Math.max(0, Math.ceil(left / GRID_STEP) * GRID_STEP);
  const lastX = Math.min(ARENA.worldWidth, right);
  for (let x = firstX; x <= lastX; x += GRID_STEP) {
    ctx.moveTo(x, Math.max(0, top));
    ctx.lineTo(x, Math.min(ARENA.worldHeight, bottom));
  }
  const firstY = Math.max(0, Math.ceil(top / GRID_STEP) * GRID_STEP);
  const lastY = Math.min(ARENA.worldHeight, bottom);
  for (let y = firstY; y <= lastY; y += GRID_STEP) {
    ctx.moveTo(Math.max(0, left), y);
    ctx.lineTo(Math.min(ARENA.worldWidth, right), y);
  }
  ctx.stroke();
  ctx.strokeStyle = PALETTE.edge;
  ctx.lineWidth = 6;
  ctx.strokeRect(-3, -3, ARENA.worldWidth + 6, ARENA.worldHeight + 6);
}

function drawPlayer(ctx: CanvasRenderingContext2D, player: SceneEntity): void {
  const radius = ARENA.playerRadius;
  ctx.save();
  ctx.translate(player.x, player.y);
  if (player.hp <= 0) {
    ctx.globalAlpha = 0.3;
  }
  if (player.own) {
    ctx.shadowColor = "rgba(255, 255, 255, 0.55)";
    ctx.shadowBlur = 18;
  }
  // The barrel points along the aim.
  ctx.save();
  ctx.rotate(player.angle);
  ctx.fillStyle = playerColor(player.id, 35, player.hue);
  ctx.fillRect(radius - 6, -5, 22, 10);
  ctx.restore();
  ctx.beginPath();
  ctx.arc(0, 0, radius, 0, 2 * Math.PI);
  ctx.fillStyle = playerColor(player.id, 58, player.hue);
  ctx.fill();
  ctx.shadowBlur = 0;
  ctx.lineWidth = player.own ? 4 : 2;
  ctx.strokeStyle = player.own ? PALETTE.ownRing : playerColor(player.id, 30, player.hue);
  ctx.stroke();
  drawFlash(ctx, radius, player.flash);
  ctx.restore();
  if (player.hp > 0) drawHpBar(ctx, player.x, player.y - radius - 9, player.hp);
}

function drawNpc(ctx: CanvasRenderingContext2D, npc: SceneEntity): void {
  const radius = ARENA.npcRadius;
  ctx.save();
  ctx.translate(npc.x, npc.y);
  ctx.rotate(npc.angle);
  ctx.beginPath();
  // A rounded square, so NPCs read differently from players at a glance.
  ctx.roundRect(-radius, -radius, 2 * radius, 2 * radius, 7);
  ctx.fillStyle = PALETTE.npc;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = PALETTE.npcOutline;
  ctx.stroke();
  ctx.fillStyle = PALETTE.npcOutline;
  ctx.fillRect(radius - 8, -3, 8, 6);
  drawFlash(ctx, radius, npc.flash);
  ctx.restore();
  if (npc.hp < ARENA.maxHp) drawHpBar(ctx, npc.x, npc.y - radius - 9, npc.hp);
}

function drawProjectile(ctx: CanvasRenderingContext2D, shot: SceneEntity): void {
  const tail = 16;
  ctx.strokeStyle = "rgba(255, 209, 102, 0.45)";
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(shot.x, shot.y);
  ctx.lineTo(shot.x - Math.cos(shot.angle) * tail, shot.y - Math.sin(shot.angle) * tail);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(shot.x, shot.y, ARENA.projectileRadius + 1, 0, 2 * Math.PI);
  ctx.fillStyle = PALETTE.projectile;
  ctx.fill();
}

function drawFlash(ctx: CanvasRenderingContext2D, radius: number, strength: number): void {
  if (strength <= 0) return;
  ctx.beginPath();
  ctx.arc(0, 0, radius, 0, 2 * Math.PI);
  ctx.fillStyle = `rgba(255, 255, 255, ${0.75 * strength})`;
  ctx.fill();
  ctx.beginPath();
  ctx.arc(0, 0, radius + 4 + 10 * (1 - strength), 0, 2 * Math.PI);
  ctx.strokeStyle = `rgba(255, 90, 80, ${strength})`;
  ctx.lineWidth = 3;
  ctx.stroke();
}

function drawHpBar(ctx: CanvasRenderingContext2D, x: number, y: number, hp: number): void {
  const width = 40;
  const share = Math.max(0, Math.min(1, hp / ARENA.maxHp));
  ctx.fillStyle = PALETTE.hpBack;
  ctx.fillRect(x - width / 2 - 1, y - 1, width + 2, 7);
  ctx.fillStyle = share > 0.3 ? PALETTE.hpGood : PALETTE.hpLow;
  ctx.fillRect(x - width / 2, y, width * share, 5);
}

function drawServerPositions(ctx: CanvasRenderingContext2D, entities: SceneEntity[]): void {
  ctx.save();
  ctx.setLineDash([5, 4]);
  ctx.lineWidth = 2;
  for (const entity of entities) {
    ctx.strokeStyle = entity.own ? "rgba(255, 255, 255, 0.8)" : "rgba(140, 200, 255, 0.6)";
    ctx.beginPath();
    ctx.arc(entity.x, entity.y, ARENA.playerRadius + 3, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.restore();
}
