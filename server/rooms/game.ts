import type { EntityFieldSpec } from "../../shared/protocol/entity_schema.ts";
import type { LagCompensationOptions, Point, RayHit, Rewind } from "./lag_compensation.ts";
import type { InterestOptions } from "./snapshots/snapshot_builder.ts";

export type { EntityFieldSpec, InterestOptions, LagCompensationOptions, Point, RayHit, Rewind };

/**
 * What a game plugs into the room runtime. The runtime owns sockets, ticks, input order and
 * snapshots; a game owns only its state and rules. Hooks run inside the room's tick and must not
 * do I/O; a hook that throws closes its room (and only that room).
 */

/** One client tick of player intent, already decoded and range-checked by the frame layer. */
export interface PlayerInput {
  /** Game-defined bit field of held buttons. */
  buttons: number;
  /** Aim angle in radians, finite. */
  aim: number;
  /**
   * The server tick (with its fraction) whose world the player was looking at when it sent this
   * input, already limited by the runtime (see {@linkcode Game.lagCompensation}); 0 when the
   * player had seen nothing yet.
   * @default 0
   */
  viewTime?: number;
}

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

/** A game definition the room runtime can host. `State` is whatever the game keeps. */
export interface Game<State> {
  /** Name clients join by, e.g. `arena`. */
  readonly name: string;
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
  /** A fresh state for a new room. */
  createState(roomId: string): State;
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
    input: PlayerInput,
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
   * Append numbers every player gets whatever it can see (e.g. a scoreboard). Sent only when
   * they change. Optional.
   */
  writeGlobal?(state: State, out: number[]): void;
}
