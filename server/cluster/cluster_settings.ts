/** Cluster flags of `server/main.ts`, with their environment variables. */
export const CLUSTER_FLAGS = {
  redis: "REDIS_URL",
  "public-url": "PUBLIC_URL",
  secret: "GAME_SECRET",
  "lease-ttl-ms": "LEASE_TTL_MS",
  "lease-refresh-ms": "LEASE_REFRESH_MS",
  "seat-ttl-ms": "SEAT_TTL_MS",
  "drain-seconds": "DRAIN_SECONDS",
} as const;

/** How a server process joins a cluster (all of it optional: the embedded default needs none). */
export interface ClusterSettings {
  /** `--redis`/`REDIS_URL`: the shared directory; unset, the process is a cluster of one. */
  redisUrl: string | null;
  /** `--public-url`/`PUBLIC_URL`: the WebSocket URL clients reach this process at. */
  publicUrl: string | null;
  /** `--secret`/`GAME_SECRET`: signs reconnect tokens and seats; required with `--redis`. */
  secret: string | null;
  /** `--lease-ttl-ms` (10000). */
  leaseTtlMs: number;
  /** `--lease-refresh-ms` (2000). */
  leaseRefreshMs: number;
  /** `--seat-ttl-ms` (15000). */
  seatTtlMs: number;
  /** `--drain-seconds` (30): on SIGTERM in cluster mode, how long rooms may run on. */
  drainSeconds: number;
}

/** Shortest `--secret`, so that its HMAC key has at least 32 bytes. */
const MIN_SECRET_CHARS = 32;

/**
 * Read the cluster settings; `value(flag)` gives the flag's value or its environment variable's.
 * @throws {RangeError} for a bad number, URL, or a cluster without a secret
 */
export function parseClusterSettings(
  value: (flag: keyof typeof CLUSTER_FLAGS) => string | undefined,
): ClusterSettings {
  const number = (flag: keyof typeof CLUSTER_FLAGS, fallback: number, min: number): number => {
    const text = value(flag);
    const parsed = Number(text ?? fallback);
    if (!Number.isInteger(parsed) || parsed < min || parsed > 3_600_000) {
      throw new RangeError(`Invalid --${flag}: ${text}, expected an integer in ${min}..3600000`);
    }
    return parsed;
  };
  const url = (flag: keyof typeof CLUSTER_FLAGS, protocols: string[]): string | null => {
    const text = value(flag);
    if (text === undefined || text === "") return null;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new RangeError(`Invalid --${flag}: ${text}, expected a URL`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new RangeError(`Invalid --${flag}: ${text}, expected ${protocols.join(" or ")}`);
    }
    return text;
  };
  const redisUrl = url("redis", ["redis:", "rediss:"]);
  const secret = value("secret") || null;
  if (redisUrl !== null && (secret === null || secret.length < MIN_SECRET_CHARS)) {
    throw new RangeError(
      `Cluster mode needs --secret or GAME_SECRET of at least ${MIN_SECRET_CHARS} characters, ` +
        "the same on every process (it signs reconnect tokens and seats)",
    );
  }
  const settings: ClusterSettings = {
    redisUrl,
    publicUrl: url("public-url", ["ws:", "wss:"]),
    secret,
    leaseTtlMs: number("lease-ttl-ms", 10_000, 100),
    leaseRefreshMs: number("lease-refresh-ms", 2_000, 20),
    seatTtlMs: number("seat-ttl-ms", 15_000, 100),
    drainSeconds: number("drain-seconds", 30, 0),
  };
  if (settings.leaseRefreshMs >= settings.leaseTtlMs) {
    throw new RangeError(
      `Invalid --lease-refresh-ms: ${settings.leaseRefreshMs}, must be below --lease-ttl-ms ${settings.leaseTtlMs}`,
    );
  }
  return settings;
}
