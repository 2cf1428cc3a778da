import { ARENA } from "../../../../shared/game/arena/mod.ts";
import type { BeamView } from "../scene.ts";

/** How long a tracer fades over, ms. */
const TRACER_MS = 180;
/** How long the muzzle flash shows, ms. */
const MUZZLE_MS = 70;
/** How long a confirmed hit's marker shows, ms. */
const HIT_MARKER_MS = 350;

/**
 * Draw the beams in world units (the caller set the world transform): a fading tracer and a
 * muzzle flash the moment a beam is fired, a cross where the server confirmed a hit, and with
 * `showLagCompensation` (the net-debug overlay, like Source's `sv_showlagcompensation`) where
 * the client drew the target it aimed at (blue) beside where the server's rewind put it (red).
 */
export function drawBeams(
  ctx: CanvasRenderingContext2D,
  beams: readonly BeamView[],
  showLagCompensation: boolean,
): void {
  ctx.save();
  ctx.lineCap = "round";
  for (const beam of beams) {
    if (beam.ageMs < TRACER_MS) {
      const fade = 1 - beam.ageMs / TRACER_MS;
      ctx.strokeStyle = beam.own
        ? `rgba(120, 230, 255, ${0.9 * fade})`
        : `rgba(255, 140, 220, ${0.8 * fade})`;
      ctx.lineWidth = 3;
      ctx.beginPath();
      ctx.moveTo(beam.fromX, beam.fromY);
      ctx.lineTo(beam.toX, beam.toY);
      ctx.stroke();
    }
    if (beam.ageMs < MUZZLE_MS) {
      const angle = Math.atan2(beam.toY - beam.fromY, beam.toX - beam.fromX);
      const x = beam.fromX + Math.cos(angle) * (ARENA.playerRadius + 8);
      const y = beam.fromY + Math.sin(angle) * (ARENA.playerRadius + 8);
      ctx.fillStyle = `rgba(255, 250, 200, ${1 - beam.ageMs / MUZZLE_MS})`;
      ctx.beginPath();
      ctx.arc(x, y, 9, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (beam.own && beam.confirmedHit === true && beam.ageMs < HIT_MARKER_MS) {
      drawCross(ctx, beam.toX, beam.toY, 10, "rgba(255, 255, 255, 0.95)");
    }
    if (showLagCompensation && beam.own) drawCompensation(ctx, beam);
  }
  ctx.restore();
}

function drawCompensation(ctx: CanvasRenderingContext2D, beam: BeamView): void {
  const radius = ARENA.playerRadius;
  ctx.lineWidth = 2;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  if (beam.seen !== undefined) {
    ctx.strokeStyle = "rgba(90, 170, 255, 0.9)";
    ctx.beginPath();
    ctx.arc(beam.seen.x, beam.seen.y, radius, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.fillStyle = "rgba(90, 170, 255, 0.9)";
    ctx.fillText("client", beam.seen.x, beam.seen.y - radius - 4);
  }
  const judged = beam.judged;
  if (judged !== undefined) {
    const color = beam.confirmedHit === true ? "rgba(255, 90, 80, 0.9)" : "rgba(255, 170, 60, 0.9)";
    ctx.strokeStyle = color;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.arc(judged.x, judged.y, radius, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = color;
    const verdict = beam.confirmedHit === true ? "hit" : "miss";
    ctx.fillText(`server −${judged.rewindMs} ms: ${verdict}`, judged.x, judged.y + radius + 13);
  }
}

function drawCross(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  size: number,
  color: string,
): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(x - size, y - size);
  ctx.lineTo(x + size, y + size);
  ctx.moveTo(x + size, y - size);
  ctx.lineTo(x - size, y + size);
  ctx.stroke();
}
