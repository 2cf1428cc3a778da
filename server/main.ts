/**
 * The server's entry point: `deno task start` runs this file. It parses flags and environment,
 * registers the demo game and serves until SIGINT/SIGTERM, then closes clients with 1012.
 * @module
 */
import { createArenaGame } from "./games/arena.ts";
import { type RunningServer, startServer } from "./server.ts";
import {
  CLUSTER_FLAGS,
  type ClusterSettings,
  parseClusterSettings,
} from "./cluster/cluster_settings.ts";
import type { RoomDirectory } from "./cluster/room_directory.ts";

/** Settings read from flags (`--port 9000`) and the environment (`PORT=9000`). */
export interface ServerSettings {
  hostname: string;
  port: number;
  tickRateHz: number;
  /** Wandering NPCs in each arena room (`--npcs`, `NPCS`). */
  npcCount: number;
  /** Most players in one arena room (`--max-players`, `MAX_PLAYERS`). */
  maxPlayers: number;
  /** Send each player only what is near it (`--interest on|off`, `INTEREST`). */
  interestManagement: boolean;
  /**
   * Most WebSockets from one address (`--max-connections-per-address`,
   * `MAX_CONNECTIONS_PER_ADDRESS`); load tests from one host raise it.
   */
  maxConnectionsPerAddress: number;
  /** `--redis`, `--public-url`, `--secret` and the lease, seat and drain times. */
  cluster: ClusterSettings;
}

/** Read settings from `args` and `env`; flags win over the environment. */
export function parseSettings(
  args: readonly string[],
  env: (name: string) => string | undefined,
): ServerSettings {
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new TypeError(`Cannot parse argument ${arg}: expected --name value`);
    const [, name = "", inline] = match;
    const value = inline ?? args[++index];
    if (value === undefined) throw new TypeError(`Cannot parse argument ${arg}: missing value`);
    flags.set(name, value);
  }
  const known = new Set([
    "port",
    "host",
    "tick-rate",
    "npcs",
    "max-players",
    "max-connections-per-address",
    "interest",
    ...Object.keys(CLUSTER_FLAGS),
  ]);
  for (const name of flags.keys()) {
    if (!known.has(name)) {
      throw new TypeError(
        `Unknown flag --${name}: use ${[...known].map((flag) => `--${flag}`).join(", ")}`,
      );
    }
  }
  const number = (value: string, what: string, min: number, max: number): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new RangeError(`Invalid ${what}: ${value}, expected an integer in ${min}..${max}`);
    }
    return parsed;
  };
  const onOff = (value: string, what: string): boolean => {
    if (value !== "on" && value !== "off") {
      throw new RangeError(`Invalid ${what}: ${value}, expected on or off`);
    }
    return value === "on";
  };
  return {
    hostname: flags.get("host") ?? env("HOST") ?? "127.0.0.1",
    port: number(flags.get("port") ?? env("PORT") ?? "8000", "port", 0, 65535),
    tickRateHz: number(flags.get("tick-rate") ?? env("TICK_RATE") ?? "30", "tick rate", 1, 240),
    npcCount: number(flags.get("npcs") ?? env("NPCS") ?? "20", "NPC count", 0, 10_000),
    maxPlayers: number(
      flags.get("max-players") ?? env("MAX_PLAYERS") ?? "64",
      "max players",
      1,
      1000,
    ),
    interestManagement: onOff(flags.get("interest") ?? env("INTEREST") ?? "on", "interest"),
    maxConnectionsPerAddress: number(
      flags.get("max-connections-per-address") ?? env("MAX_CONNECTIONS_PER_ADDRESS") ?? "32",
      "max connections per address",
      1,
      1_000_000,
    ),
    cluster: parseClusterSettings((flag) => flags.get(flag) ?? env(CLUSTER_FLAGS[flag])),
  };
}

/**
 * Start the demo server with the arena game and the browser client; with a Redis URL it joins
 * that cluster (the Redis client is imported only then).
 */
export async function startDemoServer(settings: ServerSettings): Promise<RunningServer> {
  const clientFolder = new URL("../client", import.meta.url).pathname;
  const { cluster } = settings;
  let directory: RoomDirectory | undefined;
  if (cluster.redisUrl !== null) {
    const { connectRedisDirectory } = await import("./cluster/redis_directory.ts");
    directory = await connectRedisDirectory(cluster.redisUrl);
  }
  return await startServer({
    games: [
      createArenaGame({
        npcCount: settings.npcCount,
        maxPlayers: settings.maxPlayers,
        interestManagement: settings.interestManagement,
      }),
    ],
    hostname: settings.hostname,
    port: settings.port,
    tickRateHz: settings.tickRateHz,
    connectionLimits: { maxConnectionsPerAddress: settings.maxConnectionsPerAddress },
    staticFolders: [`${clientFolder}/dist`, clientFolder],
    ...(cluster.secret === null ? {} : { secret: new TextEncoder().encode(cluster.secret) }),
    cluster: {
      ...(directory === undefined ? {} : { directory }),
      ...(cluster.publicUrl === null ? {} : { publicWsUrl: cluster.publicUrl }),
      leaseTtlMs: cluster.leaseTtlMs,
      leaseRefreshMs: cluster.leaseRefreshMs,
      seatTtlMs: cluster.seatTtlMs,
    },
  });
}

if (import.meta.main) {
  const settings = parseSettings(Deno.args, (name) => Deno.env.get(name));
  const server = await startDemoServer(settings);
  console.log(
    `Arena server on ${server.url} (WebSocket ${server.wsUrl}), ${settings.tickRateHz} Hz; ` +
      `operator view at ${server.url}/stats and ${server.url}/metrics`,
  );
  const clustered = settings.cluster.redisUrl !== null;
  if (clustered) {
    console.log(
      `Cluster process ${server.cluster.processId} on ${settings.cluster.redisUrl}, ` +
        `clients sent to ${settings.cluster.publicUrl ?? server.wsUrl}`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (clustered && signal === "SIGTERM") {
      const drainSeconds = settings.cluster.drainSeconds;
      console.log(`SIGTERM: draining (no new rooms or seats) for at most ${drainSeconds} s`);
      await server.drain(drainSeconds * 1000, "Server is shutting down: matchmake again");
    } else {
      console.log(`${signal}: closing clients with 1012 and stopping`);
      await server.shutdown("Server is restarting");
    }
    await server.cluster.directory.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
}
