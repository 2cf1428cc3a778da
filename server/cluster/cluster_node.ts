import { CloseCode } from "../../shared/protocol/mod.ts";
import type { Game } from "../rooms/game.ts";
import type { RoomRegistry } from "../rooms/registry.ts";
import {
  isRoomRequest,
  ownerOf,
  type ProcessRecord,
  randomId,
  type RoomDirectory,
  type RoomListing,
} from "./room_directory.ts";
import type { SeatTokens } from "./seat_tokens.ts";

/** Settings of a {@linkcode ClusterNode}. */
export interface ClusterNodeOptions {
  /** Shared with the other processes (Redis), or this process's own (memory). */
  directory: RoomDirectory;
  /** This process's rooms. */
  registry: RoomRegistry;
  /** Games this process runs (every process of a cluster runs the same ones). */
  games: readonly Game<unknown>[];
  /** Signs and checks seats under the cluster's secret. */
  seatTokens: SeatTokens;
  /** This process's id, the suffix of its room ids. */
  processId: string;
  /** Where clients reach this process's WebSocket, e.g. `ws://10.0.0.5:8000/ws`. */
  wsUrl: string;
  /** Where this process serves HTTP. */
  httpUrl: string;
  /**
   * Lifetime of the lease: a process silent for this long counts as gone.
   * @default 10000
   */
  leaseTtlMs?: number;
  /**
   * Time between two renewals of the lease (each one Redis command).
   * @default 2000
   */
  leaseRefreshMs?: number;
  /**
   * How long a reserved seat waits to be presented.
   * @default 15000
   */
  seatTtlMs?: number;
  /** This process's tick p99 in ms, published in its lease for the stats page. */
  tickP99Ms?: () => number;
  /** Told of directory outages and recoveries; the default logs. */
  log?: (line: string) => void;
}

/** Answer of {@linkcode ClusterNode.matchmake}: the body of `POST /matchmake` and its status. */
export type MatchmakeResult =
  | { status: 200; body: { url: string; roomId: string; seat: string } }
  | { status: 400 | 404 | 409 | 503; body: { error: string } };

/** Outcome of {@linkcode ClusterNode.admit}. */
export type SeatAdmission =
  | { ok: true; roomId: string; game: string }
  | { ok: false; code: CloseCode; reason: string };

/** While the directory is down, the lease is retried this often (it must be back within 5 s). */
const RETRY_WHEN_DOWN_MS = 500;

/**
 * One process's part in the cluster: renews its lease (re-writing its listings each time), answers
 * matchmaking from the shared directory, and admits the seats presented to it, creating a room on
 * its first seat. Nothing here runs inside a tick: the directory is only awaited on its own timer
 * and in request handlers, so an outage never delays a room.
 */
export class ClusterNode {
  readonly #options: ClusterNodeOptions;
  readonly #leaseTtlMs: number;
  readonly #leaseRefreshMs: number;
  readonly #seatTtlMs: number;
  readonly #games = new Map<string, Game<unknown>>();
  /** Seats being consumed, per room: counted as players so a renewal never under-counts. */
  readonly #pendingSeats = new Map<string, { game: Game<unknown>; count: number }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #draining = false;
  #directoryUp = true;
  #directoryError = "";
  /** No renewal has reached the directory yet: the first one claims this process's URL. */
  #registered = false;
  /** Renewals that reached the directory. */
  renewals = 0;

  /** @param options the directory, the registry and the timings */
  constructor(options: ClusterNodeOptions) {
    this.#options = options;
    this.#leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.#leaseRefreshMs = options.leaseRefreshMs ?? 2_000;
    this.#seatTtlMs = options.seatTtlMs ?? 15_000;
    if (this.#leaseRefreshMs >= this.#leaseTtlMs) {
      throw new RangeError(
        `Cannot keep a lease: refresh every ${this.#leaseRefreshMs} ms is not below its ttl ${this.#leaseTtlMs} ms`,
      );
    }
    for (const game of options.games) this.#games.set(game.name, game);
  }

  /** This process's id. */
  get processId(): string {
    return this.#options.processId;
  }

  /** Whether the last directory call succeeded. */
  get directoryUp(): boolean {
    return this.#directoryUp;
  }

  /** Whether {@linkcode ClusterNode.drain} was called. */
  get draining(): boolean {
    return this.#draining;
  }

  /** The shared directory (for the stats page). */
  get directory(): RoomDirectory {
    return this.#options.directory;
  }

  /** Register at once, then renew the lease on its timer. */
  async start(): Promise<void> {
    this.#running = true;
    await this.renew();
  }

  /** Stop renewing (the lease then runs out on its own unless {@linkcode ClusterNode.leave}). */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stop renewing and delete this process's lease and listings. */
  async leave(): Promise<void> {
    this.stop();
    try {
      await this.#options.directory.remove(this.#options.processId);
    } catch (error) {
      this.#log(`Cannot remove this process from the room directory: ${describe(error)}`);
    }
  }

  /** Take no new rooms or seats from now on, and say so in the lease at once. */
  async drain(): Promise<void> {
    this.#draining = true;
    await this.renew();
  }

  /**
   * Write the lease and the listings now, then schedule the next renewal. Never throws: a failure
   * marks the directory down and is retried sooner.
   */
  async renew(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let delayMs = this.#leaseRefreshMs;
    try {
      await this.#options.directory.renew({
        process: this.record(),
        rooms: this.#listings(),
        ttlMs: this.#leaseTtlMs,
        claimUrl: !this.#registered,
      });
      this.#registered = true;
      this.renewals++;
      if (!this.#directoryUp) this.#log("Room directory reachable again: lease renewed");
      this.#directoryUp = true;
    } catch (error) {
      this.#directoryError = describe(error);
      if (this.#directoryUp) {
        this.#log(`Cannot renew the lease: ${this.#directoryError}; retrying`);
      }
      this.#directoryUp = false;
      delayMs = Math.min(delayMs, RETRY_WHEN_DOWN_MS);
    }
    if (this.#running && this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.renew(), delayMs);
    }
  }

  /** What this process's lease says now. */
  record(): ProcessRecord {
    let players = 0;
    const rooms = this.#options.registry.rooms();
    for (const room of rooms) players += room.playerCount;
    for (const pending of this.#pendingSeats.values()) players += pending.count;
    return {
      processId: this.#options.processId,
      wsUrl: this.#options.wsUrl,
      httpUrl: this.#options.httpUrl,
      draining: this.#draining,
      rooms: rooms.length,
      players,
      tickP99Ms: this.#options.tickP99Ms?.() ?? 0,
    };
  }

  /**
   * Reserve a seat for `game` in `room` (`any`, `new`, a name or a room id) anywhere in the
   * cluster, and sign it. Validates both fields: they come from the network.
   */
  async matchmake(game: unknown, room: unknown): Promise<MatchmakeResult> {
    if (typeof game !== "string" || typeof room !== "string") {
      return refuse(400, "Cannot matchmake: send JSON {game, room} with two strings");
    }
    const known = this.#games.get(game);
    if (known === undefined) {
      return refuse(
        404,
        `Cannot matchmake: no game named ${JSON.stringify(game.slice(0, 64))}; this cluster runs ${
          [...this.#games.keys()].join(", ")
        }`,
      );
    }
    if (!isRoomRequest(room)) {
      return refuse(
        400,
        `Cannot matchmake: room ${
          JSON.stringify(room.slice(0, 80))
        } is not any, new, a name of 1 to 48 letters, digits, _ or -, or a room id`,
      );
    }
    if (!this.#directoryUp) {
      return refuse(
        503,
        `Cannot matchmake: the room directory is unreachable: ${this.#directoryError}`,
      );
    }
    const seatId = randomId(16);
    let reservation;
    try {
      reservation = await this.#options.directory.reserveSeat({
        game,
        room,
        capacity: known.maxPlayers,
        seatId,
        newRoomName: `${game.slice(0, 32)}-${randomId(6)}`,
        seatTtlMs: this.#seatTtlMs,
      });
    } catch (error) {
      return refuse(503, `Cannot matchmake: the room directory is unreachable: ${describe(error)}`);
    }
    if (!reservation.ok) {
      return refuse(reservation.why === "no_process" ? 503 : 409, reservation.reason);
    }
    const seat = await this.#options.seatTokens.issue({
      seatId,
      roomId: reservation.roomId,
      game,
      expiresAtMs: Date.now() + this.#seatTtlMs,
    });
    return { status: 200, body: { url: reservation.wsUrl, roomId: reservation.roomId, seat } };
  }

  /**
   * Admit a client presenting `seat`: check its signature, that this process owns its room and
   * takes seats, and consume it in the directory. The caller joins the room (creating it on its
   * first seat) in the same turn of the event loop; the pending count covers the gap.
   */
  async admit(seat: string): Promise<SeatAdmission> {
    const check = await this.#options.seatTokens.verify(seat);
    if (!check.ok) return { ok: false, code: CloseCode.SEAT_REFUSED, reason: check.reason };
    const { roomId, seatId, game: gameName } = check.claims;
    if (ownerOf(roomId) !== this.#options.processId) {
      return {
        ok: false,
        code: CloseCode.SEAT_REFUSED,
        reason:
          `Seat is for room ${roomId} of another process: connect to the url matchmaking gave`,
      };
    }
    if (this.#draining) {
      return {
        ok: false,
        code: CloseCode.SERVICE_RESTART,
        reason: "Server is draining: matchmake again for a room on another process",
      };
    }
    const game = this.#games.get(gameName);
    if (game === undefined) {
      return {
        ok: false,
        code: CloseCode.SEAT_REFUSED,
        reason: `Seat names unknown game ${gameName}`,
      };
    }
    const pending = this.#pendingSeats.get(roomId) ?? { game, count: 0 };
    pending.count++;
    this.#pendingSeats.set(roomId, pending);
    let consumed: boolean;
    try {
      consumed = await this.#options.directory.consumeSeat(seatId, roomId);
    } catch (error) {
      return {
        ok: false,
        code: CloseCode.SERVICE_RESTART,
        reason: `Cannot check the seat: the room directory is unreachable: ${describe(error)}`,
      };
    } finally {
      pending.count--;
      if (pending.count === 0) this.#pendingSeats.delete(roomId);
    }
    if (!consumed) {
      return {
        ok: false,
        code: CloseCode.SEAT_REFUSED,
        reason: "Seat reservation expired or was already used: matchmake again",
      };
    }
    // The caller's join creates the room on its first seat (a join by a name nobody uses yet), under
    // the registry's room cap and per-address creation rate.
    return { ok: true, roomId, game: gameName };
  }

  #listings(): RoomListing[] {
    const listings: RoomListing[] = [];
    const listed = new Set<string>();
    for (const room of this.#options.registry.rooms()) {
      listed.add(room.id);
      listings.push({
        roomId: room.id,
        game: room.game.name,
        capacity: room.game.maxPlayers,
        players: room.playerCount + (this.#pendingSeats.get(room.id)?.count ?? 0),
      });
    }
    for (const [roomId, { game, count }] of this.#pendingSeats) {
      if (listed.has(roomId)) continue;
      listings.push({ roomId, game: game.name, capacity: game.maxPlayers, players: count });
    }
    // Rooms created here without a seat (direct joins) are not listed: their ids name no owner.
    return listings.filter((listing) => ownerOf(listing.roomId) === this.#options.processId);
  }

  #log(line: string): void {
    (this.#options.log ?? console.log)(line);
  }
}

function refuse(status: 400 | 404 | 409 | 503, error: string): MatchmakeResult {
  return { status, body: { error } };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
