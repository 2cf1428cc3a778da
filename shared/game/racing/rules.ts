import { defineInput, type InputLayout } from "../../protocol/input_schema.ts";
import type { CommandSpec } from "../../protocol/command_schema.ts";

/**
 * A top-down racing game: cars drive laps through checkpoints on an oval. Pure, deterministic
 * rules shared by the server (authoritative) and the client (prediction of its own car): the same
 * inputs from the same state always give the same state.
 * @module
 */

/** The game's constants: world, track, car and race. */
export const RACING = {
  width: 2000,
  height: 1200,
  /** Checkpoints in driving order; the last is the start/finish line. */
  checkpoints: [
    { x: 1600, y: 600 },
    { x: 1000, y: 1000 },
    { x: 400, y: 600 },
    { x: 1000, y: 200 },
  ],
  /** A car passes a checkpoint within this distance of its centre. */
  checkpointRadius: 160,
  laps: 3,
  countdownMs: 3000,
  /** Forward top speed, units/s; backwards is a third of it. */
  maxSpeed: 420,
  /** Acceleration at full throttle, units/s². */
  acceleration: 320,
  /** Share of the speed lost per second to drag. */
  drag: 0.6,
  /** Turn rate at full steering and speed, rad/s. */
  turnRate: 2.6,
  /** Below this speed a car turns proportionally less (it cannot turn on the spot). */
  fullTurnSpeed: 120,
  carRadius: 14,
} as const;

/**
 * What a racing client sends every tick: throttle (−1 full reverse … 1 full ahead) and steering
 * (−1 left … 1 right), each to 1/100.
 */
export const RACING_INPUT: InputLayout<"throttle" | "steer"> = defineInput([
  { name: "throttle", type: "axis", min: -1, max: 1, scale: 100 },
  { name: "steer", type: "axis", min: -1, max: 1, scale: 100 },
]);

/** The racing commands: `ready` (the race counts down once every driver is ready). */
export const RACING_COMMANDS = {
  ready: { name: "ready", args: [], perSecond: 2, burst: 2 },
} as const satisfies Record<string, CommandSpec>;

/** One tick of a driver's intent, as the input declaration delivers it. */
export interface RacingInput {
  throttle: number;
  steer: number;
}

/** Phases of a race, as the global section numbers them. */
export const PHASE = { LOBBY: 0, COUNTDOWN: 1, RACING: 2, FINISHED: 3 } as const;

/** One of {@linkcode PHASE}. */
export type Phase = typeof PHASE[keyof typeof PHASE];

/** A car and its driver's progress. */
export interface Car {
  id: number;
  name: string;
  x: number;
  y: number;
  /** Direction the car points, radians, (−π, π]. */
  heading: number;
  /** Units/s along the heading; negative when reversing. */
  speed: number;
  /** Index of the checkpoint to pass next. */
  nextCheckpoint: number;
  /** Laps completed. */
  lap: number;
  ready: boolean;
  /** Race time at which it finished, or 0. */
  finishedMs: number;
}

/** What {@linkcode driveCar} moves: the part of a car the client predicts. */
export type CarBody = Pick<Car, "x" | "y" | "heading" | "speed">;

/** What happened in a step. */
export type RacingEvent =
  | { type: "countdown"; ms: number }
  | { type: "go" }
  | { type: "lap"; carId: number; lap: number }
  | { type: "finish"; carId: number; place: number; timeMs: number };

/** A race. */
export interface RacingState {
  phase: Phase;
  /** Time left of the countdown, ms. */
  countdownMs: number;
  /** Time since the start, ms. */
  raceMs: number;
  cars: Map<number, Car>;
  nextId: number;
  /** Cars that finished, in order. */
  finishers: number[];
}

/** A race waiting in its lobby. */
export function createRacingState(): RacingState {
  return {
    phase: PHASE.LOBBY,
    countdownMs: 0,
    raceMs: 0,
    cars: new Map(),
    nextId: 1,
    finishers: [],
  };
}

const START = RACING.checkpoints[RACING.checkpoints.length - 1]!;

/** Adds a car on the start grid (rows behind the line, facing the first checkpoint's way). */
export function addCar(state: RacingState, name: string): Car {
  const slot = state.cars.size;
  const car: Car = {
    id: state.nextId++,
    name,
    x: START.x - 60 - Math.floor(slot / 2) * 50,
    y: START.y - 20 + (slot % 2) * 40,
    heading: 0,
    speed: 0,
    nextCheckpoint: 0,
    lap: 0,
    ready: false,
    finishedMs: 0,
  };
  state.cars.set(car.id, car);
  return car;
}

/** Removes a car; a lobby or countdown that was waiting only for it goes on. */
export function removeCar(state: RacingState, id: number): void {
  state.cars.delete(id);
  startIfAllReady(state);
}

/** Marks a driver ready; when every driver of the lobby is, the countdown starts. */
export function setReady(state: RacingState, id: number, events: RacingEvent[] = []): void {
  const car = state.cars.get(id);
  if (car === undefined || state.phase !== PHASE.LOBBY) return;
  car.ready = true;
  if (startIfAllReady(state)) events.push({ type: "countdown", ms: state.countdownMs });
}

function startIfAllReady(state: RacingState): boolean {
  if (state.phase !== PHASE.LOBBY || state.cars.size === 0) return false;
  for (const car of state.cars.values()) if (!car.ready) return false;
  state.phase = PHASE.COUNTDOWN;
  state.countdownMs = RACING.countdownMs;
  return true;
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

function wrapAngle(angle: number): number {
  const turn = 2 * Math.PI;
  const wrapped = angle - turn * Math.floor((angle + Math.PI) / turn);
  return wrapped <= -Math.PI ? wrapped + turn : wrapped;
}

/**
 * Drives a car for `dtMs` with one input: throttle accelerates along the heading (reverse is
 * slower), drag slows it, steering turns it in proportion to its speed, walls stop it. The
 * client predicts its own car with this same function.
 */
export function driveCar(car: CarBody, input: RacingInput, dtMs: number): void {
  const dt = dtMs / 1000;
  const throttle = clamp(Number.isFinite(input.throttle) ? input.throttle : 0, -1, 1);
  const steer = clamp(Number.isFinite(input.steer) ? input.steer : 0, -1, 1);
  car.speed += throttle * RACING.acceleration * dt;
  car.speed -= car.speed * RACING.drag * dt;
  car.speed = clamp(car.speed, -RACING.maxSpeed / 3, RACING.maxSpeed);
  const grip = clamp(Math.abs(car.speed) / RACING.fullTurnSpeed, 0, 1) * Math.sign(car.speed);
  car.heading = wrapAngle(car.heading + steer * RACING.turnRate * grip * dt);
  const r = RACING.carRadius;
  const x = car.x + Math.cos(car.heading) * car.speed * dt;
  const y = car.y + Math.sin(car.heading) * car.speed * dt;
  car.x = clamp(x, r, RACING.width - r);
  car.y = clamp(y, r, RACING.height - r);
  if (car.x !== x || car.y !== y) car.speed *= 0.5;
}

/**
 * Applies one input of a driver: only while racing and until it finishes (in the lobby and the
 * countdown cars stay on the grid). Passing its next checkpoint advances it; passing the
 * start/finish line after the others counts a lap, and the last lap finishes the race for it.
 */
export function applyRacingInput(
  state: RacingState,
  id: number,
  input: RacingInput,
  dtMs: number,
  events: RacingEvent[] = [],
): void {
  const car = state.cars.get(id);
  if (car === undefined || state.phase !== PHASE.RACING || car.finishedMs > 0) return;
  driveCar(car, input, dtMs);
  const target = RACING.checkpoints[car.nextCheckpoint];
  if (target === undefined) return;
  if (Math.hypot(car.x - target.x, car.y - target.y) > RACING.checkpointRadius) return;
  car.nextCheckpoint = (car.nextCheckpoint + 1) % RACING.checkpoints.length;
  if (car.nextCheckpoint !== 0) return;
  car.lap++;
  events.push({ type: "lap", carId: car.id, lap: car.lap });
  if (car.lap < RACING.laps) return;
  car.finishedMs = Math.max(1, state.raceMs);
  state.finishers.push(car.id);
  events.push({
    type: "finish",
    carId: car.id,
    place: state.finishers.length,
    timeMs: car.finishedMs,
  });
}

/** Advances the race clock: the countdown, the start, the end when every car finished. */
export function stepRacing(state: RacingState, dtMs: number, events: RacingEvent[] = []): void {
  if (state.phase === PHASE.COUNTDOWN) {
    state.countdownMs -= dtMs;
    if (state.countdownMs <= 0) {
      state.countdownMs = 0;
      state.phase = PHASE.RACING;
      state.raceMs = 0;
      events.push({ type: "go" });
    }
  } else if (state.phase === PHASE.RACING) {
    state.raceMs += dtMs;
    if (state.cars.size > 0 && state.finishers.length >= state.cars.size) {
      state.phase = PHASE.FINISHED;
    }
  }
}
