import { Buttons } from "../../shared/game/arena/mod.ts";
import type { Game } from "../../server/rooms/game.ts";
import { Room, type RoomClient } from "../../server/rooms/room.ts";
import type { RoomRecorderFactory } from "../../server/rooms/room_recorder.ts";
import { ManualClock } from "../../server/tick/clock.ts";
import { seededRandom } from "../support/seeded_random.ts";

/** A client that takes whatever the room sends and never falls behind. */
export function sinkClient(): RoomClient {
  return { send() {}, queuedBytes: () => 0, close() {} };
}

/** Settings of {@linkcode playSeededMatch}. */
export interface SeededMatchOptions {
  players: number;
  ticks: number;
  seed: number;
  /** Share of inputs lost on the way in. */
  lossRate?: number;
  /** Share of inputs held back a tick (so they arrive after newer ones). */
  reorderRate?: number;
  /** Every this many ticks one bot leaves and a new one joins (0: never). */
  churnEveryTicks?: number;
  recorder?: RoomRecorderFactory;
}

/**
 * A room of the given game played by seeded bots on a manual clock, as WORKLOAD.md's bots play:
 * one input a tick, new random move bits and aim every 500 ms, some firing; inputs are lost and
 * reordered on their way in. Returns the room after `ticks` steps, still open.
 */
export function playSeededMatch<State>(
  game: Game<State>,
  options: SeededMatchOptions,
): { room: Room<State>; clock: ManualClock } {
  const clock = new ManualClock(0);
  const random = seededRandom(options.seed);
  const roomOptions = { clock, ...(options.recorder ? { recorder: options.recorder } : {}) };
  const room = new Room("arena-1", game, roomOptions);
  const bots: { id: number; sequence: number; buttons: number; aim: number }[] = [];
  let names = 0;
  const addBot = () => {
    const result = room.join(sinkClient(), `bot-${++names}`);
    if (!result.ok) throw new Error(result.reason);
    bots.push({ id: result.playerId, sequence: 0, buttons: 0, aim: 0 });
  };
  for (let index = 0; index < options.players; index++) addBot();
  room.start();
  let held: { id: number; sequence: number; buttons: number; aim: number }[] = [];
  const stepMs = 1000 / 30;
  for (let tick = 1; tick <= options.ticks; tick++) {
    const late = held;
    held = [];
    for (const bot of bots) {
      if (tick % 15 === 1) {
        const move = Math.floor(random() * 16);
        bot.buttons = move | (random() < 0.3 ? Buttons.FIRE : 0);
        bot.aim = Math.round((random() * 2 - 1) * Math.PI * 10_000) / 10_000;
      }
      bot.sequence++;
      const input = { id: bot.id, sequence: bot.sequence, buttons: bot.buttons, aim: bot.aim };
      const fate = random();
      if (fate < (options.lossRate ?? 0)) continue;
      if (fate < (options.lossRate ?? 0) + (options.reorderRate ?? 0)) held.push(input);
      else room.queueInput(input.id, input.sequence, input);
    }
    for (const input of late) room.queueInput(input.id, input.sequence, input);
    const churn = options.churnEveryTicks ?? 0;
    if (churn > 0 && tick % churn === 0 && bots.length > 0) {
      const leaving = bots.splice(Math.floor(random() * bots.length), 1)[0];
      if (leaving !== undefined) room.leave(leaving.id);
      addBot();
    }
    clock.advance(stepMs);
  }
  return { room, clock };
}
