import {
  type LeaseRenewal,
  type ProcessRecord,
  type RoomDirectory,
  type RoomListing,
  roomNameOf,
  type SeatRequest,
  type SeatReservation,
} from "./room_directory.ts";

/** Settings of a {@linkcode MemoryDirectory}. */
export interface MemoryDirectoryOptions {
  /**
   * Milliseconds for lease and seat expiry; tests pass a clock they drive.
   * @default Date.now
   */
  now?: () => number;
}

interface Lease {
  record: ProcessRecord;
  expiresAtMs: number;
}

interface Listing {
  game: string;
  name: string;
  ownerId: string;
  capacity: number;
  players: number;
  /** Live reservations: seat id → expiry. */
  seats: Map<string, number>;
}

/**
 * The room directory of the embedded default: the same rules as the Redis one, in one process's
 * memory. Several servers in one test may share one to stand for a cluster.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryDirectory } from "./memory_directory.ts";
 *
 * const directory = new MemoryDirectory();
 * const process = { processId: "p1", wsUrl: "ws://a/ws", httpUrl: "http://a", draining: false,
 *   rooms: 0, players: 0, tickP99Ms: 0 };
 * await directory.renew({ process, rooms: [], ttlMs: 10_000 });
 * const seat = await directory.reserveSeat({ game: "dots", room: "any", capacity: 4,
 *   seatId: "s1", newRoomName: "dots-a", seatTtlMs: 15_000 });
 * assert.ok(seat.ok);
 * assert.equal(seat.roomId, "dots-a.p1");
 * assert.equal(await directory.consumeSeat("s1", "dots-a.p1"), true);
 * assert.equal(await directory.consumeSeat("s1", "dots-a.p1"), false);
 * ```
 */
export class MemoryDirectory implements RoomDirectory {
  readonly #now: () => number;
  readonly #leases = new Map<string, Lease>();
  readonly #rooms = new Map<string, Listing>();
  /** Rooms each process owns, including those of dead processes until the janitor runs. */
  readonly #roomsByOwner = new Map<string, Set<string>>();
  /** Room name → the room id it stands for. */
  readonly #names = new Map<string, string>();
  #janitor: { processId: string; expiresAtMs: number } | undefined;

  /** @param options the time source */
  constructor(options: MemoryDirectoryOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  renew({ process, rooms, ttlMs, claimUrl }: LeaseRenewal): Promise<number> {
    const nowMs = this.#now();
    if (claimUrl === true) {
      for (const [other, lease] of [...this.#leases]) {
        if (other === process.processId || lease.record.wsUrl !== process.wsUrl) continue;
        this.#leases.delete(other);
        this.#forget(other);
      }
    }
    this.#leases.set(process.processId, { record: { ...process }, expiresAtMs: nowMs + ttlMs });
    const owned = this.#owned(process.processId);
    const listed = new Set<string>();
    for (const room of rooms) {
      listed.add(room.roomId);
      const name = roomNameOf(room.roomId);
      const existing = this.#rooms.get(room.roomId);
      if (existing !== undefined) {
        existing.players = room.players;
        existing.capacity = room.capacity;
      } else {
        this.#rooms.set(room.roomId, {
          game: room.game,
          name,
          ownerId: process.processId,
          capacity: room.capacity,
          players: room.players,
          seats: new Map(),
        });
      }
      owned.add(room.roomId);
      // A name whose room is gone (or was never written) points at this room again.
      const named = this.#names.get(name);
      if (named === undefined || !this.#rooms.has(named)) this.#names.set(name, room.roomId);
    }
    for (const roomId of [...owned]) {
      const listing = this.#rooms.get(roomId);
      if (listed.has(roomId) || (listing !== undefined && liveSeats(listing, nowMs) > 0)) continue;
      this.#deleteRoom(roomId);
    }
    const janitor = this.#janitor;
    if (
      janitor !== undefined && janitor.processId !== process.processId &&
      janitor.expiresAtMs > nowMs
    ) {
      return Promise.resolve(0);
    }
    this.#janitor = { processId: process.processId, expiresAtMs: nowMs + ttlMs };
    return Promise.resolve(this.#sweep(nowMs));
  }

  reserveSeat(request: SeatRequest): Promise<SeatReservation> {
    const nowMs = this.#now();
    let roomId: string | undefined;
    if (request.room === "any") {
      // The Redis directory's order: fewest seats free of players first, then lowest id; the
      // first with a seat free of reservations too wins.
      let best: { id: string; free: number } | undefined;
      for (const [id, listing] of this.#rooms) {
        const free = listing.capacity - listing.players;
        if (free <= 0 || listing.game !== request.game) continue;
        if (best !== undefined && (free > best.free || (free === best.free && id > best.id))) {
          continue;
        }
        if (this.#liveOwner(listing.ownerId, nowMs) === null) continue;
        if (free - liveSeats(listing, nowMs) > 0) best = { id, free };
      }
      roomId = best?.id;
    } else if (request.room !== "new") {
      const name = roomNameOf(request.room);
      const named = this.#rooms.has(request.room) ? request.room : this.#names.get(name);
      const listing = named === undefined ? undefined : this.#rooms.get(named);
      if (
        named !== undefined && listing !== undefined &&
        this.#liveOwner(listing.ownerId, nowMs) !== null
      ) {
        if (listing.game !== request.game) {
          return Promise.resolve({
            ok: false,
            why: "other_game",
            reason: `Room ${named} runs another game: ${listing.game}`,
          });
        }
        if (listing.capacity - listing.players - liveSeats(listing, nowMs) <= 0) {
          return Promise.resolve({
            ok: false,
            why: "full",
            reason: `Room ${named} is full (${listing.capacity} players)`,
          });
        }
        roomId = named;
      }
    }
    if (roomId === undefined) {
      const owner = this.#leastLoaded(nowMs);
      if (owner === null) {
        return Promise.resolve({
          ok: false,
          why: "no_process",
          reason: "No server process takes new rooms: every one is draining or gone",
        });
      }
      const name = request.room === "any" || request.room === "new"
        ? request.newRoomName
        : roomNameOf(request.room);
      roomId = `${name}.${owner.processId}`;
      if (!this.#rooms.has(roomId)) {
        this.#rooms.set(roomId, {
          game: request.game,
          name,
          ownerId: owner.processId,
          capacity: request.capacity,
          players: 0,
          seats: new Map(),
        });
        this.#owned(owner.processId).add(roomId);
      }
      this.#names.set(name, roomId);
    }
    const listing = this.#rooms.get(roomId);
    const owner = listing === undefined ? null : this.#liveOwner(listing.ownerId, nowMs);
    if (listing === undefined || owner === null) {
      throw new Error(`Cannot reserve a seat: room ${roomId} vanished while reserving`);
    }
    listing.seats.set(request.seatId, nowMs + request.seatTtlMs);
    return Promise.resolve({ ok: true, roomId, ownerId: owner.processId, wsUrl: owner.wsUrl });
  }

  consumeSeat(seatId: string, roomId: string): Promise<boolean> {
    const listing = this.#rooms.get(roomId);
    const expiresAtMs = listing?.seats.get(seatId);
    if (listing === undefined || expiresAtMs === undefined) return Promise.resolve(false);
    listing.seats.delete(seatId);
    if (expiresAtMs <= this.#now()) return Promise.resolve(false);
    listing.players++;
    return Promise.resolve(true);
  }

  processes(): Promise<ProcessRecord[]> {
    const nowMs = this.#now();
    const live = [...this.#leases.values()]
      .filter((lease) => lease.expiresAtMs > nowMs)
      .map((lease) => ({ ...lease.record }));
    return Promise.resolve(live.sort((a, b) => a.processId < b.processId ? -1 : 1));
  }

  listings(game?: string): Promise<RoomListing[]> {
    const nowMs = this.#now();
    const rooms: RoomListing[] = [];
    for (const [roomId, listing] of this.#rooms) {
      if (game !== undefined && listing.game !== game) continue;
      if (!this.#leaseLives(listing.ownerId, nowMs)) continue;
      rooms.push({
        roomId,
        game: listing.game,
        capacity: listing.capacity,
        players: listing.players,
      });
    }
    return Promise.resolve(rooms.sort((a, b) => a.roomId < b.roomId ? -1 : 1));
  }

  remove(processId: string): Promise<void> {
    this.#leases.delete(processId);
    this.#forget(processId);
    if (this.#janitor?.processId === processId) this.#janitor = undefined;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** What it holds, named as the Redis directory's keys: for the "nothing left behind" tests. */
  keyNames(): string[] {
    return [
      ...[...this.#leases.keys()].map((id) => `proc:${id}`),
      ...[...this.#rooms.keys()].map((id) => `room:${id}`),
      ...[...this.#names.keys()].map((name) => `name:${name}`),
      ...[...this.#roomsByOwner].filter(([, rooms]) => rooms.size > 0).map(([id]) => `owned:${id}`),
      ...(this.#janitor === undefined ? [] : [`janitor`]),
    ];
  }

  #owned(processId: string): Set<string> {
    let owned = this.#roomsByOwner.get(processId);
    if (owned === undefined) {
      owned = new Set();
      this.#roomsByOwner.set(processId, owned);
    }
    return owned;
  }

  #leaseLives(processId: string, nowMs: number): boolean {
    return (this.#leases.get(processId)?.expiresAtMs ?? 0) > nowMs;
  }

  /** The lease of a process that lives and takes new seats, else null. */
  #liveOwner(processId: string, nowMs: number): ProcessRecord | null {
    const lease = this.#leases.get(processId);
    if (lease === undefined || lease.expiresAtMs <= nowMs || lease.record.draining) return null;
    return lease.record;
  }

  /**
   * The live process with the least load, counted from its listings (players plus live seats), not
   * its lease: a burst of new rooms between two renewals must spread.
   */
  #leastLoaded(nowMs: number): ProcessRecord | null {
    let best: ProcessRecord | null = null;
    let bestLoad = Infinity;
    for (const [processId] of this.#leases) {
      const record = this.#liveOwner(processId, nowMs);
      if (record === null) continue;
      let load = 0;
      for (const roomId of this.#roomsByOwner.get(processId) ?? []) {
        const listing = this.#rooms.get(roomId);
        if (listing !== undefined) load += listing.players + liveSeats(listing, nowMs);
      }
      if (load < bestLoad || (load === bestLoad && best !== null && processId < best.processId)) {
        best = record;
        bestLoad = load;
      }
    }
    return best;
  }

  #sweep(nowMs: number): number {
    let swept = 0;
    for (const processId of [...new Set([...this.#leases.keys(), ...this.#roomsByOwner.keys()])]) {
      if (this.#leaseLives(processId, nowMs)) continue;
      this.#leases.delete(processId);
      this.#forget(processId);
      swept++;
    }
    return swept;
  }

  #forget(processId: string): void {
    for (const roomId of this.#roomsByOwner.get(processId) ?? []) this.#deleteRoom(roomId);
    this.#roomsByOwner.delete(processId);
  }

  #deleteRoom(roomId: string): void {
    const listing = this.#rooms.get(roomId);
    if (listing === undefined) return;
    this.#rooms.delete(roomId);
    this.#roomsByOwner.get(listing.ownerId)?.delete(roomId);
    if (this.#names.get(listing.name) === roomId) this.#names.delete(listing.name);
  }
}

function liveSeats(listing: Listing, nowMs: number): number {
  let live = 0;
  for (const [seatId, expiresAtMs] of listing.seats) {
    if (expiresAtMs > nowMs) live++;
    else listing.seats.delete(seatId);
  }
  return live;
}
