/**
 * `deno task bench:load -- --scale S3 [--seconds 20] [--warmup 5] [--bot-workers N]`: the
 * capacity benchmark of tests/load/WORKLOAD.md. It starts the server (a separate process, arena game with
 * the scale's NPCs and room size) and the bots (another process), measures the window between
 * the bots' warm-up and their end, then runs the raw-broadcast floor with the same clients,
 * message size and rate, and prints one JSON line. Every process it starts is stopped.
 *
 * Figures: server CPU seconds per second (/proc/PID/stat), server RSS, what each client received
 * a second (mean over bots), tick p50/p99 (from the server's /metrics histogram over the window),
 * the bots' CPU, and the server's CPU per delivered snapshot as a ratio to the floor's per message.
 *
 * `--transport wt` has the bots connect over WebTransport (`both`: a WebSocket run, then a
 * WebTransport run, in each repeat); the raw floor is a WebSocket one either way.
 *
 * `--repeat N` runs the pair N times (one JSON line each) and ends with a summary line of the
 * ratios' minimum, median and maximum: on a shared 2-core machine one run's ratio moves by ±15%.
 *
 * `--beam-every-ms 500` makes every bot fire the arena's hit-scan beam twice a second (each beam
 * judged with lag compensation); `--beam-ab yes` runs each repetition twice, without and then with
 * beams, and ends with both sides' tick p99 (A/B in one invocation, interleaved).
 * @module
 */
import { type DenoChild, spawnDeno } from "./_child.ts";
import { Flags } from "./_flags.ts";
import {
  histogramBuckets,
  parsePrometheus,
  type PrometheusSeries,
  quantileBetween,
  sumSeries,
} from "./_prometheus_parse.ts";
import { readCpuSeconds, readMemoryMiB } from "./_proc.ts";
import type { BotsSummary } from "./run_bots.ts";
import type { RawClientsSummary } from "./raw_broadcast.ts";
import { startRedis } from "../support/redis.ts";

/** The workload's scales. */
export const SCALES = {
  S1: { rooms: 1, playersPerRoom: 16, npcsPerRoom: 0 },
  S2: { rooms: 1, playersPerRoom: 64, npcsPerRoom: 200 },
  S3: { rooms: 10, playersPerRoom: 50, npcsPerRoom: 100 },
  S4: { rooms: 40, playersPerRoom: 50, npcsPerRoom: 100 },
} as const;

/** A scale name. */
export type ScaleName = keyof typeof SCALES;

const TICK_RATE_HZ = 30;
const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-env"];

/** Where the server and the client processes run: niceness and CPUs. */
interface Placement {
  server: { cpus?: string; v8Flags?: string };
  clients: { nice: number; cpus?: string };
}

interface Sample {
  atMs: number;
  /** CPU seconds of every server process so far, summed. */
  serverCpu: number;
  /** The same, per server process. */
  serverCpus: number[];
  botsCpu: number;
  /** Every server's series together (counters and buckets add up across processes). */
  metrics: PrometheusSeries[];
  /** Each server's series. */
  perServer: PrometheusSeries[][];
  /** Commands Redis had processed (cluster runs), else zeros. */
  redisCommands: RedisCommandCounts;
}

/** What Redis counted: calls from clients (each of ours a script) and all commands run. */
export interface RedisCommandCounts {
  /** `EVALSHA` and `EVAL` calls: the directory's round trips. */
  scriptCalls: number;
  /** Every command, those inside the scripts included (`INFO stats`). */
  total: number;
}

/** How the servers run: one on its own (the default), or a cluster of `processes` on Redis. */
export interface ServerLayout {
  /** Server processes. */
  processes: number;
  /** Redis of the cluster; null: one process with the in-memory directory. */
  redis: { url: string; commandsProcessed(): Promise<RedisCommandCounts> } | null;
  /** Bots matchmake over HTTP (at every process in turn) rather than join at the socket. */
  matchmake: boolean;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const roundOrNull = (value: number | null, digits = 2) =>
  value === null ? null : round(value, digits);

function log(line: string): void {
  console.error(`bench: ${line}`);
}

/** Resolve with the first line `pattern` matches, or reject after `timeoutMs`. */
function waitForLine(
  subscribe: (listener: (line: string) => void) => void,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    subscribe((line) => {
      if (done) return;
      const match = pattern.exec(line);
      if (match === null) return;
      done = true;
      clearTimeout(timer);
      resolve(match);
    });
  });
}

/** A line source several waiters can listen to. */
class Lines {
  readonly #listeners: ((line: string) => void)[] = [];
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  push = (line: string): void => {
    if (this.#prefix !== "") console.error(`${this.#prefix}${line}`);
    for (const listener of this.#listeners) listener(line);
  };

  subscribe = (listener: (line: string) => void): void => {
    this.#listeners.push(listener);
  };
}

interface GameRun {
  processes: {
    cpuPerSecond: number;
    tickP99Ms: number | null;
    snapshotsSentPerSecond: number;
  }[];
  redis: { scriptCallsPerSecond: number; commandsPerSecond: number } | null;
  bots: BotsSummary;
  window: { seconds: number; serverCpu: number; botsCpu: number };
  memory: { rssMiB: number; peakRssMiB: number };
  tick: { p50Ms: number | null; p99Ms: number | null; meanMs: number | null };
  ticksDropped: number;
  snapshotsSkipped: number;
  snapshotsSent: number;
  snapshotBytes: number;
  messagesSent: number;
  clientsKicked: number;
  serverDecodeErrors: number;
}

async function runGame(
  scale: ScaleName,
  rooms: number,
  seconds: number,
  warmup: number,
  botWorkers: number,
  placement: Placement,
  interest: boolean,
  beamEveryMs: number,
  layout: ServerLayout = { processes: 1, redis: null, matchmake: false },
  decodeEvery = 1,
  recordDir?: string,
  transport: Transport = "ws",
): Promise<GameRun> {
  const { playersPerRoom, npcsPerRoom } = SCALES[scale];
  // WebSocket runs keep the server as it was measured before WebTransport: no QUIC listener.
  const quic = transport === "wt" ? ["--unstable-net"] : [];
  const servers: DenoChild[] = [];
  const listening: Promise<RegExpExecArray>[] = [];
  const clusterArgs = layout.redis === null
    ? []
    : ["--redis", layout.redis.url, "--secret", `bench-secret-${crypto.randomUUID()}`];
  for (let index = 0; index < layout.processes; index++) {
    const serverLines = new Lines(layout.processes === 1 ? "server| " : `server${index}| `);
    listening.push(waitForLine(
      serverLines.subscribe,
      /on (http:\/\/[^\s]+) \(WebSocket/,
      30_000,
      `server ${index} to listen`,
    ));
    servers.push(spawnDeno([
      "run",
      ...quic,
      ...PERMISSIONS,
      ...(recordDir === undefined ? [] : [`--allow-write=${recordDir}`]),
      ...(placement.server.v8Flags === undefined ? [] : [`--v8-flags=${placement.server.v8Flags}`]),
      "server/main.ts",
      ...(recordDir === undefined ? [] : ["--record", recordDir]),
      "--port",
      "0",
      "--tick-rate",
      String(TICK_RATE_HZ),
      "--npcs",
      String(npcsPerRoom),
      "--max-players",
      String(Math.max(playersPerRoom, 1)),
      "--max-connections-per-address",
      String(rooms * playersPerRoom + 100),
      "--rooms-per-address-per-minute",
      String(rooms + 10),
      "--interest",
      interest ? "on" : "off",
      ...(transport === "wt" ? [] : ["--webtransport-port", "off"]),
      ...clusterArgs,
    ], { onStdoutLine: serverLines.push, onStderrLine: serverLines.push, ...placement.server }));
  }
  let bots: DenoChild | undefined;
  try {
    const httpUrls = (await Promise.all(listening)).map(([, url = ""]) => url);
    const httpUrl = httpUrls[0] ?? "";
    const wsUrl = `${httpUrl.replace("http:", "ws:")}/ws`;
    const scrapeOne = async (url: string): Promise<PrometheusSeries[]> => {
      const response = await fetch(`${url}/metrics`);
      return parsePrometheus(await response.text());
    };
    const botLines = new Lines("bots| ");
    bots = spawnDeno([
      "run",
      ...quic,
      ...PERMISSIONS,
      "tests/load/bots.ts",
      "--transport",
      transport,
      "--url",
      wsUrl,
      "--rooms",
      String(rooms),
      "--players",
      String(playersPerRoom),
      "--duration",
      String(seconds),
      "--warmup",
      String(warmup),
      "--workers",
      String(botWorkers),
      ...(layout.matchmake ? ["--matchmake", httpUrls.join(",")] : []),
      "--decode-every",
      String(decodeEvery),
      "--beam-every-ms",
      String(beamEveryMs),
    ], { onStderrLine: botLines.push, ...placement.clients });
    const botsPid = bots.pid;
    const take = async (): Promise<Sample> => {
      const atMs = performance.now();
      const serverCpus = servers.map((server) => readCpuSeconds(server.pid));
      const botsCpu = readCpuSeconds(botsPid);
      const perServer = await Promise.all(httpUrls.map(scrapeOne));
      return {
        atMs,
        serverCpu: serverCpus.reduce((sum, cpu) => sum + cpu, 0),
        serverCpus,
        botsCpu,
        metrics: perServer.flat(),
        perServer,
        redisCommands: layout.redis === null
          ? { scriptCalls: 0, total: 0 }
          : await layout.redis.commandsProcessed(),
      };
    };
    // As the bots' own watchdog: two connect timeouts of 30 s, warm-up, window, a minute more.
    const measuring = waitForLine(
      botLines.subscribe,
      /^bots: measuring/,
      120_000 + warmup * 1000,
      "warm-up end",
    );
    const measured = waitForLine(
      botLines.subscribe,
      /^bots: measured/,
      120_000 + (warmup + seconds) * 1000,
      "window end",
    );
    measured.catch(() => {}); // awaited below; a failure of `measuring` must not leave it unhandled
    await measuring;
    const begin = await take();
    await measured;
    const end = await take();
    const memories = servers.map((server) => readMemoryMiB(server.pid));
    const memory = {
      rssMiB: round(memories.reduce((sum, one) => sum + one.rssMiB, 0), 1),
      peakRssMiB: round(memories.reduce((sum, one) => sum + one.peakRssMiB, 0), 1),
    };
    const [status, stdout] = await Promise.all([bots.status, bots.stdout]);
    if (!status.success) throw new Error(`Bots exited with ${status.code}`);
    const summary: BotsSummary = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    const metric = (sample: Sample, name: string) => sumSeries(sample.metrics, name);
    const delta = (name: string) => metric(end, name) - metric(begin, name);
    const tickName = "game_server_tick_duration_seconds";
    const before = histogramBuckets(begin.metrics, tickName, { game: "arena" });
    const after = histogramBuckets(end.metrics, tickName, { game: "arena" });
    const ticks = delta(`${tickName}_count`);
    const windowSeconds = (end.atMs - begin.atMs) / 1000;
    const seconds1000 = (value: number | null) => value === null ? null : value * 1000;
    const processes = servers.map((_, index) => {
      const was = begin.perServer[index] ?? [], now = end.perServer[index] ?? [];
      return {
        cpuPerSecond: round(
          ((end.serverCpus[index] ?? 0) - (begin.serverCpus[index] ?? 0)) / windowSeconds,
          3,
        ),
        tickP99Ms: roundOrNull(
          seconds1000(quantileBetween({
            before: histogramBuckets(was, tickName, { game: "arena" }),
            after: histogramBuckets(now, tickName, { game: "arena" }),
          }, 0.99)),
          3,
        ),
        snapshotsSentPerSecond: Math.round(
          (sumSeries(now, "game_server_snapshots_sent_total") -
            sumSeries(was, "game_server_snapshots_sent_total")) / windowSeconds,
        ),
      };
    });
    return {
      processes,
      redis: layout.redis === null ? null : {
        scriptCallsPerSecond: round(
          (end.redisCommands.scriptCalls - begin.redisCommands.scriptCalls) / windowSeconds,
          2,
        ),
        // Less the two INFO commands of each sample.
        commandsPerSecond: round(
          (end.redisCommands.total - begin.redisCommands.total - 2) / windowSeconds,
          2,
        ),
      },
      bots: summary,
      window: {
        seconds: windowSeconds,
        serverCpu: end.serverCpu - begin.serverCpu,
        botsCpu: end.botsCpu - begin.botsCpu,
      },
      memory,
      tick: {
        p50Ms: seconds1000(quantileBetween({ before, after }, 0.5)),
        p99Ms: seconds1000(quantileBetween({ before, after }, 0.99)),
        meanMs: ticks > 0 ? (delta(`${tickName}_sum`) * 1000) / ticks : null,
      },
      ticksDropped: delta("game_server_ticks_dropped_total"),
      snapshotsSkipped: delta("game_server_snapshots_skipped_total"),
      snapshotsSent: delta("game_server_snapshots_sent_total"),
      snapshotBytes: delta("game_server_snapshot_bytes_total"),
      messagesSent: delta("game_server_sent_messages_total"),
      clientsKicked: metric(end, "game_server_clients_kicked_total"),
      serverDecodeErrors: metric(end, "game_server_frame_decode_errors_total"),
    };
  } finally {
    await bots?.stop();
    await Promise.all(servers.map((server) => server.stop()));
  }
}

interface RawRun {
  clients: RawClientsSummary;
  seconds: number;
  serverCpu: number;
  clientsCpu: number;
  messagesSent: number;
  messagesReceived: number;
}

async function runRaw(
  clients: number,
  messageBytes: number,
  sendBytes: number,
  seconds: number,
  warmup: number,
  placement: Placement,
): Promise<RawRun> {
  const serverLines = new Lines("");
  const server = spawnDeno([
    "run",
    ...PERMISSIONS,
    "tests/load/raw_broadcast.ts",
    "serve",
    "--message-bytes",
    String(Math.max(1, Math.round(messageBytes))),
    "--rate-hz",
    String(TICK_RATE_HZ),
    "--max-seconds",
    String(Math.ceil(warmup + seconds + 120)),
  ], { onStdoutLine: serverLines.push, onStderrLine: serverLines.push, ...placement.server });
  let child: DenoChild | undefined;
  try {
    const [, wsUrl = ""] = await waitForLine(
      serverLines.subscribe,
      /raw server on (ws:\/\/\S+)/,
      30_000,
      "the raw server",
    );
    const countersUrl = wsUrl.replace("ws:", "http:").replace(/\/ws$/, "/counters");
    const clientLines = new Lines("");
    child = spawnDeno([
      "run",
      ...PERMISSIONS,
      "tests/load/raw_broadcast.ts",
      "clients",
      "--url",
      wsUrl,
      "--count",
      String(clients),
      "--send-bytes",
      String(Math.max(1, Math.round(sendBytes))),
      "--rate-hz",
      String(TICK_RATE_HZ),
      "--duration",
      String(seconds),
      "--warmup",
      String(warmup),
    ], { onStderrLine: clientLines.push, ...placement.clients });
    const limitMs = 120_000 + (warmup + seconds) * 1000;
    const measuring = waitForLine(clientLines.subscribe, /measuring/, limitMs, "raw warm-up end");
    const measured = waitForLine(clientLines.subscribe, /measured/, limitMs, "raw window end");
    measured.catch(() => {});
    const clientsPid = child.pid;
    const clientsDone = Promise.all([child.status, child.stdout]);
    const take = async () => {
      const atMs = performance.now();
      const serverCpu = readCpuSeconds(server.pid);
      const clientsCpu = readCpuSeconds(clientsPid);
      const counters = await (await fetch(countersUrl)).json();
      return {
        atMs,
        serverCpu,
        clientsCpu,
        messagesOut: Number(counters.messagesOut),
        messagesIn: Number(counters.messagesIn),
      };
    };
    await measuring;
    const begin = await take();
    await measured;
    const end = await take();
    const [status, stdout] = await clientsDone;
    if (!status.success) throw new Error(`Raw clients exited with ${status.code}`);
    return {
      clients: JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}"),
      seconds: (end.atMs - begin.atMs) / 1000,
      serverCpu: end.serverCpu - begin.serverCpu,
      clientsCpu: end.clientsCpu - begin.clientsCpu,
      messagesSent: end.messagesOut - begin.messagesOut,
      messagesReceived: end.messagesIn - begin.messagesIn,
    };
  } finally {
    await child?.stop();
    await server.stop();
  }
}

/** Settings of {@linkcode runCapacityBenchmark}. */
export interface CapacityBenchmarkOptions {
  /**
   * Every bot fires the arena's hit-scan beam this often, ms (0: never).
   * @default 0
   */
  beamEveryMs?: number;
  /**
   * Measured seconds.
   * @default 20
   */
  seconds?: number;
  /**
   * Warm-up seconds after the last join.
   * @default 5
   */
  warmup?: number;
  /**
   * Bot workers (threads of the one bot process); by default 1 up to S3 and 2 for S4.
   */
  botWorkers?: number;
  /**
   * Niceness of the bot (and raw client) processes: on a machine they share with the server,
   * the server's ticks should not wait for them.
   * @default 10
   */
  botsNice?: number;
  /**
   * Pin the server to CPU 0 and the bots (and raw clients) to CPU 1, so the server has a core of
   * its own as in production; the bots then get one core at most.
   * @default false
   */
  pin?: boolean;
  /** Rooms instead of the scale's, to find how far a scale gets; the rest of the scale stays. */
  rooms?: number;
  /** V8 flags of the game server, e.g. `--max-semi-space-size=64` (not of the raw floor). */
  serverV8Flags?: string;
  /**
   * Also run the raw-broadcast floor.
   * @default true
   */
  raw?: boolean;
  /**
   * Interest management on the server (off: every client gets the whole room).
   * @default true
   */
  interest?: boolean;
  /**
   * The server processes and how the bots reach them.
   * @default one process, bots join at its socket
   */
  layout?: ServerLayout;
  /**
   * `light`: only every 10th bot decodes its snapshots (`bots.ts --decode-every 10`), the others
   * count bytes and acknowledge, for scales the full bots cannot keep up with.
   * @default "full"
   */
  bots?: "full" | "light";
  /** Record every room into this folder (the server's `--record`); off when unset. */
  recordDir?: string;
  /**
   * The bots' transport: WebSocket, or WebTransport (snapshots as datagrams; the raw floor
   * stays a WebSocket one).
   * @default "ws"
   */
  transport?: Transport;
}

/** The bots' transport in a run. */
export type Transport = "ws" | "wt";

/** Run one scale of the workload and its raw floor; returns the JSON line's object. */
export async function runCapacityBenchmark(
  scale: ScaleName,
  options: CapacityBenchmarkOptions = {},
): Promise<Record<string, unknown>> {
  const seconds = options.seconds ?? 20;
  const warmup = options.warmup ?? 5;
  const { playersPerRoom, npcsPerRoom } = SCALES[scale];
  const rooms = options.rooms ?? SCALES[scale].rooms;
  const clients = rooms * playersPerRoom;
  const botWorkers = options.botWorkers ?? (clients > 1000 ? 2 : 1);
  log(`${scale}: ${rooms} rooms × ${playersPerRoom} players, ${npcsPerRoom} NPCs a room`);
  const botsNice = options.botsNice ?? 10;
  const placement: Placement = options.pin === true
    ? { server: { cpus: "0" }, clients: { nice: botsNice, cpus: "1" } }
    : { server: {}, clients: { nice: botsNice } };
  const rawPlacement: Placement = { server: { ...placement.server }, clients: placement.clients };
  if (options.serverV8Flags !== undefined) placement.server.v8Flags = options.serverV8Flags;
  const interest = options.interest ?? true;
  const beamEveryMs = options.beamEveryMs ?? 0;
  const transport = options.transport ?? "ws";
  const game = await runGame(
    scale,
    rooms,
    seconds,
    warmup,
    botWorkers,
    placement,
    interest,
    beamEveryMs,
    options.layout,
    options.bots === "light" ? 10 : 1,
    options.recordDir,
    transport,
  );
  const bots = game.bots;
  const serverCpuPerSecond = game.window.serverCpu / game.window.seconds;
  const botsCpuPerSecond = game.window.botsCpu / game.window.seconds;
  const delivered = bots.perClientPerSecond.snapshots * bots.clients.measured *
    bots.measuredSeconds;
  const cpuMicrosPerSnapshot = delivered > 0 ? (game.window.serverCpu * 1e6) / delivered : null;
  const snapshotBytesMean = game.snapshotsSent > 0 ? game.snapshotBytes / game.snapshotsSent : 0;
  let raw: Record<string, unknown> | null = null;
  let ratioToRawFloor: number | null = null;
  if (options.raw !== false && snapshotBytesMean > 0) {
    log(
      `${scale}: raw floor, ${clients} clients × ${TICK_RATE_HZ} Hz × ${
        Math.round(snapshotBytesMean)
      } B`,
    );
    const sendBytes = bots.perClientPerSecond.messagesOut > 0
      ? bots.perClientPerSecond.bytesOut / bots.perClientPerSecond.messagesOut
      : 20;
    const floor = await runRaw(
      clients,
      snapshotBytesMean,
      sendBytes,
      seconds,
      Math.min(warmup, 3),
      rawPlacement,
    );
    const floorMicros = floor.messagesSent > 0
      ? (floor.serverCpu * 1e6) / floor.messagesSent
      : null;
    raw = {
      cpuPerSecond: round(floor.serverCpu / floor.seconds, 3),
      messageBytes: Math.round(snapshotBytesMean),
      clientSendBytes: Math.round(sendBytes),
      clients: floor.clients.clients,
      messagesPerClientPerSecond: floor.clients.perClientPerSecond.messagesIn,
      // What the floor received from each client: it must match the game's, or the floor did
      // less work than the game for the same snapshots.
      receivedPerClientPerSecond: round(
        floor.messagesReceived / Math.max(1, floor.clients.clients) / floor.seconds,
        1,
      ),
      cpuMicrosPerMessage: roundOrNull(floorMicros, 2),
      clientsCpuPerSecond: round(floor.clientsCpu / floor.seconds, 3),
    };
    if (floorMicros !== null && cpuMicrosPerSnapshot !== null) {
      ratioToRawFloor = round(cpuMicrosPerSnapshot / floorMicros, 2);
    }
  }
  const tickBudgetMs = 1000 / TICK_RATE_HZ;
  const botLag = bots.botLoopLagMs.p99 ?? 0;
  const serverBound = serverCpuPerSecond >= 0.9 || game.ticksDropped > 0 ||
    (game.tick.p99Ms ?? 0) > tickBudgetMs;
  const botCores = options.pin === true ? 1 : Math.min(botWorkers, navigator.hardwareConcurrency);
  const botsBound = botsCpuPerSecond >= 0.9 * botCores || botLag > tickBudgetMs;
  const machineBound = serverCpuPerSecond + botsCpuPerSecond >= 1.8;
  const limitedBy = serverBound && botsBound
    ? "server and bots"
    : serverBound
    ? "server"
    : botsBound
    ? "bots"
    : machineBound
    ? "machine (2 cores shared)"
    : "none";
  return {
    scale,
    transport,
    rooms,
    fullScale: rooms === SCALES[scale].rooms,
    playersPerRoom,
    npcsPerRoom,
    totalClients: clients,
    tickRateHz: TICK_RATE_HZ,
    warmupSeconds: warmup,
    measuredSeconds: round(game.window.seconds, 1),
    beamEveryMs,
    server: {
      cpuPerSecond: round(serverCpuPerSecond, 3),
      interestManagement: options.interest ?? true,
      v8Flags: options.serverV8Flags ?? null,
      rssMiB: game.memory.rssMiB,
      peakRssMiB: game.memory.peakRssMiB,
      tickP50Ms: roundOrNull(game.tick.p50Ms, 3),
      tickP99Ms: roundOrNull(game.tick.p99Ms, 3),
      tickMeanMs: roundOrNull(game.tick.meanMs, 3),
      ticksDropped: game.ticksDropped,
      snapshotsSkipped: game.snapshotsSkipped,
      snapshotBytesMean: Math.round(snapshotBytesMean),
      messagesSentPerSecond: Math.round(game.messagesSent / game.window.seconds),
      clientsKicked: game.clientsKicked,
      decodeErrors: game.serverDecodeErrors,
    },
    clients: {
      connected: bots.clients.connected,
      failed: bots.clients.failed,
      closedByServer: bots.clients.closedByServer,
      bytesPerClientPerSecond: bots.perClientPerSecond.bytesIn,
      messagesPerClientPerSecond: bots.perClientPerSecond.messagesIn,
      sentPerClientPerSecond: bots.perClientPerSecond.messagesOut,
      snapshotsPerClientPerSecond: bots.perClientPerSecond.snapshots,
      rttP50Ms: bots.rttMs.p50,
      rttP99Ms: bots.rttMs.p99,
      snapshotJitterP99Ms: bots.snapshotIntervalJitterMs.p99,
      decodeErrors: bots.decodeErrors,
      baselineMisses: bots.baselineMisses,
    },
    bots: {
      cpuPerSecond: round(botsCpuPerSecond, 3),
      workers: botWorkers,
      nice: botsNice,
      pinned: options.pin === true,
      mode: options.bots ?? "full",
      loopLagP99Ms: bots.botLoopLagMs.p99,
    },
    raw,
    cpuMicrosPerSnapshot: roundOrNull(cpuMicrosPerSnapshot, 2),
    processes: game.processes,
    redis: game.redis,
    matchmakeMs: bots.matchmakeMs.samples > 0 ? bots.matchmakeMs : null,
    ratioToRawFloor,
    targets: {
      tickP99Under5Ms: game.tick.p99Ms !== null && game.tick.p99Ms < 5,
      zeroDecodeErrors: bots.decodeErrors === 0 && game.serverDecodeErrors === 0,
      cpuAtMost1_5xFloor: ratioToRawFloor !== null && ratioToRawFloor <= 1.5,
    },
    limitedBy,
  };
}

if (import.meta.main) {
  const flags = new Flags(Deno.args, [
    "scale",
    "seconds",
    "warmup",
    "bot-workers",
    "bots-nice",
    "pin",
    "rooms",
    "server-v8-flags",
    "raw",
    "interest",
    "repeat",
    "processes",
    "bots",
    "compare",
    "beam-every-ms",
    "beam-ab",
    "record",
    "transport",
  ]);
  const transportFlag = flags.string("transport", "ws");
  if (transportFlag !== "ws" && transportFlag !== "wt" && transportFlag !== "both") {
    throw new RangeError(`Invalid --transport ${transportFlag}: use ws, wt or both`);
  }
  // `both` runs WebSocket then WebTransport in each repeat, so the two share the machine's state.
  const transports: Transport[] = transportFlag === "both" ? ["ws", "wt"] : [transportFlag];
  const scale = flags.string("scale", "S1");
  if (!(scale in SCALES)) {
    throw new RangeError(`Invalid --scale ${scale}: use ${Object.keys(SCALES).join(", ")}`);
  }
  const options: CapacityBenchmarkOptions = {
    seconds: flags.number("seconds", 20, 1, 600),
    warmup: flags.number("warmup", 5, 0, 120),
    raw: flags.string("raw", "yes") !== "no",
    botsNice: flags.number("bots-nice", 10, 0, 19),
    pin: flags.string("pin", "no") === "yes",
    interest: flags.string("interest", "on") !== "off",
    bots: flags.string("bots", "full") === "light" ? "light" : "full",
  };
  if (flags.has("rooms")) options.rooms = flags.number("rooms", 1, 1, 100);
  if (flags.has("server-v8-flags")) options.serverV8Flags = flags.string("server-v8-flags", "");
  if (flags.has("bot-workers")) options.botWorkers = flags.number("bot-workers", 1, 1, 8);
  if (flags.has("record")) options.recordDir = flags.string("record", "");
  const repeat = flags.number("repeat", 1, 1, 20);
  if (flags.has("processes")) {
    await compareProcesses(
      scale as ScaleName,
      flags.number("processes", 2, 1, 16),
      repeat,
      options,
      flags.string("compare", "yes") !== "no",
    );
    Deno.exit();
  }
  const beamEveryMs = flags.number("beam-every-ms", 0, 0, 60_000);
  const beamAb = flags.string("beam-ab", "no") === "yes";
  // A/B: each repetition runs without beams, then with them (500 ms unless given).
  const sides = beamAb ? [0, beamEveryMs || 500] : [beamEveryMs];
  const ratios = new Map<Transport, number[]>(transports.map((transport) => [transport, []]));
  const micros = new Map<Transport, number[]>(transports.map((transport) => [transport, []]));
  const tickP99ByBeam = new Map<number, number[]>(sides.map((side) => [side, []]));
  for (let run = 0; run < repeat; run++) {
    for (const side of sides) {
      for (const transport of transports) {
        try {
          const result = await runCapacityBenchmark(scale as ScaleName, {
            ...options,
            beamEveryMs: side,
            transport,
          });
          console.log(JSON.stringify(result));
          if (typeof result.ratioToRawFloor === "number") {
            ratios.get(transport)?.push(result.ratioToRawFloor);
          }
          if (typeof result.cpuMicrosPerSnapshot === "number") {
            micros.get(transport)?.push(result.cpuMicrosPerSnapshot);
          }
          const server = result.server as { tickP99Ms?: number | null } | undefined;
          if (typeof server?.tickP99Ms === "number") {
            tickP99ByBeam.get(side)?.push(server.tickP99Ms);
          }
        } catch (error) {
          // Still one JSON line, so a table of runs shows which scale did not finish and why.
          console.log(JSON.stringify({ scale, transport, error: String(error) }));
          Deno.exitCode = 1;
        }
      }
    }
  }
  if (beamAb) {
    console.log(JSON.stringify({
      scale,
      runs: repeat,
      tickP99MsWithoutBeams: spread(tickP99ByBeam.get(sides[0] ?? 0) ?? []),
      tickP99MsWithBeams: spread(tickP99ByBeam.get(sides[1] ?? 0) ?? []),
      beamEveryMs: sides[1],
    }));
  }
  if (repeat > 1 || transports.length > 1) {
    for (const transport of transports) {
      const transportRatios = ratios.get(transport) ?? [];
      console.log(JSON.stringify({
        scale,
        transport,
        runs: repeat,
        interestManagement: options.interest,
        ratioToRawFloor: spread(transportRatios),
        cpuMicrosPerSnapshot: spread(micros.get(transport) ?? []),
        runsAtMost1_5x: transportRatios.filter((ratio) => ratio <= 1.5).length,
      }));
    }
  }
}

/** Minimum, median and maximum of `values`, or null when there are none. */
function spread(values: number[]): { min: number; median: number; max: number } | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1
    ? sorted[middle] ?? 0
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { min: sorted[0] ?? 0, median: round(median, 3), max: sorted.at(-1) ?? 0 };
}

/**
 * `--processes N`: one process (the embedded default) against a cluster of N on a private
 * redis-server, interleaved in one invocation, bots matchmaking in both; prints each run's line
 * and then the cluster's CPU per delivered snapshot (summed over its processes) over the one
 * process's; `--processes 1` compares the embedded default with one process on Redis (the cost of
 * cluster mode itself). `--compare no` runs the cluster alone (S4, which one process cannot carry).
 */
async function compareProcesses(
  scale: ScaleName,
  processes: number,
  repeat: number,
  options: CapacityBenchmarkOptions,
  withOneProcess: boolean,
): Promise<void> {
  await using redis = await startRedis();
  const commandsProcessed = async (): Promise<RedisCommandCounts> => {
    const stats = await redis.command("INFO", "stats");
    const commands = await redis.command("INFO", "commandstats");
    const calls = (command: string) =>
      Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(commands)?.[1] ?? 0);
    return {
      scriptCalls: calls("evalsha") + calls("eval"),
      total: Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? NaN),
    };
  };
  const ratios: number[] = [];
  for (let run = 0; run < repeat; run++) {
    const micros: Record<string, number | null> = {};
    const layouts: [string, ServerLayout][] = [
      ["one", { processes: 1, redis: null, matchmake: true }],
      [`cluster${processes}`, {
        processes,
        redis: { url: redis.url, commandsProcessed },
        matchmake: true,
      }],
    ];
    for (const [name, layout] of withOneProcess ? layouts : layouts.slice(1)) {
      log(`${scale}: ${name === "one" ? "one process" : `cluster of ${processes} on Redis`}`);
      try {
        const result = await runCapacityBenchmark(scale, { ...options, raw: false, layout });
        console.log(JSON.stringify({ layout: name, ...result }));
        micros[name] = typeof result.cpuMicrosPerSnapshot === "number"
          ? result.cpuMicrosPerSnapshot
          : null;
      } catch (error) {
        console.log(JSON.stringify({ scale, layout: name, error: String(error) }));
        Deno.exitCode = 1;
      }
      await redis.command("FLUSHALL");
    }
    const one = micros.one, cluster = micros[`cluster${processes}`];
    if (typeof one === "number" && typeof cluster === "number") ratios.push(cluster / one);
  }
  console.log(JSON.stringify({
    scale,
    processes,
    runs: repeat,
    clusterCpuPerSnapshotOverOneProcess: spread(ratios.map((ratio) => round(ratio, 3))),
  }));
}
