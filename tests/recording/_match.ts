import { Buttons } from "../../shared/game/arena/mod.ts";
import type { Game } from "../../server/rooms/game.ts";
import { Room, type RoomClient } from "../../server/rooms/room.ts";
import type { RoomRecorderFactory } from "../../server/rooms/room_recorder.ts";
import { ManualClock } from "../../server/tick/clock.ts";
import { RecordingStore } from "../../server/recording/recording_store.ts";
import { seededRandom } from "../support/seeded_random.ts";

/** A client that takes whatever the room sends and never falls behind. */
export function sinkClient(): RoomClient {
  return { send() {}, queuedBytes: () => 0, close() {} };
}

/** Settings of a {@linkcode SeededMatch}. */
export interface SeededMatchOptions {
  players: number;
  seed: number;
  /** Share of inputs lost on the way in. */
  lossRate?: number;
  /** Share of inputs held back a tick (so they arrive after newer ones). */
  reorderRate?: number;
  /** Share of input changes that hold FIRE. @default 0.3 */
  fireRate?: number;
  /** Share of input changes that hold BEAM (judged with lag compensation). @default 0.2 */
  beamRate?: number;
  /** Every this many ticks one bot leaves and a new one joins (0: never). */
  churnEveryTicks?: number;
  recorder?: RoomRecorderFactory;
}

interface Bot {
  id: number;
  sequence: number;
  buttons: number;
  aim: number;
  /** The tick (with its fraction) the bot's client was drawing: 2 to 5 ticks behind. */
  viewTime: number;
}

/**
 * A room of the given game played by seeded bots on a manual clock, as WORKLOAD.md's bots play:
 * one input a tick, new random move bits and aim every 500 ms, some firing; inputs are lost and
 * reordered on their way in. Each {@linkcode SeededMatch.tick} sends the bots' inputs and steps
 * the room once.
 */
export class SeededMatch<State> {
  readonly room: Room<State>;
  readonly clock = new ManualClock(0);
  readonly #options: SeededMatchOptions;
  readonly #random: () => number;
  readonly #bots: Bot[] = [];
  #held: Bot[] = [];
  #names = 0;
  #tick = 0;

  constructor(game: Game<State>, options: SeededMatchOptions) {
    this.#options = options;
    this.#random = seededRandom(options.seed);
    const recorder = options.recorder;
    this.room = new Room("arena-1", game, {
      clock: this.clock,
      ...(recorder === undefined ? {} : { recorder }),
    });
    for (let index = 0; index < options.players; index++) this.#addBot();
    this.room.start();
  }

  /** The ids of the bots in the room, in the order they joined. */
  get playerIds(): number[] {
    return this.#bots.map((bot) => bot.id);
  }

  /** Send one input per bot (some lost, some late) and step the room once. */
  tick(): void {
    const options = this.#options, random = this.#random, room = this.room;
    const tick = ++this.#tick;
    const late = this.#held;
    this.#held = [];
    for (const bot of this.#bots) {
      if (tick % 15 === 1) {
        const move = Math.floor(random() * 16);
        bot.buttons = move | (random() < (options.fireRate ?? 0.3) ? Buttons.FIRE : 0) |
          (random() < (options.beamRate ?? 0.2) ? Buttons.BEAM : 0);
        bot.aim = Math.round((random() * 2 - 1) * Math.PI * 10_000) / 10_000;
      }
      bot.sequence++;
      // As a client sends it: whole 256ths of a tick, about 3 ticks behind, a little jitter.
      bot.viewTime = Math.max(0, Math.round((room.tick - 3 - random() * 0.3) * 256) / 256);
      const input = { ...bot };
      const fate = random();
      const lossRate = options.lossRate ?? 0;
      if (fate < lossRate) continue;
      if (fate < lossRate + (options.reorderRate ?? 0)) this.#held.push(input);
      else room.queueInput(input.id, input.sequence, input.viewTime, [input.buttons, input.aim]);
    }
    for (const input of late) {
      room.queueInput(input.id, input.sequence, input.viewTime, [input.buttons, input.aim]);
    }
    const churn = options.churnEveryTicks ?? 0;
    if (churn > 0 && tick % churn === 0 && this.#bots.length > 0) {
      const leaving = this.#bots.splice(Math.floor(random() * this.#bots.length), 1)[0];
      if (leaving !== undefined) room.leave(leaving.id);
      this.#addBot();
    }
    this.clock.advance(1000 / 30);
  }

  #addBot(): void {
    const result = this.room.join(sinkClient(), `bot-${++this.#names}`);
    if (!result.ok) throw new Error(result.reason);
    this.#bots.push({ id: result.playerId, sequence: 0, buttons: 0, aim: 0, viewTime: 0 });
  }
}

/** Play `ticks` ticks of a {@linkcode SeededMatch}; the room is left open. */
export function playSeededMatch<State>(
  game: Game<State>,
  options: SeededMatchOptions & { ticks: number },
): { room: Room<State>; clock: ManualClock } {
  const match = new SeededMatch(game, options);
  for (let tick = 0; tick < options.ticks; tick++) match.tick();
  return { room: match.room, clock: match.clock };
}

/** A finished recording of a {@linkcode SeededMatch}. */
export interface RecordedMatch<State> {
  /** The file, in the folder given. */
  path: string;
  /** Its name in that folder. */
  name: string;
  /** Its bytes. */
  bytes: Uint8Array<ArrayBuffer>;
  /** The room, closed. */
  room: Room<State>;
}

/**
 * Play `ticks` ticks of a {@linkcode SeededMatch} recorded into `dir` (a temporary folder, deleted
 * afterwards, when not given), close the room and wait until its file is written.
 */
export async function recordMatch<State>(
  game: Game<State>,
  options: Omit<SeededMatchOptions, "recorder"> & { ticks: number },
  dir?: string,
): Promise<RecordedMatch<State>> {
  const folder = dir ?? await Deno.makeTempDir({ prefix: "recorded_match_" });
  try {
    const store = new RecordingStore({ dir: folder });
    const { room } = playSeededMatch(game, {
      ...options,
      recorder: (info) => store.recorderFor(info),
    });
    const [name, recorder] = [...store.active.entries()][0] ?? [];
    if (name === undefined || recorder === undefined) throw new Error("The room was not recorded");
    room.close(1000, "Match over");
    await recorder.flushed();
    await store.prune();
    return { path: recorder.path, name, bytes: await Deno.readFile(recorder.path), room };
  } finally {
    if (dir === undefined) await Deno.remove(folder, { recursive: true });
  }
}
