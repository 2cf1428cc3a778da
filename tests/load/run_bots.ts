/**
 * Runs bot fleets (in this thread, or one per `Worker`), prints a progress line a second, and
 * sums up the measured window: what `deno task bots` and the capacity benchmark use.
 * @module
 */
import {
  BotFleet,
  type BotFleetOptions,
  emptyFleetCounters,
  type FleetCounters,
  type FleetSecond,
  type FleetWindow,
} from "./bot_fleet.ts";
import { perAddressLimitHint } from "./upgrade_probe.ts";
import { LatencyHistogram } from "./latency_histogram.ts";

/** Settings of {@linkcode runBots}. */
export interface RunBotsOptions extends Omit<BotFleetOptions, "namePrefix"> {
  /** Length of the measured window, ms. */
  durationMs: number;
  /**
   * Time between the last join and the measured window, ms.
   * @default 0
   */
  warmupMs?: number;
  /**
   * Fleets run in `Worker`s, rooms dealt out round-robin; 1 runs the bots in this thread.
   * @default 1
   */
  workers?: number;
  /** Told a progress line each second. */
  onProgress?: (line: string) => void;
  /** Told when the bots have joined, when the measured window begins and when it ends. */
  onPhase?: (phase: "connected" | "measuring" | "measured") => void;
  /** Aborting ends the run early; the summary covers what was measured. */
  signal?: AbortSignal;
}

/** The JSON summary of a bot run; rates are over the measured window. */
export interface BotsSummary {
  url: string;
  game: string;
  rooms: number;
  playersPerRoom: number;
  inputHz: number;
  workers: number;
  connectSeconds: number;
  warmupSeconds: number;
  measuredSeconds: number;
  clients: {
    requested: number;
    connected: number;
    failed: number;
    /** Open when the measured window began; the per-client rates divide by this. */
    measured: number;
    failedBy: Record<string, number>;
    /** The server's reason for each kind of failure in `failedBy`. */
    refusals: Record<string, string>;
    closedByServer: Record<string, number>;
  };
  /** Mean over the bots of what each received and sent a second. */
  perClientPerSecond: {
    bytesIn: number;
    messagesIn: number;
    snapshots: number;
    bytesOut: number;
    messagesOut: number;
  };
  rttMs: LatencySummary;
  snapshotIntervalJitterMs: LatencySummary;
  /** Lateness of the bots' timer loop: large values mean the bots, not the server, are the limit. */
  botLoopLagMs: LatencySummary;
  decodeErrors: number;
  baselineMisses: number;
  /** Time of each `POST /matchmake` (none when the bots join directly). */
  matchmakeMs: LatencySummary;
}

/** Quantiles of one latency, ms. */
export interface LatencySummary {
  p50: number | null;
  p99: number | null;
  max: number | null;
  samples: number;
}

/** One fleet, local or in a worker, behind the same async surface. */
interface FleetHandle {
  connect(): Promise<void>;
  start(): Promise<void>;
  counters(): Promise<FleetCounters>;
  second(): Promise<FleetSecond>;
  beginWindow(): Promise<void>;
  endWindow(): Promise<FleetWindow>;
  stop(): Promise<void>;
  dispose(): void;
}

function localFleet(options: BotFleetOptions): FleetHandle {
  const fleet = new BotFleet(options);
  return {
    connect: () => fleet.connect(),
    start: () => Promise.resolve(fleet.start()),
    counters: () => Promise.resolve(fleet.counters()),
    second: () => Promise.resolve(fleet.second()),
    beginWindow: () => Promise.resolve(fleet.beginWindow()),
    endWindow: () => Promise.resolve(fleet.endWindow()),
    stop: () => fleet.stop(),
    dispose: () => {},
  };
}

function workerFleet(options: BotFleetOptions): FleetHandle {
  const worker = new Worker(new URL("./_bot_worker.ts", import.meta.url).href, { type: "module" });
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent) => {
    const data: { id: number; ok: boolean; result?: unknown; error?: string } = event.data;
    const call = pending.get(data.id);
    if (call === undefined) return;
    pending.delete(data.id);
    if (data.ok) call.resolve(data.result);
    else call.reject(new Error(`Bot worker failed: ${data.error}`));
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    for (const call of pending.values()) {
      call.reject(new Error(`Bot worker died: ${event.message}`));
    }
    pending.clear();
  };
  const call = <T>(method: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      worker.postMessage({ id, method, options: method === "init" ? options : undefined });
    });
  const ready = call<void>("init");
  return {
    connect: () => ready.then(() => call<void>("connect")),
    start: () => call<void>("start"),
    counters: () => call<FleetCounters>("counters"),
    second: () => call<FleetSecond>("second"),
    beginWindow: () => call<void>("beginWindow"),
    endWindow: () => call<FleetWindow>("endWindow"),
    stop: () => call<void>("stop"),
    dispose: () => worker.terminate(),
  };
}

/** Sleep `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}

/**
 * One line per kind of join failure with its count and the server's reason (HTTP status for a
 * refused upgrade), and when the per-address limit refused bots, the line saying how to lift it.
 */
export function describeFailures(clients: BotsSummary["clients"]): string[] {
  const lines: string[] = [];
  for (const [kind, count] of Object.entries(clients.failedBy)) {
    const status = /^http_(\d+)$/.exec(kind)?.[1];
    const what = status !== undefined ? `refused with HTTP ${status}` : `failed (${kind})`;
    const reason = clients.refusals[kind];
    lines.push(
      `bots: ${count} of ${clients.requested} ${what}${reason ? `: ${reason}` : ""}`,
    );
  }
  const hint = perAddressLimitHint(clients.refusals["http_429"] ?? "", clients.requested);
  if (hint !== undefined) lines.push(hint);
  return lines;
}

function sumCounters(all: readonly FleetCounters[]): FleetCounters {
  const total: FleetCounters = emptyFleetCounters();
  for (const one of all) {
    total.requested += one.requested;
    total.connected += one.connected;
    total.failed += one.failed;
    total.open += one.open;
    total.bytesIn += one.bytesIn;
    total.messagesIn += one.messagesIn;
    total.bytesOut += one.bytesOut;
    total.messagesOut += one.messagesOut;
    total.snapshots += one.snapshots;
    total.decodeErrors += one.decodeErrors;
    total.baselineMisses += one.baselineMisses;
    const matchmake = new LatencyHistogram(total.matchmake);
    matchmake.add(one.matchmake);
    total.matchmake = matchmake.counts;
    for (const [key, count] of Object.entries(one.failedBy)) {
      total.failedBy[key] = (total.failedBy[key] ?? 0) + count;
    }
    for (const [key, reason] of Object.entries(one.refusals)) total.refusals[key] ??= reason;
    for (const [key, count] of Object.entries(one.closedByServer)) {
      total.closedByServer[key] = (total.closedByServer[key] ?? 0) + count;
    }
  }
  return total;
}

function latency(histogram: LatencyHistogram): LatencySummary {
  return {
    p50: histogram.quantile(0.5),
    p99: histogram.quantile(0.99),
    max: histogram.count === 0 ? null : Math.round(histogram.maxMs * 10) / 10,
    samples: histogram.count,
  };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const fixed = (value: number | null) => value === null ? "-" : value.toFixed(1);

/**
 * Connect `rooms × playersPerRoom` bots, let them play through the warm-up and the measured
 * window, close them, and sum up the window. Bounded: the connect phase by `connectTimeoutMs`,
 * the rest by `warmupMs + durationMs`.
 */
export async function runBots(options: RunBotsOptions): Promise<BotsSummary> {
  const workers = Math.max(1, Math.min(options.workers ?? 1, options.rooms));
  const fleets: FleetHandle[] = [];
  const { onProgress, onPhase, signal, durationMs, warmupMs = 0, workers: _, ...fleetOptions } =
    options;
  if (workers === 1) {
    fleets.push(localFleet({ ...fleetOptions, namePrefix: "bot" }));
  } else {
    for (let worker = 0; worker < workers; worker++) {
      const rooms = Math.floor(options.rooms / workers) +
        (worker < options.rooms % workers ? 1 : 0);
      fleets.push(workerFleet({
        ...fleetOptions,
        rooms,
        seed: (options.seed ?? 1) * 1000 + worker,
        namePrefix: `w${worker}bot`,
      }));
    }
  }
  const progress = { lastMs: 0, last: sumCounters([]) };
  let progressTimer: ReturnType<typeof setInterval> | undefined;
  try {
    const runStartMs = performance.now();
    progress.lastMs = runStartMs;
    // Progress lines start with the joins, so a connect phase that drags on is visible.
    let reporting = false;
    progressTimer = setInterval(async () => {
      if (reporting || onProgress === undefined) return;
      reporting = true;
      try {
        const [counters, seconds] = await Promise.all([
          Promise.all(fleets.map((fleet) => fleet.counters())).then(sumCounters),
          Promise.all(fleets.map((fleet) => fleet.second())),
        ]);
        const nowMs = performance.now();
        const elapsed = Math.max((nowMs - progress.lastMs) / 1000, 1e-3);
        const open = Math.max(counters.open, 1);
        const worst = (key: keyof FleetSecond) =>
          seconds.reduce<number | null>((max, second) => {
            const value = second[key];
            return value === null ? max : Math.max(max ?? 0, value);
          }, null);
        onProgress(
          `bots t=${
            ((nowMs - runStartMs) / 1000).toFixed(0)
          }s open=${counters.open}/${counters.requested} ` +
            `failed=${counters.failed} ` +
            `in=${
              ((counters.messagesIn - progress.last.messagesIn) / elapsed / open).toFixed(1)
            }msg/s/client ` +
            `${
              ((counters.bytesIn - progress.last.bytesIn) / elapsed / open / 1024).toFixed(1)
            }KB/s/client ` +
            `rtt_p99=${fixed(worst("rttP99Ms"))}ms jitter_p99=${fixed(worst("jitterP99Ms"))}ms ` +
            `loop_lag_p99=${
              fixed(worst("loopLagP99Ms"))
            }ms decode_errors=${counters.decodeErrors} ` +
            `server_closes=${JSON.stringify(counters.closedByServer)}`,
        );
        progress.last = counters;
        progress.lastMs = nowMs;
      } finally {
        reporting = false;
      }
    }, 1000);
    await Promise.all(fleets.map((fleet) => fleet.connect()));
    const connectSeconds = round((performance.now() - runStartMs) / 1000, 2);
    await Promise.all(fleets.map((fleet) => fleet.start()));
    onPhase?.("connected");
    await sleep(warmupMs, signal);
    await Promise.all(fleets.map((fleet) => fleet.beginWindow()));
    onPhase?.("measuring");
    await sleep(durationMs, signal);
    const windows = await Promise.all(fleets.map((fleet) => fleet.endWindow()));
    onPhase?.("measured");
    clearInterval(progressTimer);
    progressTimer = undefined;
    const counters = sumCounters(await Promise.all(fleets.map((fleet) => fleet.counters())));
    await Promise.all(fleets.map((fleet) => fleet.stop()));
    const rtt = new LatencyHistogram();
    const jitter = new LatencyHistogram();
    const loopLag = new LatencyHistogram();
    let windowMs = 0;
    let measured = 0;
    const sums = { bytesIn: 0, messagesIn: 0, bytesOut: 0, messagesOut: 0, snapshots: 0 };
    let decodeErrors = 0;
    let baselineMisses = 0;
    for (const window of windows) {
      rtt.add(window.rtt);
      jitter.add(window.jitter);
      loopLag.add(window.loopLag);
      windowMs = Math.max(windowMs, window.durationMs);
      measured += window.openAtBegin;
      sums.bytesIn += window.bytesIn;
      sums.messagesIn += window.messagesIn;
      sums.bytesOut += window.bytesOut;
      sums.messagesOut += window.messagesOut;
      sums.snapshots += window.snapshots;
      decodeErrors += window.decodeErrors;
      baselineMisses += window.baselineMisses;
    }
    const perClient = (total: number) =>
      measured === 0 ? 0 : round(total / measured / Math.max(windowMs / 1000, 1e-3), 1);
    return {
      url: options.url,
      game: options.game ?? "arena",
      rooms: options.rooms,
      playersPerRoom: options.playersPerRoom,
      inputHz: options.inputHz ?? 30,
      workers,
      connectSeconds,
      warmupSeconds: round(warmupMs / 1000, 2),
      measuredSeconds: round(windowMs / 1000, 2),
      clients: {
        requested: counters.requested,
        connected: counters.connected,
        failed: counters.failed,
        measured,
        failedBy: counters.failedBy,
        refusals: counters.refusals,
        closedByServer: counters.closedByServer,
      },
      perClientPerSecond: {
        bytesIn: perClient(sums.bytesIn),
        messagesIn: perClient(sums.messagesIn),
        snapshots: perClient(sums.snapshots),
        bytesOut: perClient(sums.bytesOut),
        messagesOut: perClient(sums.messagesOut),
      },
      rttMs: latency(rtt),
      snapshotIntervalJitterMs: latency(jitter),
      botLoopLagMs: latency(loopLag),
      decodeErrors,
      baselineMisses,
      matchmakeMs: latency(new LatencyHistogram(counters.matchmake)),
    };
  } finally {
    if (progressTimer !== undefined) clearInterval(progressTimer);
    await Promise.all(fleets.map((fleet) => fleet.stop().catch(() => {})));
    for (const fleet of fleets) fleet.dispose();
  }
}
