/**
 * The server's settings as one table: each row is a flag, its environment variable, its default,
 * its help text and the parser that checks its value. `--help`, the parser and the README's
 * settings table all come from (or are checked against) this table, so adding a setting is
 * adding one row.
 * @module
 */
import { optionalSecret, optionalUrl } from "./cluster/cluster_settings.ts";
import { TrustedProxies } from "./transport/trusted_proxies.ts";

import { ARENA_SETTINGS } from "./games/arena.ts";
import { integerIn, nonEmpty, onOff, type SettingSpec } from "./setting_spec.ts";

export { integerIn, nonEmpty, onOff, type SettingSpec };

/** A parser for a folder, or `off` for none. */
export function folderOrOff(raw: string): string | null {
  if (raw.trim() === "") throw new RangeError("expected a folder or off");
  return raw === "off" ? null : raw;
}

/** A parser for a comma-separated list of names, or `all` for no restriction. */
export function namesOrAll(raw: string): string[] | null {
  if (raw === "all") return null;
  const names = raw.split(",").map((name) => name.trim());
  if (names.some((name) => name === "")) {
    throw new RangeError("expected names like arena,dots or all");
  }
  return names;
}

/** A parser for the WebTransport port: `auto` (null: the HTTP port + 1), `off` or a port. */
export function webTransportPort(raw: string): number | "off" | null {
  if (raw === "auto") return null;
  if (raw === "off") return "off";
  try {
    return integerIn(0, 65535)(raw);
  } catch {
    throw new RangeError("expected auto, off or an integer in 0..65535");
  }
}

/** A parser for a file path that may be left empty (null). */
export function optionalPath(raw: string): string | null {
  return raw === "" ? null : raw;
}

/**
 * Every setting of the demo server: the server's own rows and the rows each game declares. Add a
 * row here (or to a game's table) to add a setting.
 */
export const SERVER_SETTINGS = [
  {
    flag: "port",
    env: "PORT",
    key: "port",
    value: "N",
    defaultValue: "8000",
    help: "Port to listen on; 0 picks a free one",
    parse: integerIn(0, 65535),
  },
  {
    flag: "host",
    env: "HOST",
    key: "hostname",
    value: "ADDR",
    defaultValue: "127.0.0.1",
    help: "Interface to listen on; 0.0.0.0 lets other machines join",
    parse: nonEmpty,
  },
  {
    flag: "tick-rate",
    env: "TICK_RATE",
    key: "tickRateHz",
    value: "HZ",
    defaultValue: "30",
    help: "Simulation ticks a second",
    parse: integerIn(1, 240),
  },
  // The arena declares its own settings (--npcs, --max-players, --interest).
  ...ARENA_SETTINGS,
  {
    flag: "max-connections-per-address",
    env: "MAX_CONNECTIONS_PER_ADDRESS",
    key: "maxConnectionsPerAddress",
    value: "N",
    defaultValue: "32",
    help: "Most WebSockets from one address (more are refused with 429); raise it for load tests",
    parse: integerIn(1, 1_000_000),
  },
  {
    flag: "max-rooms",
    env: "MAX_ROOMS",
    key: "maxRooms",
    value: "N",
    defaultValue: "1000",
    help: "Most live rooms on the server; a join that would create one more is refused",
    parse: integerIn(1, 1_000_000),
  },
  {
    flag: "rooms-per-address-per-minute",
    env: "ROOMS_PER_ADDRESS_PER_MINUTE",
    key: "roomsPerAddressPerMinute",
    value: "N",
    defaultValue: "10",
    help: "Rooms one address may create a minute (burst and rate); raise it for load tests",
    parse: integerIn(1, 1_000_000),
  },
  {
    flag: "trusted-proxy",
    env: "TRUSTED_PROXY",
    key: "trustedProxies",
    value: "ADDR[,ADDR…]",
    defaultValue: "none",
    help: "Reverse proxies (addresses or CIDRs) whose Forwarded/X-Forwarded-For names the client",
    parse: TrustedProxies.parse,
  },
  {
    flag: "build-client",
    env: "BUILD_CLIENT",
    key: "buildClient",
    value: "on|off",
    defaultValue: "off",
    help: "Bundle client/main.ts into client/dist after the port is bound (deno task start: on)",
    parse: onOff,
  },
  {
    flag: "redis",
    env: "REDIS_URL",
    key: "redisUrl",
    value: "URL",
    defaultValue: "",
    help: "Join the cluster on this Redis (redis://HOST:PORT); unset: one process, rooms in memory",
    parse: optionalUrl(["redis:", "rediss:"]),
  },
  {
    flag: "public-url",
    env: "PUBLIC_URL",
    key: "publicUrl",
    value: "URL",
    defaultValue: "",
    help: "WebSocket URL clients are sent to for this process's rooms; unset: ws://HOST:PORT/ws",
    parse: optionalUrl(["ws:", "wss:"]),
  },
  {
    flag: "secret",
    env: "GAME_SECRET",
    key: "secret",
    value: "TEXT",
    defaultValue: "",
    help:
      "Signs reconnect tokens and seats: 32+ characters, the same on every process of a cluster",
    parse: optionalSecret,
  },
  {
    flag: "lease-ttl-ms",
    env: "LEASE_TTL_MS",
    key: "leaseTtlMs",
    value: "MS",
    defaultValue: "10000",
    help: "A cluster process that has not renewed its lease for this long counts as gone",
    parse: integerIn(100, 3_600_000),
  },
  {
    flag: "lease-refresh-ms",
    env: "LEASE_REFRESH_MS",
    key: "leaseRefreshMs",
    value: "MS",
    defaultValue: "2000",
    help: "Time between two lease renewals (one Redis command each)",
    parse: integerIn(20, 3_600_000),
  },
  {
    flag: "seat-ttl-ms",
    env: "SEAT_TTL_MS",
    key: "seatTtlMs",
    value: "MS",
    defaultValue: "15000",
    help: "How long a seat from POST /matchmake waits to be presented",
    parse: integerIn(100, 3_600_000),
  },
  {
    flag: "drain-seconds",
    env: "DRAIN_SECONDS",
    key: "drainSeconds",
    value: "S",
    defaultValue: "30",
    help: "On SIGTERM in a cluster: rooms run until empty or this long, then close with 1012",
    parse: integerIn(0, 3600),
  },
  {
    flag: "record",
    env: "RECORD",
    key: "recordDir",
    value: "DIR",
    defaultValue: "off",
    help: "Record every room's match into this folder and serve them at /replay",
    parse: folderOrOff,
  },
  {
    flag: "record-max-mb",
    env: "RECORD_MAX_MB",
    key: "recordMaxMb",
    value: "N",
    defaultValue: "1024",
    help: "Most megabytes of recordings kept; the oldest files are deleted first",
    parse: integerIn(1, 10_000_000),
  },
  {
    flag: "record-games",
    env: "RECORD_GAMES",
    key: "recordGames",
    value: "NAMES",
    defaultValue: "all",
    help: "The games whose rooms are recorded, comma-separated",
    parse: namesOrAll,
  },
  {
    flag: "sync-test",
    env: "SYNC_TEST",
    key: "syncTest",
    value: "on|off",
    defaultValue: "off",
    help: "Run every tick twice from a saved state; a difference closes the room (1011)",
    parse: onOff,
  },
  {
    flag: "webtransport-port",
    env: "WEBTRANSPORT_PORT",
    key: "webTransportPort",
    value: "N|off",
    defaultValue: "auto",
    help: "UDP port of WebTransport (auto: the HTTP port + 1); needs --unstable-net",
    parse: webTransportPort,
  },
  {
    flag: "cert",
    env: "CERT_FILE",
    key: "certFile",
    value: "FILE",
    defaultValue: "",
    help: "PEM certificate for WebTransport, with --key (default: an ephemeral one)",
    parse: optionalPath,
  },
  {
    flag: "key",
    env: "KEY_FILE",
    key: "keyFile",
    value: "FILE",
    defaultValue: "",
    help: "PEM private key of --cert",
    parse: optionalPath,
  },
] as const satisfies readonly SettingSpec[];

type Spec = (typeof SERVER_SETTINGS)[number];

/** The parsed settings: one field per row of {@linkcode SERVER_SETTINGS}. */
export type ServerSettings = { -readonly [S in Spec as S["key"]]: ReturnType<S["parse"]> };

/** A mistake in the flags or environment, said in one line the user can act on. */
export class SettingsError extends Error {
  /** @param message what is wrong and what to do */
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

/** What the command line asks for: the settings, or the help text. */
export type SettingsRequest = { help: true } | { help: false; settings: ServerSettings };

/**
 * Read settings from `args` and `env`; a flag wins over its environment variable.
 * @throws {SettingsError} on an unknown flag, a missing value or a value its parser rejects
 */
export function parseSettings(
  args: readonly string[],
  env: (name: string) => string | undefined,
): SettingsRequest {
  const byFlag = new Map<string, Spec>(SERVER_SETTINGS.map((spec) => [spec.flag, spec]));
  const given = new Map<Spec, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--help" || arg === "-h") return { help: true };
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (match === null) {
      throw new SettingsError(
        `Unexpected argument ${arg}: settings are flags like --port 8000 (--help lists them)`,
      );
    }
    const [, name = "", inline] = match;
    const spec = byFlag.get(name);
    if (spec === undefined) throw new SettingsError(unknownFlagMessage(name));
    const next = args[index + 1];
    const value = inline ?? (next === undefined || next.startsWith("--") ? undefined : next);
    if (value === undefined) {
      throw new SettingsError(`Missing value for --${name}: e.g. --${name} ${spec.defaultValue}`);
    }
    if (inline === undefined) index++;
    given.set(spec, value);
  }
  const settings: Record<string, unknown> = {};
  for (const spec of SERVER_SETTINGS) {
    const fromFlag = given.get(spec);
    const fromEnv = fromFlag === undefined ? env(spec.env) : undefined;
    const raw = fromFlag ?? fromEnv ?? spec.defaultValue;
    try {
      settings[spec.key] = spec.parse(raw);
    } catch (error) {
      const source = fromFlag !== undefined
        ? `--${spec.flag} ${fromFlag}`
        : fromEnv !== undefined
        ? `${spec.env}=${fromEnv}`
        : `default ${spec.defaultValue} of --${spec.flag}`;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SettingsError(`Invalid ${source}: ${reason}`);
    }
  }
  // Every key of ServerSettings was filled above by the row that declares it.
  return { help: false, settings: settings as ServerSettings };
}

function unknownFlagMessage(name: string): string {
  let nearest: string | undefined;
  let nearestDistance = 3;
  for (const { flag } of SERVER_SETTINGS) {
    const distance = editDistance(name, flag);
    if (distance < nearestDistance) [nearest, nearestDistance] = [flag, distance];
  }
  const hint = nearest === undefined ? "" : `did you mean --${nearest}? `;
  return `Unknown flag --${name}: ${hint}--help lists every flag`;
}

/** Levenshtein distance; flags are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The `--help` text: usage, then one line per setting with its environment variable and default. */
export function helpText(): string {
  const rows = SERVER_SETTINGS.map((spec) => [
    `--${spec.flag} ${spec.value}`,
    spec.env,
    spec.defaultValue,
    spec.help,
  ]);
  const header = ["flag", "environment", "default", "what it does"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length))
  );
  const line = (cells: string[]) =>
    "  " + cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  return [
    "Usage: deno task start [flags]   (or: deno run -A server/main.ts [flags])",
    "",
    "Serves the arena demo game and its browser client. Each setting is a flag or an",
    "environment variable; the flag wins.",
    "",
    line(header),
    ...rows.map(line),
    "",
    "  -h, --help  print this text",
  ].join("\n");
}
