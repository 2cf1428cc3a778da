import assert from "node:assert/strict";
import { createArenaGame } from "../../server/games/arena.ts";
import { startServer } from "../../server/server.ts";
import { parseBotFlags } from "./bots.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import { describeFailures, runBots } from "./run_bots.ts";

Deno.test("parseBotFlags() reads the task's flags after a bare --", () => {
  const options = parseBotFlags([
    "--",
    "--url",
    "ws://127.0.0.1:9/ws",
    "--rooms=3",
    "--players",
    "5",
    "--duration",
    "2",
    "--input-hz",
    "20",
  ]);
  assert.equal(options.url, "ws://127.0.0.1:9/ws");
  assert.equal(options.rooms, 3);
  assert.equal(options.playersPerRoom, 5);
  assert.equal(options.durationMs, 2000);
  assert.equal(options.inputHz, 20);
  assert.equal(options.game, "arena");
  assert.equal(options.transport, "ws");
  assert.equal(parseBotFlags(["--transport", "wt"]).transport, "wt");
  assert.throws(() => parseBotFlags(["--transport", "udp"]), /Invalid transport: udp/);
  assert.throws(() => parseBotFlags(["--bogus", "1"]), /Unknown flag --bogus/);
  assert.throws(() => parseBotFlags(["--rooms", "0"]), /Invalid --rooms/);
});

Deno.test("LatencyHistogram merges worker counts and caps what overflows", () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  a.record(0.05);
  a.record(3);
  b.record(5000);
  a.add(b.counts);
  assert.equal(a.count, 3);
  assert.equal(a.quantile(0), 0.1);
  assert.equal(a.quantile(0.5), 3);
  assert.equal(a.quantile(1), LatencyHistogram.MAX_MS);
  a.clear();
  assert.equal(a.quantile(0.5), null);
});

for (const workers of [1, 2]) {
  Deno.test(`runBots() fills rooms and decodes every snapshot (${workers} worker${workers > 1 ? "s" : ""})`, async () => {
    const server = await startServer({ games: [createArenaGame({ npcCount: 5 })], port: 0 });
    try {
      const lines: string[] = [];
      const phases: string[] = [];
      const summary = await runBots({
        url: server.wsUrl,
        rooms: 2,
        playersPerRoom: 3,
        durationMs: 1200,
        warmupMs: 300,
        workers,
        onProgress: (line) => lines.push(line),
        onPhase: (phase) => phases.push(phase),
      });
      assert.deepEqual(phases, ["connected", "measuring", "measured"]);
      assert.equal(summary.clients.connected, 6);
      assert.equal(summary.clients.failed, 0);
      assert.equal(summary.clients.measured, 6);
      assert.equal(summary.decodeErrors, 0);
      assert.deepEqual(summary.clients.closedByServer, {});
      assert.ok(
        summary.perClientPerSecond.snapshots > 20,
        `${summary.perClientPerSecond.snapshots}/s`,
      );
      assert.ok(summary.perClientPerSecond.messagesOut > 20, "inputs at about 30 Hz");
      assert.ok(summary.rttMs.samples > 0 && (summary.rttMs.p50 ?? 0) > 0);
      assert.ok(summary.snapshotIntervalJitterMs.samples > 0);
      assert.ok(lines.length >= 1 && lines[0]?.startsWith("bots t="), lines[0]);
      const rooms = server.registry.rooms();
      assert.equal(rooms.length, 2, "the first bot of each room made a new one");
      // The bots closed with 1000 at the end; the rooms empty once the server has read the
      // closes, which on a loaded machine can come a moment after the bots saw theirs.
      const deadlineMs = performance.now() + 3000;
      while (rooms.some((room) => room.playerCount > 0) && performance.now() < deadlineMs) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(rooms.every((room) => room.playerCount === 0));
    } finally {
      await server.shutdown("Test finished", 1000);
    }
  });
}

Deno.test("runBots() reports upgrades the per-address limit refused, with the status, reason and flag", async () => {
  const server = await startServer({
    games: [createArenaGame({ npcCount: 0 })],
    port: 0,
    connectionLimits: { maxConnectionsPerAddress: 4 },
  });
  try {
    const summary = await runBots({
      url: server.wsUrl,
      rooms: 2,
      playersPerRoom: 3,
      durationMs: 200,
      connectTimeoutMs: 10_000,
    });
    assert.equal(summary.clients.connected, 4);
    assert.deepEqual(summary.clients.failedBy, { http_429: 2 });
    assert.equal(
      summary.clients.refusals["http_429"],
      "Too many connections from 127.0.0.1: at most 4 at once",
    );
    assert.deepEqual(describeFailures(summary.clients), [
      "bots: 2 of 6 refused with HTTP 429: Too many connections from 127.0.0.1: at most 4 at once",
      "bots: the server's per-address limit refused them (every bot shares this machine's " +
      "address): start the server with --max-connections-per-address 16 " +
      "(or MAX_CONNECTIONS_PER_ADDRESS=16)",
    ]);
  } finally {
    await server.shutdown("Test finished", 1000);
  }
});
