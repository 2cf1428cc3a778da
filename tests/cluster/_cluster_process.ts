/**
 * Real server processes (`server/main.ts` with the arena game) in cluster mode for the cluster
 * tests: each on a free port, all on one private redis-server, short leases.
 * @module
 */
import { type DenoChild, spawnDeno } from "../load/_child.ts";

/** The secret every test process shares (seats and reconnect tokens). */
export const TEST_SECRET = "cluster-test-secret-0123456789abcdef";

/** Settings of {@linkcode startClusterProcess}. */
export interface ClusterProcessOptions {
  redisUrl: string;
  /** @default 1000 */
  leaseTtlMs?: number;
  /** @default 200 */
  leaseRefreshMs?: number;
  /** @default 3000 */
  seatTtlMs?: number;
  /** @default 2 */
  drainSeconds?: number;
  /** @default 4 */
  maxPlayers?: number;
  /** @default 10 */
  tickRateHz?: number;
  /** Port to bind; default a free one. */
  port?: number;
  /** More server flags, e.g. `["--interest", "off"]`. */
  extraArgs?: string[];
  /**
   * Run with Deno's `--unstable-net`, so the process also listens for WebTransport.
   * @default false
   */
  webTransport?: boolean;
}

/** A running server process of the cluster. */
export interface ClusterProcess {
  readonly child: DenoChild;
  readonly pid: number;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly wsUrl: string;
  readonly processId: string;
  /** Every line it wrote, for failure messages. */
  readonly lines: string[];
  /** Send a signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  signal(signal: Deno.Signal): void;
  /** Stop it (SIGINT-like shutdown via SIGTERM then SIGKILL) and wait. */
  stop(): Promise<void>;
}

/** Start one cluster process and wait until it has registered. */
export async function startClusterProcess(options: ClusterProcessOptions): Promise<ClusterProcess> {
  const lines: string[] = [];
  let announce: (value: { url: string; processId: string }) => void = () => {};
  const announced = new Promise<{ url: string; processId: string }>((resolve) => {
    announce = resolve;
  });
  let url = "";
  const child = spawnDeno([
    "run",
    ...(options.webTransport === true ? ["--unstable-net"] : []),
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "server/main.ts",
    "--port",
    String(options.port ?? 0),
    "--redis",
    options.redisUrl,
    "--secret",
    TEST_SECRET,
    "--lease-ttl-ms",
    String(options.leaseTtlMs ?? 1000),
    "--lease-refresh-ms",
    String(options.leaseRefreshMs ?? 200),
    "--seat-ttl-ms",
    String(options.seatTtlMs ?? 3000),
    "--drain-seconds",
    String(options.drainSeconds ?? 2),
    "--max-players",
    String(options.maxPlayers ?? 4),
    "--tick-rate",
    String(options.tickRateHz ?? 10),
    "--npcs",
    "0",
    "--max-connections-per-address",
    "10000",
    "--rooms-per-address-per-minute",
    "100000",
    ...(options.extraArgs ?? []),
  ], {
    onStdoutLine: (line) => {
      lines.push(line);
      const server = /^Arena server on (http:\/\/\S+)/.exec(line);
      if (server !== null) url = server[1] ?? "";
      const cluster = /^Cluster process ([a-z0-9]+) /.exec(line);
      if (cluster !== null) announce({ url, processId: cluster[1] ?? "" });
    },
    onStderrLine: (line) => lines.push(line),
  });
  const started = await Promise.race([
    announced,
    child.status.then(() => null),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000)),
  ]);
  if (started === null) {
    await child.stop(1000);
    throw new Error(`Cannot start a cluster process:\n${lines.join("\n")}`);
  }
  return {
    child,
    pid: child.pid,
    url: started.url,
    wsUrl: `${started.url.replace("http:", "ws:")}/ws`,
    processId: started.processId,
    lines,
    signal(signal) {
      Deno.kill(child.pid, signal);
    },
    async stop() {
      try {
        Deno.kill(child.pid, "SIGCONT");
      } catch {
        // Gone already.
      }
      await child.stop(3000);
    },
  };
}

/** Start `count` processes at once. */
export function startClusterProcesses(
  count: number,
  options: ClusterProcessOptions,
): Promise<ClusterProcess[]> {
  return Promise.all(Array.from({ length: count }, () => startClusterProcess(options)));
}

/** Poll `check` every 50 ms until it returns true or `timeoutMs` passes; false on timeout. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadlineMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
