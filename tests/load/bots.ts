/**
 * `deno task bots -- --url ws://127.0.0.1:8000/ws --rooms 2 --players 16 --duration 20`: headless
 * bots that play the arena workload against a running server. A progress line a second goes to
 * stderr, one JSON summary of the measured window to stdout. Stops by itself.
 *
 * A join that fails is counted by kind in the summary's `failedBy` (`http_429` for an upgrade the
 * server refused with 429) with the server's reason in `refusals`, and said on stderr; refusals
 * by the server's per-address limit add a line naming the flag that lifts it.
 *
 * Flags: `--url`, `--rooms` (1), `--players` per room (16), `--duration` measured seconds (10),
 * `--warmup` seconds before measuring (0), `--game` (arena), `--input-hz` (30), `--workers`
 * (1: all bots on this thread), `--concurrency` joins in flight (32), `--seed` (1), `--beam-every-ms`
 * (0: never; 500 fires the arena's hit-scan beam twice a second, judged with lag compensation),
 * `--matchmake` comma-separated HTTP base URLs to matchmake at (bot `i` at the `i mod n`th; then
 * `--url` is unused: each bot connects where matchmaking says), `--decode-every N` (1: only every
 * Nth bot rebuilds the world, the others count bytes and acknowledge),
 * `--transport` `ws` (default) or `wt` (WebTransport, as the server's `/transport` document says;
 * needs `--unstable-net`).
 * @module
 */
import { Flags } from "./_flags.ts";
import { describeFailures, runBots, type RunBotsOptions } from "./run_bots.ts";
import type { TransportDocument } from "../../client/net/transport_choice.ts";
import type { WebTransportTarget } from "../../client/net/webtransport_wire.ts";

const FLAGS = [
  "url",
  "rooms",
  "players",
  "duration",
  "warmup",
  "game",
  "input-hz",
  "workers",
  "concurrency",
  "seed",
  "beam-every-ms",
  "matchmake",
  "decode-every",
  "transport",
];

/** Turn the command line into {@linkcode runBots} options, and the transport asked for. */
export function parseBotFlags(
  args: readonly string[],
): RunBotsOptions & { transport: "ws" | "wt" } {
  const flags = new Flags(args, FLAGS);
  const transport = flags.string("transport", "ws");
  if (transport !== "ws" && transport !== "wt") {
    throw new RangeError(`Invalid transport: ${transport}, expected ws or wt`);
  }
  return {
    transport,
    url: flags.string("url", "ws://127.0.0.1:8000/ws"),
    game: flags.string("game", "arena"),
    rooms: flags.number("rooms", 1, 1, 1000),
    playersPerRoom: flags.number("players", 16, 1, 1000),
    durationMs: flags.number("duration", 10, 0.1, 3600) * 1000,
    warmupMs: flags.number("warmup", 0, 0, 600) * 1000,
    inputHz: flags.number("input-hz", 30, 1, 240),
    workers: flags.number("workers", 1, 1, 16),
    connectConcurrency: flags.number("concurrency", 32, 1, 1000),
    seed: flags.number("seed", 1, 0, 2 ** 31),
    beamEveryMs: flags.number("beam-every-ms", 0, 0, 60_000),
    decodeEvery: flags.number("decode-every", 1, 1, 1000),
    matchmakeUrls: flags.has("matchmake")
      ? flags.string("matchmake", "").split(",").filter((url) => url !== "")
      : [],
  };
}

/** Where the server at WebSocket `url` takes WebTransport sessions (its `/transport` document). */
async function webTransportOf(url: string): Promise<WebTransportTarget> {
  const http = new URL(url.replace(/^ws/, "http"));
  const response = await fetch(new URL("/transport", http));
  const document = await response.json() as TransportDocument;
  if (document.webTransport === null) {
    throw new Error(`Cannot use WebTransport: ${http.host} offers none`);
  }
  return {
    url: `https://${http.hostname}:${document.webTransport.port}/`,
    certificateHashes: document.webTransport.certificateHashes,
  };
}

if (import.meta.main) {
  const { transport, ...options } = parseBotFlags(Deno.args);
  if (transport === "wt") options.webTransport = await webTransportOf(options.url);
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  Deno.addSignalListener("SIGINT", interrupt);
  Deno.addSignalListener("SIGTERM", interrupt);
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  // Overloaded bots run their timers late, the connect phase included; this is a safety net.
  const hardLimitMs = 2 * connectTimeoutMs + (options.warmupMs ?? 0) + options.durationMs + 60_000;
  const watchdog = setTimeout(() => {
    console.error(`bots: still running after ${hardLimitMs} ms, giving up`);
    Deno.exit(2);
  }, hardLimitMs);
  const startedMs = performance.now();
  const summary = await runBots({
    ...options,
    signal: controller.signal,
    onProgress: (line) => console.error(line),
    onPhase: (phase) =>
      console.error(`bots: ${phase} at ${((performance.now() - startedMs) / 1000).toFixed(1)}s`),
  });
  clearTimeout(watchdog);
  Deno.removeSignalListener("SIGINT", interrupt);
  Deno.removeSignalListener("SIGTERM", interrupt);
  for (const line of describeFailures(summary.clients)) console.error(line);
  console.log(JSON.stringify(summary));
}
