/**
 * The cluster end to end: real server processes on one real redis-server, real bots over real
 * sockets, short leases (1 s). No assertion on wall-clock time beyond generous deadlines.
 */
import assert from "node:assert/strict";
import { GameConnection, JoinRefusedError } from "../../client/net/game_connection.ts";
import { matchmake } from "../../client/net/matchmake.ts";
import { CloseCode } from "../../shared/protocol/mod.ts";
import { BotFleet } from "../load/bot_fleet.ts";
import { startRedis } from "../support/redis.ts";
import { eventually, startClusterProcesses } from "./_cluster_process.ts";

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

Deno.test("3 processes seat 300 bots joining any in exactly 75 full 4-seat rooms", async () => {
  await using redis = await startRedis();
  const processes = await startClusterProcesses(3, { redisUrl: redis.url });
  const fleet = new BotFleet({
    url: "",
    rooms: 1,
    playersPerRoom: 300,
    joinAny: true,
    matchmakeUrls: processes.map((process) => process.url),
    inputHz: 10,
    connectConcurrency: 24,
  });
  try {
    await fleet.connect();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const placements = fleet.placements();
    const perRoom = new Map<string, number>();
    for (const placement of placements) {
      assert.ok(
        placement.roomId !== null,
        `a bot failed: ${JSON.stringify(fleet.counters().failedBy)}`,
      );
      perRoom.set(placement.roomId, (perRoom.get(placement.roomId) ?? 0) + 1);
    }
    assert.equal(perRoom.size, 75, "exactly 75 rooms");
    assert.deepEqual(new Set(perRoom.values()), new Set([4]), "every room has exactly 4");
    const owners = new Set([...perRoom.keys()].map((roomId) => roomId.split(".")[1]));
    assert.deepEqual(owners, new Set(processes.map((process) => process.processId)));
    assert.equal(placements.filter((placement) => placement.snapshots === 0).length, 0);
    console.log(
      `matchmaking over ${fleet.matchmakeMs.length} requests: p50 ${
        quantile(fleet.matchmakeMs, 0.5).toFixed(1)
      } ms, p95 ${quantile(fleet.matchmakeMs, 0.95).toFixed(1)} ms`,
    );
  } finally {
    await fleet.stop();
    await Promise.all(processes.map((process) => process.stop()));
  }
});
