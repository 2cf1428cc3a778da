/**
 * `deno run --allow-all tests/bench/directory_any.ts [rooms] [processes]`: how long the Redis
 * directory's scripts take as the cluster grows, against a private redis-server. It lists `rooms`
 * rooms (50 seats, 25 players) over `processes` leases, then times 200 reservations of each kind
 * one after another (`any` scans the game's rooms; a named room is a few lookups) and 200 lease
 * renewals of a process with its share of rooms. Prints one JSON line.
 * @module
 */
import { connectRedisDirectory } from "../../server/cluster/redis_directory.ts";
import type { ProcessRecord, RoomListing } from "../../server/cluster/room_directory.ts";
import { startRedis } from "../support/redis.ts";

const rooms = Number(Deno.args[0] ?? 2000);
const processes = Number(Deno.args[1] ?? 40);
const TTL_MS = 60_000;
const CALLS = 200;

function record(processId: string): ProcessRecord {
  const base = { wsUrl: `ws://${processId}/ws`, httpUrl: `http://${processId}` };
  return { processId, ...base, draining: false, rooms: 0, players: 0, tickP99Ms: 0 };
}

await using redis = await startRedis();
const directory = await connectRedisDirectory(redis.url, { onConnectionChange: () => {} });
try {
  const listingsOf = new Map<string, RoomListing[]>();
  for (let index = 0; index < rooms; index++) {
    const owner = `p${index % processes}`;
    const listing = { roomId: `r${index}.${owner}`, game: "arena", capacity: 50, players: 25 };
    listingsOf.set(owner, [...(listingsOf.get(owner) ?? []), listing]);
  }
  for (let index = 0; index < processes; index++) {
    const id = `p${index}`;
    await directory.renew({ process: record(id), rooms: listingsOf.get(id) ?? [], ttlMs: TTL_MS });
  }
  const time = async (what: (call: number) => Promise<unknown>) => {
    const startedMs = performance.now();
    for (let call = 0; call < CALLS; call++) await what(call);
    return Math.round((performance.now() - startedMs) / CALLS * 1000) / 1000;
  };
  const seat = (room: string, call: number) => ({
    game: "arena",
    room,
    capacity: 50,
    seatId: `s${room}${call}`,
    newRoomName: `n${call}`,
    seatTtlMs: 1,
  });
  const anyMs = await time((call) => directory.reserveSeat(seat("any", call)));
  const namedMs = await time((call) => directory.reserveSeat(seat(`r${call % rooms}`, call)));
  const renewMs = await time(() =>
    directory.renew({ process: record("p0"), rooms: listingsOf.get("p0") ?? [], ttlMs: TTL_MS })
  );
  console.log(JSON.stringify({
    rooms,
    processes,
    msPerCall: { reserveAny: anyMs, reserveNamed: namedMs, renew: renewMs },
  }));
} finally {
  await directory.close();
}
