/**
 * The room directory: what every server process of a cluster shares (leases, room listings, seat
 * reservations, matchmaking), behind one interface with two implementations, the in-memory one
 * of the embedded default ({@linkcode MemoryDirectory}) and the Redis one of cluster mode. Both
 * pass the same contract tests (`tests/cluster/directory_contract_test.ts`).
 * @module
 */

/** What a process's lease says about it; refreshed by the process, gone when it stops. */
export interface ProcessRecord {
  /** Short id, the suffix of every room id it owns (`arena-3f.k2x9q1`). */
  processId: string;
  /** WebSocket URL clients connect to for its rooms, e.g. `ws://10.0.0.5:8000/ws`. */
  wsUrl: string;
  /** HTTP base URL of the same process (its `/stats`). */
  httpUrl: string;
  /** It takes no new rooms or seats (SIGTERM): matchmaking skips it. */
  draining: boolean;
  /** Rooms it runs. */
  rooms: number;
  /** Players seated in them (plus seats being consumed). */
  players: number;
  /** Its tick duration p99 in ms, for the stats page. */
  tickP99Ms: number;
}

/** One room as its owner lists it. */
export interface RoomListing {
  /** `<name>.<ownerId>`. */
  roomId: string;
  /** Game it runs. */
  game: string;
  /** Most players it seats. */
  capacity: number;
  /** Players seated (plus seats being consumed). */
  players: number;
}

/** What a matchmaking request asks for, already validated. */
export interface SeatRequest {
  /** Game to play. */
  game: string;
  /** `any` (join-or-create), `new`, a room id (`friends.k2x9q1`) or a name (`friends`). */
  room: string;
  /** Most players a room of this game seats. */
  capacity: number;
  /** Fresh random id of the seat to reserve. */
  seatId: string;
  /** Fresh name for a room this request creates under `any` or `new`. */
  newRoomName: string;
  /** How long the seat stays reserved if nobody presents it. */
  seatTtlMs: number;
}

/** Outcome of {@linkcode RoomDirectory.reserveSeat}. */
export type SeatReservation =
  | {
    ok: true;
    /** The room the seat is in; its owner creates it on the first seat consumed. */
    roomId: string;
    /** Process that owns the room. */
    ownerId: string;
    /** Where to connect. */
    wsUrl: string;
  }
  | {
    ok: false;
    /**
     * `full`: the named room has no free seat; `other_game`: the named room runs another game;
     * `no_process`: no live process takes new rooms.
     */
    why: "full" | "other_game" | "no_process";
    reason: string;
  };

/** What a process publishes on each renewal of its lease. */
export interface LeaseRenewal {
  /** The process. */
  process: ProcessRecord;
  /** Every room it runs, and rooms whose first seat it is consuming. */
  rooms: RoomListing[];
  /** Lifetime of the lease from now. */
  ttlMs: number;
  /**
   * This process now answers at `process.wsUrl`: any other process listed with that URL is gone
   * (it crashed and this one took its port before its lease ran out), so it is deleted now rather
   * than sending clients to a URL that refuses its seats. Set on a process's first renewal.
   */
  claimUrl?: boolean;
}

/**
 * The state every process of a cluster shares. Liveness is a lease: a process's record and its
 * listings count only while its lease lives, and every renewal re-writes its listings, so a
 * listing lost by mistake heals on the next renewal.
 */
export interface RoomDirectory {
  /**
   * Write the lease and re-write the listings of `renewal.process` (rooms it no longer lists are
   * removed, unless a seat reserved in them is still live); then, if this process holds or wins
   * the janitor's lease, delete everything of processes whose lease is gone. Resolves with the
   * number of dead processes swept.
   */
  renew(renewal: LeaseRenewal): Promise<number>;
  /**
   * Reserve one seat atomically (players + live reservations < capacity): in the fullest open
   * room of the game for `any`, in a new room for `new`, in the named room otherwise (created
   * on first use; a room id whose owner is gone stands for its name). A new room goes to the live
   * process that is not draining and has the fewest players and reserved seats in its listings.
   */
  reserveSeat(request: SeatRequest): Promise<SeatReservation>;
  /**
   * Consume a seat once: true if it was reserved in `roomId` and had not expired; the listing then
   * counts one more player until the owner's next renewal says otherwise.
   */
  consumeSeat(seatId: string, roomId: string): Promise<boolean>;
  /** The live processes (lease not expired), sorted by id. */
  processes(): Promise<ProcessRecord[]>;
  /** The rooms of live processes, sorted by id; of one game when `game` is given. */
  listings(game?: string): Promise<RoomListing[]>;
  /** Delete the lease and the listings of `processId` (a draining process that is done). */
  remove(processId: string): Promise<void>;
  /** Release the connection, if any. */
  close(): Promise<void>;
}

/** A room name: what a player may choose, and the part of a room id before its owner. */
export const ROOM_NAME = /^[A-Za-z0-9_-]{1,48}$/;
/** A process id: lowercase letters and digits. */
export const PROCESS_ID = /^[a-z0-9]{1,12}$/;

/** The name part of a room id (`friends.k2x9q1` → `friends`), or the text itself if it has none. */
export function roomNameOf(room: string): string {
  const dot = room.lastIndexOf(".");
  return dot < 0 ? room : room.slice(0, dot);
}

/** The owner part of a room id (`friends.k2x9q1` → `k2x9q1`), or `""` for a bare name. */
export function ownerOf(roomId: string): string {
  const dot = roomId.lastIndexOf(".");
  return dot < 0 ? "" : roomId.slice(dot + 1);
}

/** Whether `room` is something a matchmaking request may ask for: `any`, `new`, a name or an id. */
export function isRoomRequest(room: string): boolean {
  if (room === "any" || room === "new") return true;
  const dot = room.lastIndexOf(".");
  if (dot < 0) return ROOM_NAME.test(room);
  return ROOM_NAME.test(room.slice(0, dot)) && PROCESS_ID.test(room.slice(dot + 1));
}

/** A fresh random id of `length` lowercase letters and digits. */
export function randomId(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let id = "";
  for (const byte of bytes) id += alphabet.charAt(byte % alphabet.length);
  return id;
}
