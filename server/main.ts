/**
 * The server's entry point: `deno task start` runs this file. It parses flags and environment,
 * registers the demo game and serves until SIGINT/SIGTERM, then closes clients with 1012.
 * @module
 */
import { createArenaGame } from "./games/arena.ts";
import { type RunningServer, startServer } from "./server.ts";

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
  /**
   * UDP port of WebTransport (`--webtransport-port`, `WEBTRANSPORT_PORT`): a number, or `off`;
   * `undefined` means the HTTP port + 1.
   */
  webTransportPort: number | "off" | undefined;
  /** PEM files of a real certificate and key for WebTransport (`--cert`, `--key`). */
  certFile: string | undefined;
  keyFile: string | undefined;
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
    "webtransport-port",
    "cert",
    "key",
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
  const webTransportPort = flags.get("webtransport-port") ?? env("WEBTRANSPORT_PORT");
  const certFile = flags.get("cert") ?? env("CERT_FILE");
  const keyFile = flags.get("key") ?? env("KEY_FILE");
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new TypeError("Cannot use a certificate: give both --cert and --key, or neither");
  }
  return {
    webTransportPort: webTransportPort === undefined || webTransportPort === "off"
      ? webTransportPort
      : number(webTransportPort, "WebTransport port", 0, 65535),
    certFile,
    keyFile,
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
  };
}

/** Start the demo server with the arena game and the browser client. */
export async function startDemoServer(settings: ServerSettings): Promise<RunningServer> {
  const clientFolder = new URL("../client", import.meta.url).pathname;
  const certificate = settings.certFile === undefined || settings.keyFile === undefined
    ? undefined
    : {
      certPem: await Deno.readTextFile(settings.certFile),
      keyPem: await Deno.readTextFile(settings.keyFile),
    };
  return await startServer({
    ...(settings.webTransportPort === undefined
      ? {}
      : { webTransportPort: settings.webTransportPort }),
    ...(certificate === undefined ? {} : { certificate }),
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
  });
}

if (import.meta.main) {
  const settings = parseSettings(Deno.args, (name) => Deno.env.get(name));
  const server = await startDemoServer(settings);
  console.log(
    `Arena server on ${server.url} (WebSocket ${server.wsUrl}` +
      (server.webTransport === null ? "" : `, WebTransport on UDP ${server.webTransport.port}`) +
      `), ${settings.tickRateHz} Hz; ` +
      `operator view at ${server.url}/stats and ${server.url}/metrics`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing clients with 1012 and stopping`);
    await server.shutdown("Server is restarting");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
}
