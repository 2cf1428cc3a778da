import { CloseCode } from "../../shared/protocol/mod.ts";
import type { Clock, TimerHandle } from "../tick/clock.ts";
import { KeyedRateLimiter } from "./creation_rate.ts";
import type { Game, InputLayout } from "./game.ts";
import { Room, type RoomClient, type RoomOptions } from "./room.ts";

/** Settings of a {@linkcode RoomRegistry}. */
export interface RoomRegistryOptions extends RoomOptions {
  /**
   * An empty room is disposed after this long without players.
   * @default 30000
   */
  emptyRoomTimeoutMs?: number;
  /**
   * A room younger than `emptyRoomTimeoutMs` that has no player (never joined, or its players left
   * soon after creating it) is disposed after this long instead: a cheap way to create many rooms
   * must not keep them all ticking.
   * @default 1500
   */
  unusedRoomTimeoutMs?: number;
  /**
   * Most live rooms; a join that would create one more is refused with 4008.
   * @default 1000
   */
  maxRooms?: number;
  /**
   * Rooms one creator (an address) may create at once, then {@linkcode roomsPerCreatorPerMinute}.
   * A room's memory stays in the process's RSS after the room is gone (about 95 KiB an empty arena
   * room, more with players), so the burst bounds what one address can cost.
   * @default 10
   */
  roomsPerCreatorBurst?: number;
  /**
   * Rate at which a creator earns back room creations; over it, a join that would create a room is
   * refused with 4008.
   * @default 10
   */
  roomsPerCreatorPerMinute?: number;
  /** Told when a room stops because its game threw; the default logs the error. */
  onRoomFailure?: (room: Room, error: unknown) => void;
}

/** What a client asks for when it joins. */
export interface JoinRequest {
  /** Game name, used when `room` is `any` or `new`. */
  game: string;
  /**
   * A room id, `any` (join a numbered room with space, or create one), `new` (always create) or a
   * name (join that room, creating it if nobody uses the name yet).
   */
  room: string;
  /** Display name. */
  name: string;
  /**
   * Who asks (an address key), counted against the per-creator room creation rate.
   * @default ""
   */
  creator?: string;
}

/** Why {@linkcode RoomRegistry} refused a join or a room creation. */
export type RegistryRefusal = { ok: false; code: CloseCode; reason: string };

/** Outcome of {@linkcode RoomRegistry.join}. */
export type RegistryJoinResult =
  | { ok: true; room: Room; playerId: number }
  | RegistryRefusal;

/**
 * The rooms of one server process: finds or creates a room for a join, and disposes rooms that
 * stay empty. Knows games only through the {@linkcode Game} interface.
 */
export class RoomRegistry {
  readonly #games = new Map<string, Game<unknown>>();
  readonly #rooms = new Map<string, Room>();
  readonly #disposeTimers = new Map<Room, TimerHandle>();
  /** Rooms created by a name a player chose. */
  readonly #named = new WeakSet<Room>();
  readonly #options: RoomRegistryOptions;
  readonly #clock: Clock;
  readonly #emptyRoomTimeoutMs: number;
  readonly #unusedRoomTimeoutMs: number;
  readonly #maxRooms: number;
  readonly #creations: KeyedRateLimiter;
  /** Clock time each live room was created, for {@linkcode RoomRegistryOptions.unusedRoomTimeoutMs}. */
  readonly #createdAtMs = new Map<Room, number>();
  #nextRoomNumber = 1;
  /** Room creations refused, by why: the room cap or the creator's rate. */
  readonly creationsRefused = { max_rooms: 0, creation_rate: 0 };
  /** Rooms disposed so far. */
  disposedRooms = 0;
  /** Steps dropped and other counters of rooms already disposed, kept for metrics. */
  readonly retired = { droppedSteps: 0, failures: 0 };

  /** @param options room timing and limits, shared by every room */
  constructor(options: RoomRegistryOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#emptyRoomTimeoutMs = options.emptyRoomTimeoutMs ?? 30_000;
    this.#unusedRoomTimeoutMs = Math.min(
      options.unusedRoomTimeoutMs ?? 1500,
      this.#emptyRoomTimeoutMs,
    );
    this.#maxRooms = options.maxRooms ?? 1000;
    if (!Number.isInteger(this.#maxRooms) || this.#maxRooms < 1) {
      throw new RangeError(`Cannot use maxRooms ${this.#maxRooms}: expected an integer above 0`);
    }
    this.#creations = new KeyedRateLimiter({
      burst: options.roomsPerCreatorBurst ?? 10,
      perMinute: options.roomsPerCreatorPerMinute ?? 10,
    });
  }

  /** Make a game available to join by its name. */
  register<State>(game: Game<State>): void {
    if (game.entitySchema[0]?.name !== "id") {
      throw new TypeError(`Cannot register game ${game.name}: its first entity field must be id`);
    }
    this.#games.set(game.name, game as Game<unknown>);
  }

  /** Names of the registered games. */
  gameNames(): string[] {
    return [...this.#games.keys()];
  }

  /** The input fields of the game named `game`, or `undefined` if there is none by that name. */
  inputLayout(game: string): InputLayout | undefined {
    return this.#games.get(game)?.input;
  }

  /** The live rooms. */
  rooms(): Room[] {
    return [...this.#rooms.values()];
  }

  /** A live room by id. */
  get(roomId: string): Room | undefined {
    return this.#rooms.get(roomId);
  }

  /**
   * Seat a client as the request asks, or say why not. A room name nobody uses yet creates a room
   * of that name (so a shared link works); `any` only picks rooms it created itself, so strangers
   * are not sent into a room a group named for itself.
   */
  join(request: JoinRequest, client: RoomClient): RegistryJoinResult {
    let room = this.#rooms.get(request.room);
    if (room === undefined || request.room === "any" || request.room === "new") {
      const game = this.#games.get(request.game);
      if (game === undefined) {
        return {
          ok: false,
          code: CloseCode.ROOM_NOT_FOUND,
          reason: `No game named ${JSON.stringify(request.game)}; this server runs ${
            this.gameNames().join(", ")
          }`,
        };
      }
      if (request.room === "any") {
        room = undefined;
        for (const candidate of this.#rooms.values()) {
          if (
            candidate.game === game && !this.#named.has(candidate) &&
            candidate.playerCount < game.maxPlayers
          ) {
            room = candidate;
            break;
          }
        }
      }
      let name: string | undefined;
      if (request.room !== "any" && request.room !== "new") {
        if (request.room.trim() === "") {
          return { ok: false, code: CloseCode.ROOM_NOT_FOUND, reason: "Room name is empty" };
        }
        name = request.room;
      }
      if (room === undefined) {
        const created = this.create(game, request.creator, name);
        if (!(created instanceof Room)) return created;
        room = created;
        // A numbered id asked for by name is a room that existed before a restart: its players
        // come back to it, and it stays open to `any` like the rest.
        const prefix = `${game.name}-`;
        const numbered = name === undefined ||
          (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)));
        if (!numbered) this.#named.add(room);
      }
    }
    const result = room.join(client, request.name);
    if (!result.ok) return result;
    this.#cancelDispose(room);
    return { ok: true, room, playerId: result.playerId };
  }

  /**
   * Give a dropped player its seat back on `client` (the reconnect token naming `roomId` and
   * `playerId` is already verified), or say why not: 4007 when the room or the seat is gone.
   */
  resume(
    roomId: string,
    playerId: number,
    client: RoomClient,
    reconnectToken: string,
  ): RegistryJoinResult {
    const room = this.#rooms.get(roomId);
    if (room === undefined) {
      return {
        ok: false,
        code: CloseCode.BAD_TOKEN,
        reason: `Room ${JSON.stringify(roomId)} of the reconnect token no longer exists`,
      };
    }
    const result = room.resume(playerId, client, reconnectToken);
    if (!result.ok) return result;
    this.#cancelDispose(room);
    return { ok: true, room, playerId };
  }

  /**
   * Create and start a room of `game` for `creator` (an address key), named `id` or numbered; it
   * is disposed if nobody joins in time. A numbered id skips names players have taken. Refused
   * with 4008 at the room cap or over the creator's creation rate: every way of creating a room
   * comes through here.
   * @throws {TypeError} if a room named `id` exists
   */
  create<State>(game: Game<State>, creator = "", id?: string): Room<State> | RegistryRefusal {
    if (id !== undefined && this.#rooms.has(id)) {
      throw new TypeError(`Cannot create room ${id}: a room has that name`);
    }
    if (this.#rooms.size >= this.#maxRooms) {
      this.creationsRefused.max_rooms++;
      return {
        ok: false,
        code: CloseCode.ROOM_LIMIT,
        reason: `Cannot create a room: the server has its maximum of ${this.#maxRooms} rooms`,
      };
    }
    if (!this.#creations.take(creator, this.#clock.now())) {
      this.creationsRefused.creation_rate++;
      return {
        ok: false,
        code: CloseCode.ROOM_LIMIT,
        reason: "Cannot create a room: too many rooms created from your address, try again later",
      };
    }
    while (id === undefined || this.#rooms.has(id)) id = `${game.name}-${this.#nextRoomNumber++}`;
    const room = new Room(id, game, this.#options);
    room.onEmpty = () => this.#scheduleDispose(room as Room);
    room.onFailure = (failed, error) => {
      if (this.#options.onRoomFailure !== undefined) {
        this.#options.onRoomFailure(failed as Room, error);
      } else {
        console.error(`Room ${failed.id} (${game.name}) stopped: its game threw`, error);
      }
      this.#dispose(failed as Room);
    };
    this.#rooms.set(id, room as Room);
    this.#createdAtMs.set(room as Room, this.#clock.now());
    room.start();
    this.#scheduleDispose(room as Room);
    return room;
  }

  /** Close every room with `code` and `reason` (e.g. 1012 at shutdown). */
  closeAll(code: CloseCode, reason: string): void {
    for (const room of [...this.#rooms.values()]) {
      room.close(code, reason);
      this.#dispose(room);
    }
  }

  #scheduleDispose(room: Room): void {
    this.#cancelDispose(room);
    const nowMs = this.#clock.now();
    const young = nowMs - (this.#createdAtMs.get(room) ?? nowMs) < this.#emptyRoomTimeoutMs;
    const timer = this.#clock.setTimer(() => {
      this.#disposeTimers.delete(room);
      if (room.playerCount === 0) this.#dispose(room);
    }, young ? this.#unusedRoomTimeoutMs : this.#emptyRoomTimeoutMs);
    this.#disposeTimers.set(room, timer);
  }

  #cancelDispose(room: Room): void {
    const timer = this.#disposeTimers.get(room);
    if (timer === undefined) return;
    this.#clock.clearTimer(timer);
    this.#disposeTimers.delete(room);
  }

  #dispose(room: Room): void {
    if (!this.#rooms.has(room.id)) return;
    this.#cancelDispose(room);
    room.close(CloseCode.ROOM_CLOSED, `Room ${room.id} closed`);
    this.#rooms.delete(room.id);
    this.#createdAtMs.delete(room);
    this.disposedRooms++;
    this.retired.droppedSteps += room.stats.droppedSteps;
    this.retired.failures += room.stats.failures;
  }
}
