/// <reference lib="deno.unstable" />
/**
 * `deno run -A --unstable-net tests/bench/head_of_line.ts [seconds] [loss]`: head-of-line
 * blocking, WebTransport against WebSocket, at equal loss and delay. One arena room (20 NPCs)
 * on the real clock; a WebTransport client plays through the UDP relay (loss, 40 ± 10 ms one
 * way, 1% reordering: measured) and, at the same time in the same room, a WebSocket client plays
 * through the TCP loss-model relay (same loss and delay, a lost segment recovered 200 ms later
 * and the stream held behind it: modelled, see tcp_loss_model_relay.ts). Prints, per client, the
 * snapshot inter-arrival p50/p99, the longest freeze (the longest gap between two applied
 * snapshots) and the snapshots applied a second, as one JSON line.
 * @module
 */
import { createArenaGame } from "../../server/games/arena.ts";
import { startServer } from "../../server/server.ts";
import { MessageKind } from "../../shared/protocol/mod.ts";
import { TestClient } from "../support/harness.ts";
import { startTcpLossModelRelay } from "../support/tcp_loss_model_relay.ts";
import { type LinkConditions, startUdpRelay } from "../support/udp_relay.ts";

const seconds = Number(Deno.args[0] ?? 30);
const loss = Number(Deno.args[1] ?? 0.05);
const link: LinkConditions = { loss, delayMs: 40, jitterMs: 10, reorder: 0.01 };

const server = await startServer({
  games: [createArenaGame({ npcCount: 20 })],
  port: 0,
  operatorRoutes: false,
});
const quicPort = server.webTransport?.port;
if (quicPort === undefined) throw new Error("Run with --unstable-net: no WebTransport listener");
await using udp = startUdpRelay(quicPort, link, 7);
await using tcp = startTcpLossModelRelay(
  new URL(server.url).port === "" ? 80 : Number(new URL(server.url).port),
  link,
  7,
);

const overWt = await TestClient.open({
  url: server.wsUrl,
  webTransport: {
    url: `https://127.0.0.1:${udp.port}/`,
    certificateHashes: server.webTransport?.certificateHashes() ?? [],
  },
  game: "arena",
  name: "wt",
  timeoutMs: 10_000,
});
const overWs = await TestClient.open({
  url: `ws://127.0.0.1:${tcp.port}/ws`,
  game: "arena",
  room: overWt.connection.welcome.roomId,
  name: "ws",
  timeoutMs: 10_000,
});

/** Arrival times of each applied (newer than any before) snapshot. */
function watch(client: TestClient): number[] {
  const arrivals: number[] = [];
  let newest = 0;
  const previous = client.connection.handlers.onSnapshot;
  client.connection.handlers.onSnapshot = (snapshot, receivedAtMs) => {
    previous?.(snapshot, receivedAtMs);
    if (snapshot.tick <= newest) return;
    newest = snapshot.tick;
    arrivals.push(performance.now());
  };
  return arrivals;
}
const wtArrivals = watch(overWt);
const wsArrivals = watch(overWs);
let sequence = 0;
const endMs = performance.now() + seconds * 1000;
while (performance.now() < endMs) {
  sequence++;
  for (const client of [overWt, overWs]) {
    client.connection.queue({
      kind: MessageKind.INPUT,
      sequence,
      clientTick: sequence,
      values: [(sequence >> 4) & 15, 0],
    });
    client.connection.flush();
  }
  await new Promise((resolve) => setTimeout(resolve, 1000 / 30));
}

function figures(arrivals: number[]) {
  const gaps = arrivals.slice(1).map((at, index) => at - (arrivals[index] ?? at)).sort((a, b) =>
    a - b
  );
  const quantile = (q: number) => Math.round(gaps[Math.floor(q * (gaps.length - 1))] ?? NaN);
  return {
    snapshotsPerSecond: Math.round(arrivals.length / seconds * 10) / 10,
    interArrivalP50Ms: quantile(0.5),
    interArrivalP99Ms: quantile(0.99),
    longestFreezeMs: Math.round(gaps.at(-1) ?? NaN),
    gapsOver100Ms: gaps.filter((gap) => gap > 100).length,
  };
}
console.log(JSON.stringify({
  seconds,
  link,
  webTransport: { ...figures(wtArrivals), measured: true, relayDropped: udp.down.dropped },
  webSocket: { ...figures(wsArrivals), measured: false, modelledLostChunks: tcp.lostChunks },
}));
await overWt.leave();
await overWs.leave();
await server.shutdown("Bench finished", 1000);
