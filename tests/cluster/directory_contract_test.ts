/**
 * The room directory's contract, run against the in-memory directory and the Redis one (a real
 * redis-server on a free port, persisting nothing). Time: the memory directory's clock is driven;
 * Redis expires keys on its own clock, so its runs wait the TTLs out (short ones).
 */
import assert from "node:assert/strict";
import { MemoryDirectory } from "../../server/cluster/memory_directory.ts";
import { connectRedisDirectory } from "../../server/cluster/redis_directory.ts";
import type {
  ProcessRecord,
  RoomDirectory,
  RoomListing,
  SeatRequest,
} from "../../server/cluster/room_directory.ts";
import { startRedis } from "../support/redis.ts";

const TTL_MS = 300;
const SEAT_TTL_MS = 300;

interface Harness {
  directory: RoomDirectory;
  /** Let `ms` pass. */
  advance(ms: number): Promise<void>;
  /** Names of the keys the directory holds. */
  keyNames(): Promise<string[]>;
}

function record(processId: string, overrides: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    processId,
    wsUrl: `ws://${processId}/ws`,
    httpUrl: `http://${processId}`,
    draining: false,
    rooms: 0,
    players: 0,
    tickP99Ms: 0,
    ...overrides,
  };
}

let seatNumber = 0;
function request(room: string, overrides: Partial<SeatRequest> = {}): SeatRequest {
  seatNumber++;
  return {
    game: "dots",
    room,
    capacity: 4,
    seatId: `seat${seatNumber}`,
    newRoomName: `dots-${seatNumber}`,
    seatTtlMs: SEAT_TTL_MS,
    ...overrides,
  };
}

async function renew(
  directory: RoomDirectory,
  processId: string,
  rooms: RoomListing[] = [],
  overrides: Partial<ProcessRecord> = {},
): Promise<number> {
  return await directory.renew({ process: record(processId, overrides), rooms, ttlMs: TTL_MS });
}

async function reserved(directory: RoomDirectory, room: string, overrides = {}) {
  const seat = await directory.reserveSeat(request(room, overrides));
  if (!seat.ok) throw new assert.AssertionError({ message: `Seat refused: ${seat.reason}` });
  return seat;
}

const CASES: Record<string, (harness: Harness) => Promise<void>> = {
  "new rooms of a burst spread over the processes before any renewal": async ({ directory }) => {
    await renew(directory, "p1");
    await renew(directory, "p2");
    const owners = [];
    for (let index = 0; index < 4; index++) owners.push((await reserved(directory, "new")).ownerId);
    assert.deepEqual(owners, ["p1", "p2", "p1", "p2"]);
  },

  "reserveSeat() any fills one room before it opens a second, even when asked concurrently": async (
    { directory },
  ) => {
    await renew(directory, "p1");
    await renew(directory, "p2");
    const seats = await Promise.all(
      Array.from({ length: 12 }, () => directory.reserveSeat(request("any"))),
    );
    const perRoom = new Map<string, number>();
    for (const seat of seats) {
      assert.ok(seat.ok);
      perRoom.set(seat.roomId, (perRoom.get(seat.roomId) ?? 0) + 1);
    }
    assert.deepEqual([...perRoom.values()], [4, 4, 4]);
  },

  "reserveSeat() any takes the fullest open room, skipping draining owners and full rooms": async (
    { directory },
  ) => {
    const room = (roomId: string, players: number) => ({
      roomId,
      game: "dots",
      capacity: 4,
      players,
    });
    await renew(directory, "p1", [room("a.p1", 1), room("b.p1", 4)]);
    await renew(directory, "p2", [room("c.p2", 3)], { draining: true });
    await renew(directory, "p3", [room("d.p3", 2)]);
    assert.equal((await reserved(directory, "any")).roomId, "d.p3");
    assert.equal((await reserved(directory, "any")).roomId, "d.p3");
    assert.equal((await reserved(directory, "any")).roomId, "a.p1", "d.p3 is full with its seats");
    assert.equal(await directory.consumeSeat("nobody", "a.p1"), false);
  },

  "reserveSeat() counts live reservations against the capacity": async (
    { directory },
  ) => {
    await renew(directory, "p1");
    const first = await reserved(directory, "friends");
    assert.equal(first.roomId, "friends.p1");
    assert.equal(first.wsUrl, "ws://p1/ws");
    for (let index = 0; index < 3; index++) await reserved(directory, "friends");
    const full = await directory.reserveSeat(request("friends"));
    assert.deepEqual(full.ok ? "ok" : full.why, "full");
    const other = await directory.reserveSeat(request("friends.p1"));
    assert.equal(other.ok, false);
  },

  "consumeSeat() takes a seat once, and refuses an unknown or expired one": async (
    { directory, advance },
  ) => {
    await renew(directory, "p1");
    const seat = await reserved(directory, "any", { seatId: "once" });
    assert.equal(await directory.consumeSeat("once", seat.roomId), true);
    assert.equal(await directory.consumeSeat("once", seat.roomId), false);
    assert.equal(await directory.consumeSeat("forged", seat.roomId), false);
    const late = await reserved(directory, seat.roomId, { seatId: "late" });
    await renew(directory, "p1", [{ roomId: seat.roomId, game: "dots", capacity: 4, players: 1 }]);
    await advance(SEAT_TTL_MS + 50);
    await renew(directory, "p1", [{ roomId: seat.roomId, game: "dots", capacity: 4, players: 1 }]);
    assert.equal(await directory.consumeSeat("late", late.roomId), false);
    const listing = (await directory.listings("dots")).find((room) => room.roomId === seat.roomId);
    assert.equal(listing?.players, 1);
  },

  "an expired seat frees its place in the room": async ({ directory, advance }) => {
    await renew(directory, "p1");
    for (let index = 0; index < 4; index++) await reserved(directory, "club");
    assert.equal((await directory.reserveSeat(request("club"))).ok, false);
    await advance(SEAT_TTL_MS + 50);
    await renew(directory, "p1", [{ roomId: "club.p1", game: "dots", capacity: 4, players: 0 }]);
    assert.equal((await reserved(directory, "club")).roomId, "club.p1");
  },

  "reserveSeat() creates a named room on first use and sends later requests to it": async (
    { directory },
  ) => {
    await renew(directory, "p1");
    await renew(directory, "p2", [], { players: 5 });
    const first = await reserved(directory, "friends");
    const second = await reserved(directory, "friends");
    assert.equal(first.roomId, "friends.p1");
    assert.equal(second.roomId, "friends.p1");
    const wrongGame = await directory.reserveSeat(request("friends", { game: "chess" }));
    assert.equal(wrongGame.ok ? "ok" : wrongGame.why, "other_game");
  },

  "new rooms go to the live process with the fewest players, never to a draining one": async (
    { directory },
  ) => {
    await renew(directory, "p1", [{ roomId: "a.p1", game: "dots", capacity: 9, players: 7 }]);
    await renew(directory, "p2", [{ roomId: "b.p2", game: "dots", capacity: 9, players: 3 }]);
    await renew(directory, "p3", [], { draining: true });
    assert.equal((await reserved(directory, "new")).ownerId, "p2");
    await renew(directory, "p2", [{ roomId: "b.p2", game: "dots", capacity: 9, players: 3 }], {
      draining: true,
    });
    assert.equal((await reserved(directory, "new")).ownerId, "p1");
    await renew(directory, "p1", [{ roomId: "a.p1", game: "dots", capacity: 9, players: 7 }], {
      draining: true,
    });
    const none = await directory.reserveSeat(request("new"));
    assert.equal(none.ok ? "ok" : none.why, "no_process");
  },

  "a draining process's open rooms take no new seats": async ({ directory }) => {
    await renew(directory, "p1");
    const seat = await reserved(directory, "any");
    await renew(directory, "p2");
    await renew(directory, "p1", [{ roomId: seat.roomId, game: "dots", capacity: 4, players: 1 }], {
      draining: true,
    });
    const next = await reserved(directory, "any");
    assert.equal(next.ownerId, "p2");
    const named = await reserved(directory, seat.roomId);
    assert.equal(named.ownerId, "p2", "a room id of a draining owner stands for its name");
  },

  "a dead process's listings vanish with its lease and the janitor leaves no key of it": async (
    { directory, advance, keyNames },
  ) => {
    const busy = [{ roomId: "busy.p1", game: "chess", capacity: 9, players: 5 }];
    await renew(directory, "p1", busy);
    await renew(directory, "p2");
    const seat = await reserved(directory, "lobby");
    assert.equal(seat.ownerId, "p2");
    await renew(directory, "p2", [{ roomId: "lobby.p2", game: "dots", capacity: 4, players: 1 }]);
    assert.deepEqual((await directory.listings("dots")).map((room) => room.roomId), ["lobby.p2"]);
    await advance(TTL_MS / 2);
    await renew(directory, "p1", busy);
    await advance(TTL_MS / 2 + 50);
    assert.deepEqual(await directory.listings("dots"), [], "listings vanish with the lease");
    assert.deepEqual((await directory.processes()).map((process) => process.processId), ["p1"]);
    const moved = await reserved(directory, "lobby.p2");
    assert.equal(moved.roomId, "lobby.p1", "the dead room's id stands for its name");
    await advance(TTL_MS / 2);
    assert.equal(await renew(directory, "p1", busy), 1, "the janitor swept p2");
    assert.deepEqual((await keyNames()).filter((key) => key.includes("p2")), []);
    await directory.remove("p1");
    assert.deepEqual(await keyNames(), [], "remove() deletes every key of the process");
  },

  "a process that takes over a dead one's URL removes it at once": async ({ directory }) => {
    await renew(directory, "old", [{ roomId: "here.old", game: "dots", capacity: 4, players: 1 }]);
    await directory.renew({
      process: record("new", { wsUrl: "ws://old/ws" }),
      rooms: [],
      ttlMs: TTL_MS,
      claimUrl: true,
    });
    assert.deepEqual((await directory.processes()).map((process) => process.processId), ["new"]);
    assert.deepEqual(await directory.listings(), []);
    assert.equal((await reserved(directory, "here.old")).roomId, "here.new");
  },

  "every renewal re-writes the process's listings, so a lost listing heals": async (
    { directory },
  ) => {
    const rooms = [{ roomId: "keep.p1", game: "dots", capacity: 4, players: 2 }];
    await renew(directory, "p1", rooms);
    await directory.remove("p1");
    assert.deepEqual(await directory.listings(), []);
    await renew(directory, "p1", rooms);
    assert.deepEqual(await directory.listings(), rooms);
    assert.equal((await reserved(directory, "any")).roomId, "keep.p1");
  },

  "renew() drops rooms the owner no longer lists unless a seat in them is live": async (
    { directory },
  ) => {
    await renew(directory, "p1", [{ roomId: "old.p1", game: "dots", capacity: 4, players: 1 }]);
    const pending = await reserved(directory, "new");
    await renew(directory, "p1", []);
    assert.deepEqual((await directory.listings()).map((room) => room.roomId), [pending.roomId]);
  },
};

function runContract(name: string, makeHarness: () => Promise<Harness & AsyncDisposable>) {
  Deno.test(`${name} directory passes the room directory contract`, async (t) => {
    for (const [caseName, run] of Object.entries(CASES)) {
      await t.step(caseName, async () => {
        await using harness = await makeHarness();
        await run(harness);
      });
    }
  });
}

runContract("MemoryDirectory", () => {
  let nowMs = 1_000_000;
  const directory = new MemoryDirectory({ now: () => nowMs });
  return Promise.resolve({
    directory,
    advance: (ms) => {
      nowMs += ms;
      return Promise.resolve();
    },
    keyNames: () => Promise.resolve(directory.keyNames()),
    [Symbol.asyncDispose]: () => directory.close(),
  });
});

runContract("RedisDirectory", async () => {
  const redis = await startRedis();
  const directory = await connectRedisDirectory(redis.url, { onConnectionChange: () => {} });
  return {
    directory,
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    keyNames: async () =>
      (await redis.command("KEYS", "*")).split("\n").filter((key) => key !== ""),
    async [Symbol.asyncDispose]() {
      await directory.close();
      await redis.stop();
    },
  };
});
