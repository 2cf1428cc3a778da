/**
 * The server's entry point: `deno task start` runs this file. It reads the settings
 * (`config.ts`), binds the port, bundles the client when asked, registers the demo game and
 * serves until SIGINT/SIGTERM, then closes clients with 1012 (in a cluster, SIGTERM drains first). A user's mistake (a bad flag, a
 * taken port) is one line on stderr and a non-zero exit, never a stack trace.
 * @module
 */
import { buildClient } from "./build_client.ts";
import { helpText, parseSettings, type ServerSettings, SettingsError } from "./config.ts";
import { arenaGameFromSettings } from "./games/arena.ts";
import { createRacingGame } from "./games/racing.ts";
import { type RunningServer, startServer } from "./server.ts";
import { clusterSettingsProblem } from "./cluster/cluster_settings.ts";
import type { RoomDirectory } from "./cluster/room_directory.ts";

export type { ServerSettings } from "./config.ts";

/**
 * Start the demo server with its two games (arena, racing) and the browser client; with a Redis URL it joins
 * that cluster (the Redis client is imported only then).
 */
export async function startDemoServer(settings: ServerSettings): Promise<RunningServer> {
  const clientFolder = new URL("../client", import.meta.url).pathname;
  const { certFile, keyFile } = settings;
  if ((certFile === null) !== (keyFile === null)) {
    throw new SettingsError("Cannot use a certificate: give both --cert and --key, or neither");
  }
  const certificate = certFile === null || keyFile === null ? undefined : {
    certPem: await Deno.readTextFile(certFile),
    keyPem: await Deno.readTextFile(keyFile),
  };
  let directory: RoomDirectory | undefined;
  if (settings.redisUrl !== null) {
    const { connectRedisDirectory } = await import("./cluster/redis_directory.ts");
    directory = await connectRedisDirectory(settings.redisUrl);
  }
  return await startServer({
    ...(settings.webTransportPort === null ? {} : { webTransportPort: settings.webTransportPort }),
    ...(certificate === undefined ? {} : { certificate }),
    games: [arenaGameFromSettings(settings), createRacingGame()],
    hostname: settings.hostname,
    port: settings.port,
    tickRateHz: settings.tickRateHz,
    maxRooms: settings.maxRooms,
    roomsPerCreatorBurst: settings.roomsPerAddressPerMinute,
    roomsPerCreatorPerMinute: settings.roomsPerAddressPerMinute,
    connectionLimits: { maxConnectionsPerAddress: settings.maxConnectionsPerAddress },
    trustedProxies: settings.trustedProxies,
    staticFolders: [`${clientFolder}/dist`, clientFolder],
    ...(settings.secret === null ? {} : { secret: new TextEncoder().encode(settings.secret) }),
    cluster: {
      ...(directory === undefined ? {} : { directory }),
      ...(settings.publicUrl === null ? {} : { publicWsUrl: settings.publicUrl }),
      leaseTtlMs: settings.leaseTtlMs,
      leaseRefreshMs: settings.leaseRefreshMs,
      seatTtlMs: settings.seatTtlMs,
    },
    syncTest: settings.syncTest,
    ...(settings.recordDir === null ? {} : {
      recording: {
        dir: settings.recordDir,
        maxBytes: settings.recordMaxMb * 1024 * 1024,
        ...(settings.recordGames === null ? {} : { games: settings.recordGames }),
        recorder: { serverBuild: Deno.env.get("SERVER_BUILD") ?? "dev" },
      },
    }),
  });
}

/**
 * One line for an error the user can fix by starting the server differently, or undefined for
 * an error that is a bug (which keeps its stack trace).
 */
function startupErrorLine(error: unknown, settings: ServerSettings): string | undefined {
  const where = `${settings.hostname}:${settings.port}`;
  if (error instanceof SettingsError) return error.message;
  if (error instanceof Deno.errors.NotFound) {
    return `Cannot read a certificate file: ${error.message}`;
  }
  if (error instanceof Deno.errors.AddrInUse) {
    return `Port ${settings.port} is in use: pass --port 0 for a free one, or stop the other server`;
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return `Cannot listen on ${where}: ${error.message} (ports under 1024 need root; try --port 8000)`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `Cannot listen on ${where}: no interface has that address (try --host 127.0.0.1 or 0.0.0.0)`;
  }
  if (error instanceof Error && error.message.startsWith("Cannot connect to Redis")) {
    return `${error.message} (is redis-server running? deno task cluster starts one)`;
  }
  if (error instanceof Error && /failed to lookup address/.test(error.message)) {
    return `Cannot listen on ${where}: cannot resolve ${settings.hostname} (try --host 127.0.0.1 or 0.0.0.0)`;
  }
  return undefined;
}

/** Run the server as `deno task start` does; resolves with the exit code when it cannot start. */
export async function main(args: readonly string[]): Promise<number | undefined> {
  let settings: ServerSettings;
  try {
    const request = parseSettings(args, (name) => Deno.env.get(name));
    if (request.help) {
      console.log(helpText());
      return 0;
    }
    settings = request.settings;
    const problem = clusterSettingsProblem(settings);
    if (problem !== null) throw new SettingsError(problem);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    console.error(error.message);
    return 2;
  }
  let server: RunningServer;
  try {
    server = await startDemoServer(settings);
  } catch (error) {
    const line = startupErrorLine(error, settings);
    if (line === undefined) throw error;
    console.error(line);
    return 1;
  }
  if (settings.buildClient) {
    // After the port is bound, so a user error is reported before this slow step, and before
    // the address is printed, so nobody loads a page whose script is still being written.
    try {
      await buildClient();
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      await server.shutdown("Server failed to start");
      return 1;
    }
  }
  console.log(
    `Arena server on ${server.url} (WebSocket ${server.wsUrl}` +
      (server.webTransport === null ? "" : `, WebTransport on UDP ${server.webTransport.port}`) +
      `), ${settings.tickRateHz} Hz; ` +
      `operator view at ${server.url}/stats and ${server.url}/metrics`,
  );
  const clustered = settings.redisUrl !== null;
  if (clustered) {
    console.log(
      `Cluster process ${server.cluster.processId} on ${settings.redisUrl}, ` +
        `clients sent to ${settings.publicUrl ?? server.wsUrl}`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (clustered && signal === "SIGTERM") {
      console.log(
        `SIGTERM: draining (no new rooms or seats) for at most ${settings.drainSeconds} s`,
      );
      await server.drain(settings.drainSeconds * 1000, "Server is shutting down: matchmake again");
    } else {
      console.log(`${signal}: closing clients with 1012 and stopping`);
      await server.shutdown("Server is restarting");
    }
    await server.cluster.directory.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  return undefined;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  if (code !== undefined) Deno.exit(code);
}
