/**
 * What a game plugs into the room runtime. The runtime owns sockets, ticks, input order and
 * snapshots; a game owns only its state and rules. Hooks run inside the room's tick and must not
 * do I/O; a hook that throws closes its room (and only that room).
 * @module
 */
import type { EntityFieldSpec, InterestOptions } from "../../shared/protocol/entity_schema.ts";
import type {
  CommandArgs,
  CommandArgSpec,
  CommandSpec,
} from "../../shared/protocol/command_schema.ts";
import {
  defineInput,
  type InputFieldSpec,
  type InputLayout,
  type InputValues,
} from "../../shared/protocol/input_schema.ts";
import type { LagCompensationOptions, Point, RayHit, Rewind } from "./lag_compensation.ts";

export type {
  CommandArgs,
  CommandArgSpec,
  CommandSpec,
  EntityFieldSpec,
  InputFieldSpec,
  InputLayout,
  InterestOptions,
  LagCompensationOptions,
  Point,
  RayHit,
  Rewind,
};
export { defineInput };

/**
 * One client tick of player intent: one number per field of the game's input declaration
 * ({@linkcode Game.input}), by name, already decoded and checked against it (bits within their
 * count, axes within their range and on their grid), and the runtime's `viewTime`.
 */
export type PlayerInput<Name extends string = string> = InputValues<Name> & {
  /**
   * The server tick (with its fraction) whose world the player was looking at when it sent this
   * input, already limited by the runtime (see {@linkcode Game.lagCompensation}); 0 when the
   * player had seen nothing yet.
   * @default 0
   */
  viewTime?: number;
};

/** Something that happened in a tick, sent to every client of the room as an event frame. */
export interface GameEvent {
  /** Short name, at most 32 characters, e.g. `hit`. */
  type: string;
  /** Entity that caused it, or 0. */
  actor: number;
  /** Entity it happened to, or 0. */
  target: number;
  /** A number it carries, or 0. */
  value: number;
  /** Text it carries, or `""`. */
  text: string;
}

/**
 * Where a command handler sends what it has to say: to one player (only that client receives
 * it, as an event frame in its next message) or to everyone in the room.
 */
export interface GameMessages {
  /** Send `event` to player `playerId` only; nothing happens if it is not connected. */
  toPlayer(playerId: number, event: GameEvent): void;
  /** Send `event` to every player of the room, as the tick's events are. */
  toRoom(event: GameEvent): void;
}

/**
 * A reliable command a client may send (`chat`, `ready`, `pick colour`): its declaration (name,
 * typed arguments, rate per player) and its handler. The runtime checks each command against the
 * declaration (a wrong argument closes the connection with 1007, an oversized text with 1009, an
 * unknown name with 1007; a command over its rate is dropped and its sender told with a
 * `command_refused` event) and calls `handle` inside the next tick, before the inputs, in the
 * order the commands arrived from all players.
 */
export interface GameCommand<State> extends CommandSpec {
  /** Act on one checked command of player `playerId`; like every hook, no I/O. */
  handle(state: State, playerId: number, args: CommandArgs, messages: GameMessages): void;
}

/**
 * A game definition the room runtime can host. `State` is whatever the game keeps; `InputName`
 * the names of its input fields.
 */
export interface Game<State, InputName extends string = string> {
  /** Name clients join by, e.g. `arena`. */
  readonly name: string;
  /**
   * The fields a client sends every tick ({@linkcode defineInput}): they travel in the input
   * frame's header, are checked against this on arrival (a value out of range closes the
   * connection with 1007) and reach {@linkcode Game.applyInput} by name.
   */
  readonly input: InputLayout<InputName>;
  /** Most players in one room. */
  readonly maxPlayers: number;
  /**
   * Snapshot columns and their precision; the first must be `id`. Values travel quantized to
   * each column's `scale`, so clients see the world on that grid.
   */
  readonly entitySchema: readonly EntityFieldSpec[];
  /** Send each player only what is near it; without this every player gets every entity. */
  readonly interest?: InterestOptions;
  /**
   * Judge each input against the world its player saw: the runtime keeps the recent snapshots'
   * positions and hands {@linkcode Game.applyInput} a {@linkcode Rewind} set to the input's view
   * time. Without this, `applyInput` gets no rewind.
   */
  readonly lagCompensation?: LagCompensationOptions;
  /** Reliable commands clients may send, by name; none by default. */
  readonly commands?: readonly GameCommand<State>[];
  /**
   * Version of the rules, recorded with every match: a recording of another version is refused,
   * since the same inputs need not give the same match under other rules. Bump it whenever a
   * change to the rules changes what a tick computes.
   * @default "0"
   */
  readonly version?: string;
  /**
   * The settings this game was built with (NPC count, limits), recorded with every match so a
   * replay builds the same game. Plain JSON.
   */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  /**
   * A fresh state for a new room. `seed` (an unsigned 32-bit integer, recorded with the match)
   * is the only randomness a game may use: keep a generator seeded with it inside the state, so
   * a replay of the same inputs gives the same match. Time, likewise, is only the `dtMs` steps.
   */
  createState(roomId: string, seed: number): State;
  /** Refuse a join with a reason, or return `null` to accept. Optional. */
  canJoin?(state: State, name: string): string | null;
  /** Add a player; returns its entity id (at least 1), which the client learns as its id. */
  join(state: State, name: string): number;
  /** Remove a player that left. */
  leave(state: State, playerId: number): void;
  /**
   * Apply one input of one player for one step of `dtMs`. The runtime calls it once per input,
   * in sequence order; the game clamps what the rules do not allow. `input` is reused after the
   * call: copy what must be kept. `rewind` (when the game declares `lagCompensation`) answers
   * where the other entities were at the input's view time; it too is valid only during the call.
   */
  applyInput(
    state: State,
    playerId: number,
    input: PlayerInput<InputName>,
    dtMs: number,
    events: GameEvent[],
    rewind?: Rewind,
  ): void;
  /** Advance the world by one step of `dtMs`, pushing what happened into `events`. */
  step(state: State, dtMs: number, events: GameEvent[]): void;
  /**
   * Append every entity's row (`entitySchema.length` numbers, id first) to `out`, in any order.
   * Called once per broadcast; interest management then picks each player's share.
   */
  writeEntities(state: State, out: number[]): void;
  /**
   * Append the ids of entities that jumped since the last snapshot (a respawn, a portal), for
   * the velocity columns the runtime derives (`EntityFieldSpec.derived`): a jump is no velocity.
   * Called once per broadcast, before {@linkcode Game.writeEntities}. Optional.
   */
  teleported?(state: State, out: number[]): void;
  /**
   * Append numbers every player gets whatever it can see (e.g. a scoreboard). Sent only when
   * they change. Optional.
   */
  writeGlobal?(state: State, out: number[]): void;
  /**
   * Feed every value of the state that matters to the rules into `hash` (players, positions,
   * timers, the generator's state), in a fixed order: recordings keep the hash of each tick and a
   * replay compares it, so the first tick where two runs part is found. Optional; without it a
   * replay cannot check anything but that it does not throw.
   */
  hashState?(state: State, hash: StateHash): void;
  /**
   * A deep copy of the state sharing nothing with it, for the sync test (each tick run twice
   * from a saved state) and for replays. Optional: the default is `structuredClone`, which
   * copies plain data, `Map`s and `Set`s.
   */
  cloneState?(state: State): State;
}

/** Accumulates a 32-bit hash of a game state; see {@linkcode Game.hashState}. */
export interface StateHash {
  /** Add a number (any float; `-0` counts as `0`). */
  number(value: number): void;
  /** Add a string. */
  string(value: string): void;
}
