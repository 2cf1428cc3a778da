import assert from "node:assert/strict";
import {
  addCar,
  applyRacingInput,
  type Car,
  CAR_COLUMN,
  createRacingState,
  PHASE,
  RACING,
  RACING_ENTITY_SCHEMA,
  type RacingEvent,
  type RacingInput,
  type RacingState,
  removeCar,
  setReady,
  stepRacing,
} from "./mod.ts";

const TICK_MS = 1000 / 30;

function tick(state: RacingState, inputs: Map<number, RacingInput>, events: RacingEvent[] = []) {
  for (const [id, input] of inputs) applyRacingInput(state, id, input, TICK_MS, events);
  stepRacing(state, TICK_MS, events);
}

/** Full throttle, steering towards the car's next checkpoint. */
function autopilot(car: Car): RacingInput {
  const target = RACING.checkpoints[car.nextCheckpoint] ?? { x: 0, y: 0 };
  const wanted = Math.atan2(target.y - car.y, target.x - car.x);
  let turn = wanted - car.heading;
  turn = Math.atan2(Math.sin(turn), Math.cos(turn));
  return { throttle: 1, steer: Math.max(-1, Math.min(1, turn * 3)) };
}

function startedRace(names: string[]): { state: RacingState; cars: Car[] } {
  const state = createRacingState();
  const cars = names.map((name) => addCar(state, name));
  for (const car of cars) setReady(state, car.id);
  while (state.phase !== PHASE.RACING) stepRacing(state, TICK_MS);
  return { state, cars };
}

Deno.test("setReady() starts the countdown only once every driver is ready; then go", () => {
  const state = createRacingState();
  const ada = addCar(state, "ada"), bob = addCar(state, "bob");
  const events: RacingEvent[] = [];
  setReady(state, ada.id, events);
  assert.equal(state.phase, PHASE.LOBBY);
  setReady(state, bob.id, events);
  assert.equal(state.phase, PHASE.COUNTDOWN);
  assert.deepEqual(events, [{ type: "countdown", ms: RACING.countdownMs }]);
  // During the countdown inputs do nothing: nobody jumps the start.
  const before = { x: ada.x, y: ada.y };
  for (let step = 0; step < 89; step++) {
    tick(state, new Map([[ada.id, { throttle: 1, steer: 0 }]]), events);
  }
  assert.deepEqual({ x: ada.x, y: ada.y }, before);
  assert.equal(state.phase, PHASE.COUNTDOWN);
  tick(state, new Map(), events);
  assert.equal(state.phase, PHASE.RACING);
  assert.deepEqual(events.at(-1), { type: "go" });
  tick(state, new Map([[ada.id, { throttle: 1, steer: 0 }]]));
  assert.ok(ada.x > before.x);
});

Deno.test("removeCar() lets a lobby waiting only for the leaver start", () => {
  const state = createRacingState();
  const ada = addCar(state, "ada"), bob = addCar(state, "bob");
  setReady(state, ada.id);
  removeCar(state, bob.id);
  assert.equal(state.phase, PHASE.COUNTDOWN);
});

Deno.test("the same inputs from the same state give the same race (deterministic)", () => {
  const runs = [0, 1].map(() => {
    const { state, cars } = startedRace(["ada", "bob"]);
    for (let step = 0; step < 600; step++) {
      const inputs = new Map(cars.map((car, index) => [
        car.id,
        { throttle: index === 0 ? 1 : 0.7, steer: Math.sin(step / (20 + index * 7)) },
      ]));
      tick(state, inputs);
    }
    return JSON.stringify([...state.cars.values()]);
  });
  assert.equal(runs[0], runs[1]);
});

Deno.test("a car that drives the checkpoints in order laps, finishes and places", () => {
  const { state, cars } = startedRace(["ada", "bob"]);
  const [ada, bob] = cars;
  if (ada === undefined || bob === undefined) throw new Error("No cars");
  const events: RacingEvent[] = [];
  for (let step = 0; step < 5000 && state.phase === PHASE.RACING; step++) {
    // Bob drives at 80% throttle: slower, he finishes second.
    const bobInput = autopilot(bob);
    tick(
      state,
      new Map([[ada.id, autopilot(ada)], [bob.id, { ...bobInput, throttle: 0.8 }]]),
      events,
    );
  }
  assert.equal(state.phase, PHASE.FINISHED);
  assert.deepEqual(
    events.filter((event) => event.type === "lap" && event.carId === ada.id).map((event) =>
      event.type === "lap" ? event.lap : 0
    ),
    [1, 2, 3],
  );
  const finishes = events.filter((event) => event.type === "finish");
  assert.deepEqual(finishes.map((event) => event.type === "finish" ? event.carId : 0), [
    ada.id,
    bob.id,
  ]);
  assert.ok(ada.finishedMs > 0 && ada.finishedMs < bob.finishedMs);
  // A finished car takes no more input.
  const parked = { x: ada.x, y: ada.y };
  tick(state, new Map([[ada.id, { throttle: 1, steer: 0 }]]));
  assert.deepEqual({ x: ada.x, y: ada.y }, parked);
});

Deno.test("crossing the finish line without the other checkpoints counts no lap", () => {
  const { state, cars } = startedRace(["ada"]);
  const ada = cars[0];
  if (ada === undefined) throw new Error("No car");
  const events: RacingEvent[] = [];
  // Back and forth over the start/finish line for 20 s.
  for (let step = 0; step < 600; step++) {
    tick(state, new Map([[ada.id, { throttle: step % 60 < 30 ? 1 : -1, steer: 0 }]]), events);
  }
  assert.equal(ada.lap, 0);
  assert.deepEqual(events, []);
});

Deno.test("walls stop a car inside the world, and reverse is slower than forward", () => {
  const { state, cars } = startedRace(["ada"]);
  const ada = cars[0];
  if (ada === undefined) throw new Error("No car");
  ada.heading = -Math.PI / 2;
  for (let step = 0; step < 300; step++) {
    tick(state, new Map([[ada.id, { throttle: 1, steer: 0 }]]));
  }
  assert.equal(ada.y, RACING.carRadius);
  ada.y = 600;
  for (let step = 0; step < 300; step++) {
    tick(state, new Map([[ada.id, { throttle: -1, steer: 0 }]]));
  }
  assert.ok(ada.speed >= -RACING.maxSpeed / 3 && ada.speed < 0);
});

Deno.test("CAR_COLUMN names the columns of RACING_ENTITY_SCHEMA in order", () => {
  for (const [name, index] of Object.entries(CAR_COLUMN)) {
    assert.equal(RACING_ENTITY_SCHEMA[index]?.name, name);
  }
  assert.equal(Object.keys(CAR_COLUMN).length, RACING_ENTITY_SCHEMA.length);
});
