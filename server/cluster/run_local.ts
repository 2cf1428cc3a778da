/**
 * `deno task cluster -- --processes N [--port 8000] [--redis URL] [server flags…]`: a local
 * cluster of N server processes on consecutive ports, sharing a private `redis-server` child on
 * 127.0.0.1 (or the Redis at `--redis`). Other flags are passed to every server. Ctrl-C stops
 * them all, then Redis.
 * @module
 */
import { freePort, spawnRedisServer, stopChild } from "./redis_server.ts";
import { randomId } from "./room_directory.ts";

/** What `deno task cluster` was asked for. */
export interface LocalClusterSettings {
  processes: number;
  firstPort: number;
  /** Redis to use; null starts a private one. */
  redisUrl: string | null;
  /** Shared secret; generated for the run when not given. */
  secret: string;
  /** Flags passed through to every server process. */
  serverArgs: string[];
}

/** Read the runner's own flags; everything else goes to the servers. */
export function parseLocalClusterArgs(args: readonly string[]): LocalClusterSettings {
  const settings: LocalClusterSettings = {
    processes: 2,
    firstPort: 8000,
    redisUrl: null,
    secret: "",
    serverArgs: [],
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--") continue; // `deno task cluster -- …` passes it on
    const match = /^--(processes|port|redis|secret)(?:=(.*))?$/.exec(arg);
    if (match === null) {
      settings.serverArgs.push(arg);
      continue;
    }
    const value = match[2] ?? args[++index];
    if (value === undefined) throw new TypeError(`Cannot parse argument ${arg}: missing value`);
    if (match[1] === "processes" || match[1] === "port") {
      const parsed = Number(value);
      const [min, max] = match[1] === "processes" ? [1, 64] : [1, 65_000];
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        throw new RangeError(
          `Invalid --${match[1]}: ${value}, expected an integer in ${min}..${max}`,
        );
      }
      if (match[1] === "processes") settings.processes = parsed;
      else settings.firstPort = parsed;
    } else if (match[1] === "redis") {
      settings.redisUrl = value;
    } else {
      settings.secret = value;
    }
  }
  settings.secret ||= Deno.env.get("GAME_SECRET") || `local-${randomId(32)}`;
  return settings;
}

async function startPrivateRedis(): Promise<{ url: string; child: Deno.ChildProcess }> {
  const port = freePort();
  try {
    const child = await spawnRedisServer("redis-server", port, "inherit");
    return { url: `redis://127.0.0.1:${port}`, child };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        "Cannot start redis-server: it is not installed. Install it with " +
          "`apt-get install redis-server` (Debian, Ubuntu), or pass --redis redis://HOST:PORT",
      );
    }
    throw error;
  }
}

/** Copy a child's output to ours, each line prefixed with `[tag]`. */
async function forward(stream: ReadableStream<Uint8Array>, tag: string, to: "out" | "err") {
  const decoder = new TextDecoder();
  let partial = "";
  for await (const bytes of stream) {
    partial += decoder.decode(bytes, { stream: true });
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) (to === "out" ? console.log : console.error)(`[${tag}] ${line}`);
  }
}

if (import.meta.main) {
  const settings = parseLocalClusterArgs(Deno.args);
  let redis: { url: string; child: Deno.ChildProcess | null };
  try {
    redis = settings.redisUrl === null
      ? await startPrivateRedis()
      : { url: settings.redisUrl, child: null };
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
  console.log(
    `Cluster of ${settings.processes} on ports ${settings.firstPort}..${
      settings.firstPort + settings.processes - 1
    }, Redis ${redis.url}${redis.child === null ? "" : " (private, nothing persisted)"}`,
  );
  const serverPath = new URL("../main.ts", import.meta.url).pathname;
  const servers = Array.from({ length: settings.processes }, (_, index) => {
    const port = settings.firstPort + index;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        // WebTransport (each process's own listener) needs it.
        "--unstable-net",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        serverPath,
        "--port",
        String(port),
        "--redis",
        redis.url,
        ...settings.serverArgs,
      ],
      env: { GAME_SECRET: settings.secret },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    void forward(child.stdout, String(port), "out");
    void forward(child.stderr, String(port), "err");
    return child;
  });
  let stopping = false;
  const stop = async (signal: Deno.Signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping ${servers.length} servers, then Redis`);
    for (const server of servers) {
      try {
        server.kill(signal);
      } catch {
        // Exited already.
      }
    }
    await Promise.all(servers.map((server) => {
      const timer = setTimeout(() => stopChild(server, 1000), signal === "SIGTERM" ? 40_000 : 5000);
      return server.status.finally(() => clearTimeout(timer));
    }));
    if (redis.child !== null) await stopChild(redis.child);
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  const statuses = await Promise.all(servers.map((server) => server.status));
  if (!stopping) {
    console.error(
      `Every server exited (codes ${statuses.map((status) => status.code).join(", ")})`,
    );
    if (redis.child !== null) await stopChild(redis.child);
    Deno.exit(1);
  }
}
