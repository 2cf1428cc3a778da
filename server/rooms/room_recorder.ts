import type { CommandArgs, Game } from "./game.ts";

/** What a recorder is told about the room it records. */
export interface RecordableRoom {
  /** Room id. */
  readonly id: string;
  /** The game the room runs. */
  readonly game: Game<unknown>;
  /** The seed the room's state was created with. */
  readonly seed: number;
  /** Simulation steps per second. */
  readonly tickRateHz: number;
  /** A snapshot, and a world frame for lag compensation, every this many ticks. */
  readonly snapshotEveryTicks: number;
  /** The room's game state (the same object for the room's whole life). */
  readonly state: unknown;
}

/**
 * Told by a room, in order, everything that changes its game state: enough to re-simulate the
 * match. Calls come from inside the tick and must return at once (buffer, write later); a
 * recorder that cannot keep up stops itself, never the room.
 */
export interface RoomRecorder {
  /** `game.join` seated `name` as `playerId`. */
  joined(playerId: number, name: string): void;
  /** `game.leave` removed `playerId`. */
  left(playerId: number): void;
  /**
   * Command `commandIndex` (its place in `game.commands`) of `playerId` is about to be run with
   * its checked `args`, at the start of the tick, before the tick's inputs.
   */
  commanded(playerId: number, commandIndex: number, args: CommandArgs): void;
  /**
   * Input `sequence` of `playerId` is about to be applied: `values` holds its declared fields in
   * order, then its view time (0 when it has none). The array is reused after the call.
   */
  applied(playerId: number, sequence: number, values: ArrayLike<number>): void;
  /**
   * `game.step` ran: the room is now at `tick`, stepped by `dtMs`; `framed` says whether it
   * keeps this tick's world frame (it sends snapshots on this tick and has someone to send them
   * to), which later inputs' lag compensation may rewind to.
   */
  stepped(tick: number, dtMs: number, framed: boolean): void;
  /** The room closed; `failure` is what the game threw, if that is why. */
  closed(failure?: unknown): void;
}

/** Makes the recorder of a new room, or `undefined` to leave the room unrecorded. */
export type RoomRecorderFactory = (room: RecordableRoom) => RoomRecorder | undefined;

/**
 * The seed of a room's state: the 32-bit FNV-1a hash of its id, so a room's randomness is fixed
 * by its id and recorded with it.
 */
export function roomSeed(roomId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < roomId.length; index++) {
    hash ^= roomId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
