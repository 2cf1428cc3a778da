import {
  addCar,
  applyRacingInput,
  createRacingState,
  PHASE,
  RACING_COMMANDS,
  RACING_ENTITY_SCHEMA,
  RACING_INPUT,
  type RacingEvent,
  type RacingState,
  removeCar,
  setReady,
  stepRacing,
} from "../../shared/game/racing/mod.ts";
import type { Game, GameEvent } from "../rooms/game.ts";

/**
 * The racing demo game as a room-runtime {@linkcode Game}: the rules are in
 * `shared/game/racing`; this adapter maps them onto the hooks (the worked example of the
 * README's "Make your own game").
 */
export function createRacingGame(maxPlayers = 8): Game<RacingState, "throttle" | "steer"> {
  const raceEvents: RacingEvent[] = [];
  function forward(events: GameEvent[]): void {
    for (const event of raceEvents) events.push(toGameEvent(event));
    raceEvents.length = 0;
  }
  return {
    name: "racing",
    maxPlayers,
    input: RACING_INPUT,
    entitySchema: RACING_ENTITY_SCHEMA,
    commands: [{
      ...RACING_COMMANDS.ready,
      handle(state, playerId, _args, messages) {
        setReady(state, playerId, raceEvents);
        const ready = [...state.cars.values()].filter((car) => car.ready).length;
        messages.toRoom({
          type: "ready",
          actor: playerId,
          target: 0,
          value: ready,
          text: `${ready} of ${state.cars.size} ready`,
        });
        for (const event of raceEvents) messages.toRoom(toGameEvent(event));
        raceEvents.length = 0;
      },
    }],
    createState: () => createRacingState(),
    canJoin: (state) =>
      state.phase === PHASE.LOBBY ? null : "The race has started: join another room",
    join: (state, name) => addCar(state, name).id,
    leave: (state, playerId) => removeCar(state, playerId),
    applyInput(state, playerId, input, dtMs, events) {
      applyRacingInput(state, playerId, input, dtMs, raceEvents);
      forward(events);
    },
    step(state, dtMs, events) {
      stepRacing(state, dtMs, raceEvents);
      forward(events);
    },
    writeEntities(state, out) {
      for (const car of state.cars.values()) {
        out.push(car.id, car.x, car.y, car.heading, car.speed, car.lap, car.nextCheckpoint);
      }
    },
    writeGlobal(state, out) {
      // Phase, countdown in tenths of a second, then each finisher in order.
      out.push(state.phase, Math.ceil(state.countdownMs / 100), ...state.finishers);
    },
  };
}

function toGameEvent(event: RacingEvent): GameEvent {
  switch (event.type) {
    case "countdown":
      return { type: "countdown", actor: 0, target: 0, value: event.ms, text: "" };
    case "go":
      return { type: "go", actor: 0, target: 0, value: 0, text: "" };
    case "lap":
      return { type: "lap", actor: event.carId, target: 0, value: event.lap, text: "" };
    case "finish":
      return {
        type: "finish",
        actor: event.carId,
        target: 0,
        value: event.place,
        text: String(Math.round(event.timeMs)),
      };
  }
}
