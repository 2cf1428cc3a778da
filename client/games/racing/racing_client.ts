import {
  driveCar,
  PHASE,
  RACING,
  RACING_COMMANDS,
  RACING_INPUT,
  type RacingInput,
} from "../../../shared/game/racing/mod.ts";
import type { ClientFrame, ClientGame } from "../../sdk/mod.ts";
import type { GameSession } from "../../sdk/mod.ts";

/** The own car as the client predicts it. */
export interface PredictedCar {
  x: number;
  y: number;
  heading: number;
  speed: number;
}

const THROTTLE_KEYS = { ArrowUp: 1, KeyW: 1, ArrowDown: -1, KeyS: -1 } as const;
const STEER_KEYS = { ArrowLeft: -1, KeyA: -1, ArrowRight: 1, KeyD: 1 } as const;

/** Sum of the held keys' values, within −1 … 1. */
function axis(keys: ReadonlySet<string>, map: Readonly<Record<string, number>>): number {
  let value = 0;
  for (const [code, amount] of Object.entries(map)) if (keys.has(code)) value += amount;
  return Math.max(-1, Math.min(1, value));
}

/**
 * The racing game's browser client for the SDK: arrow keys or WASD drive, Enter says ready; the
 * own car is predicted with the shared `driveCar` (only while the race is on, as the server
 * applies inputs only then); the renderer draws the track, its checkpoints and the cars.
 */
export function createRacingClient(): ClientGame<RacingInput, PredictedCar> {
  // The phase of the newest snapshot: before the start the server ignores inputs, and so must
  // the prediction.
  let phase: number = PHASE.LOBBY;
  return {
    name: "racing",
    input: RACING_INPUT,
    commands: RACING_COMMANDS,
    positionFields: { x: "x", y: "y", angle: "heading" },
    controls: "Arrows/WASD drive · Enter ready",
    debugViews: ["serverPositions"],
    sampleInput: (keys) => ({
      throttle: axis(keys, THROTTLE_KEYS),
      steer: axis(keys, STEER_KEYS),
    }),
    inputValues: (input) => [input.throttle, input.steer],
    prediction: {
      // Looked up by name in the welcome's fields (a missing one throws), so in every row.
      fromRow: (row, column) => ({
        x: row[column("x")]!,
        y: row[column("y")]!,
        heading: row[column("heading")]!,
        speed: row[column("speed")]!,
      }),
      move(car, input, dtMs) {
        if (phase !== PHASE.RACING) return;
        const quantized = {
          throttle: RACING_INPUT.quantize(0, input.throttle),
          steer: RACING_INPUT.quantize(1, input.steer),
        };
        driveCar(car, quantized, dtMs);
      },
    },
    commandForKey: (code) =>
      code === "Enter" || code === "KeyR" ? { name: "ready", args: [] } : undefined,
    render(ctx, frame, session) {
      phase = frame.global[0] ?? PHASE.LOBBY;
      drawRace(ctx, frame, session);
    },
  };
}

function drawRace(
  ctx: CanvasRenderingContext2D,
  frame: ClientFrame<PredictedCar>,
  session: GameSession<RacingInput, PredictedCar>,
): void {
  const { width, height } = ctx.canvas;
  const scale = Math.min(width / RACING.width, height / RACING.height);
  ctx.save();
  ctx.fillStyle = "#1d2b1f";
  ctx.fillRect(0, 0, width, height);
  ctx.translate((width - RACING.width * scale) / 2, (height - RACING.height * scale) / 2);
  ctx.scale(scale, scale);
  ctx.fillStyle = "#2f4a33";
  ctx.fillRect(0, 0, RACING.width, RACING.height);
  // The track: a loop through the checkpoints.
  ctx.strokeStyle = "#555b66";
  ctx.lineWidth = RACING.checkpointRadius * 2;
  ctx.lineJoin = "round";
  ctx.beginPath();
  RACING.checkpoints.forEach((point, index) =>
    index === 0 ? ctx.moveTo(point.x, point.y) : ctx.lineTo(point.x, point.y)
  );
  ctx.closePath();
  ctx.stroke();
  const ownRow = frame.ownRow;
  // Until our car is in a snapshot: checkpoint 0 highlighted, lap 0.
  const next = ownRow === undefined ? 0 : ownRow[session.column("checkpoint")]!;
  RACING.checkpoints.forEach((point, index) => {
    ctx.strokeStyle = index === next ? "#ffd34d" : "rgba(255, 255, 255, 0.35)";
    ctx.lineWidth = 6;
    ctx.beginPath();
    ctx.arc(point.x, point.y, RACING.checkpointRadius, 0, 2 * Math.PI);
    ctx.stroke();
  });
  for (const car of frame.others) drawCar(ctx, car.x, car.y, car.angle, hue(car.id), false);
  if (frame.own !== undefined) {
    const { x, y } = frame.ownPosition;
    drawCar(ctx, x, y, frame.own.heading, hue(session.playerId), true);
  }
  if (frame.debug.showServerPositions) drawServerCars(ctx, session);
  ctx.restore();
  ctx.fillStyle = "#fff";
  ctx.font = "600 20px system-ui, sans-serif";
  ctx.textAlign = "center";
  const lap = ownRow === undefined ? 0 : ownRow[session.column("lap")]!;
  ctx.fillText(banner(frame, session, lap), width / 2, 36);
}

function banner(
  frame: ClientFrame<PredictedCar>,
  session: GameSession<RacingInput, PredictedCar>,
  lap: number,
): string {
  const [phase = PHASE.LOBBY, countdownTenths = 0, ...finishers] = frame.global;
  switch (phase) {
    case PHASE.LOBBY: {
      const ready = session.events.findLast((event) => event.type === "ready");
      return `Press Enter when ready${ready === undefined ? "" : ` (${ready.text})`}`;
    }
    case PHASE.COUNTDOWN:
      return `Starting in ${Math.ceil(countdownTenths / 10)}`;
    case PHASE.RACING:
      return `Lap ${Math.min(lap + 1, RACING.laps)} of ${RACING.laps}`;
    default: {
      const place = finishers.indexOf(session.playerId) + 1;
      return place > 0 ? `Finished: place ${place} of ${finishers.length}` : "Race over";
    }
  }
}

/** Outline every car where the newest snapshot puts it: how far prediction and interpolation are. */
function drawServerCars(
  ctx: CanvasRenderingContext2D,
  session: GameSession<RacingInput, PredictedCar>,
): void {
  const latest = session.history.latest;
  if (latest === undefined) return;
  const x = session.column("x"), y = session.column("y"), heading = session.column("heading");
  ctx.strokeStyle = "#ff5c8a";
  ctx.lineWidth = 2;
  for (const row of latest.entities.values()) {
    ctx.save();
    ctx.translate(row[x]!, row[y]!);
    ctx.rotate(row[heading]!);
    ctx.strokeRect(...CAR_BODY);
    ctx.restore();
  }
}

/** A car's body around its centre, facing +x: left, top, width, height. */
const CAR_BODY = [
  -RACING.carRadius * 1.4,
  -RACING.carRadius * 0.8,
  RACING.carRadius * 2.8,
  RACING.carRadius * 1.6,
] as const;

function hue(id: number): number {
  return Math.round((id * 137.508) % 360);
}

function drawCar(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  heading: number,
  carHue: number,
  own: boolean,
): void {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(heading);
  ctx.fillStyle = `hsl(${carHue} 75% 55%)`;
  ctx.fillRect(...CAR_BODY);
  ctx.fillStyle = "#111";
  ctx.fillRect(
    RACING.carRadius * 0.4,
    -RACING.carRadius * 0.6,
    RACING.carRadius * 0.6,
    RACING.carRadius * 1.2,
  );
  if (own) {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 3;
    ctx.strokeRect(...CAR_BODY);
  }
  ctx.restore();
}
