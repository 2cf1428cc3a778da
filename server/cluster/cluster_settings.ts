/**
 * Parsers of the cluster rows of the settings table (`server/config.ts`), and the rules that
 * bind several of them together.
 * @module
 */

/** Shortest `--secret`, so that its HMAC key has at least 32 bytes. */
const MIN_SECRET_CHARS = 32;

/** A parser for an optional URL of one of `protocols`: `""` is null. */
export function optionalUrl(protocols: readonly string[]): (raw: string) => string | null {
  return (raw) => {
    if (raw === "") return null;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new RangeError(`expected a URL like ${protocols[0]}//HOST:PORT`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new RangeError(`expected a ${protocols.join(" or ")} URL`);
    }
    return raw;
  };
}

/** A parser for an optional secret of at least 32 characters: `""` is null. */
export function optionalSecret(raw: string): string | null {
  if (raw === "") return null;
  if (raw.length < MIN_SECRET_CHARS) {
    throw new RangeError(`expected at least ${MIN_SECRET_CHARS} characters`);
  }
  return raw;
}

/** The cluster fields of the parsed settings. */
export interface ClusterSettings {
  redisUrl: string | null;
  secret: string | null;
  leaseTtlMs: number;
  leaseRefreshMs: number;
}

/** What is wrong with the cluster settings taken together, or null when nothing is. */
export function clusterSettingsProblem(settings: ClusterSettings): string | null {
  if (settings.redisUrl !== null && settings.secret === null) {
    return "Cluster mode (--redis) needs --secret or GAME_SECRET of at least 32 characters, " +
      "the same on every process: it signs reconnect tokens and seats";
  }
  if (settings.leaseRefreshMs >= settings.leaseTtlMs) {
    return `Invalid --lease-refresh-ms ${settings.leaseRefreshMs}: must be below ` +
      `--lease-ttl-ms ${settings.leaseTtlMs}, or leases lapse between renewals`;
  }
  return null;
}
