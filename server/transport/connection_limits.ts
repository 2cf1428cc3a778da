/**
 * The transport's limits on one client: how many sockets an address may hold, how fast a socket
 * may send, and how long it may stay silent. Deno's WebSocket server enforces almost none of
 * this itself (see tests/robustness/README.md for what it does and does not do).
 * @module
 */

/** Settings of the per-connection limits; every field has a default. */
export interface ConnectionLimitsOptions {
  /**
   * Most WebSockets open at once from one address (an IPv4 address, or an IPv6 /64, which one
   * subscriber usually holds whole); one more is answered 429 before the upgrade. A socket keeps
   * its slot until Deno reports it closed, so a peer that never finishes a close still counts.
   * @default 32
   */
  maxConnectionsPerAddress?: number;
  /**
   * A socket that has not joined this long after the upgrade is closed with 1008.
   * @default 15000
   */
  joinTimeoutMs?: number;
  /**
   * A joined socket that sends no complete message for this long is closed with 1008; its seat is
   * kept for the reconnect grace period, as a silent client is usually a dropped network. Clients
   * acknowledge every snapshot, so a live one is never this quiet.
   * @default 20000
   */
  messageTimeoutMs?: number;
  /**
   * Deno's own `idleTimeout`: a socket from which nothing (not even a pong) arrived for half of
   * this is pinged, and dropped without a close handshake (Deno sends 1001) when nothing arrives
   * by the end. It is the only way to cut a peer stuck inside a frame: once the server has sent a
   * close frame Deno waits for the answer without any timeout, so `joinTimeoutMs` and
   * `messageTimeoutMs` must be longer than this. 0 turns Deno's pings off.
   * @default 10000
   */
  pingTimeoutMs?: number;
  /**
   * Messages a second a client may send on average.
   * @default 120
   */
  maxMessagesPerSecond?: number;
  /**
   * Messages a client may send in a burst above the average.
   * @default 240
   */
  messageBurst?: number;
  /**
   * Messages beyond the rate are dropped unread and counted against this allowance, which drains
   * at half the average rate; when it overflows, the client is closed with 1008. So a short
   * burst is only throttled, and a sustained flood (over 1.5 times the rate) is cut.
   * @default 120
   */
  maxThrottledMessages?: number;
}

/** {@linkcode ConnectionLimitsOptions} with every default filled in. */
export type ConnectionLimits = Required<ConnectionLimitsOptions>;

/** Fill in the defaults and check the values. @throws {RangeError} on a value that cannot work */
export function resolveConnectionLimits(options: ConnectionLimitsOptions = {}): ConnectionLimits {
  const limits: ConnectionLimits = {
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 32,
    joinTimeoutMs: options.joinTimeoutMs ?? 15_000,
    messageTimeoutMs: options.messageTimeoutMs ?? 20_000,
    pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
    maxMessagesPerSecond: options.maxMessagesPerSecond ?? 120,
    messageBurst: options.messageBurst ?? 240,
    maxThrottledMessages: options.maxThrottledMessages ?? 120,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value < 0 || (value === 0 && name !== "pingTimeoutMs")) {
      throw new RangeError(`Cannot use connection limit ${name}: ${value}, needs above 0`);
    }
  }
  for (const name of ["joinTimeoutMs", "messageTimeoutMs"] as const) {
    if (limits.pingTimeoutMs > 0 && limits[name] <= limits.pingTimeoutMs) {
      throw new RangeError(
        `Cannot use connection limit ${name}: ${limits[name]} ms must be above pingTimeoutMs ` +
          `(${limits.pingTimeoutMs} ms), or a peer stuck inside a frame is never cut`,
      );
    }
  }
  return limits;
}

/**
 * The key an address is counted under: an IPv4 address as is, an IPv6 address by its first 64
 * bits (an IPv4-mapped IPv6 address as its IPv4 address).
 */
export function addressKey(hostname: string): string {
  const host = hostname.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  if (!host.includes(":")) return host;
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped?.[1] !== undefined) return mapped[1];
  const [head = "", tail] = host.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = Math.max(0, 8 - headGroups.length - tailGroups.length);
  const groups = tail === undefined ? headGroups : [
    ...headGroups,
    ...Array<string>(missing).fill("0"),
    ...tailGroups,
  ];
  const prefix = groups.slice(0, 4).map((group) => (Number.parseInt(group, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}

/** Open sockets per address key; see {@linkcode ConnectionLimitsOptions.maxConnectionsPerAddress}. */
export class AddressSlots {
  readonly #limit: number;
  readonly #open = new Map<string, number>();

  /** @param limit most sockets one key may hold */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Take a slot for `key`; `false` when it already holds the limit. */
  acquire(key: string): boolean {
    const open = this.#open.get(key) ?? 0;
    if (open >= this.#limit) return false;
    this.#open.set(key, open + 1);
    return true;
  }

  /** Give back a slot taken by {@linkcode AddressSlots.acquire}. */
  release(key: string): void {
    const open = this.#open.get(key) ?? 0;
    if (open <= 1) this.#open.delete(key);
    else this.#open.set(key, open - 1);
  }

  /** Sockets `key` holds now. */
  count(key: string): number {
    return this.#open.get(key) ?? 0;
  }
}

/** What {@linkcode MessageRateLimiter.take} decides for one message. */
export type RateDecision = "accept" | "drop" | "kick";

/**
 * The per-connection message rate: a token bucket of `messageBurst` refilled at
 * `maxMessagesPerSecond`; a message finding it empty is dropped and counts against a second
 * allowance of `maxThrottledMessages` that drains at half the rate; overflowing that one kicks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageRateLimiter } from "./connection_limits.ts";
 *
 * const limiter = new MessageRateLimiter(
 *   { maxMessagesPerSecond: 10, messageBurst: 2, maxThrottledMessages: 1 },
 *   0,
 * );
 * assert.deepEqual([0, 0, 0, 0].map((atMs) => limiter.take(atMs)), [
 *   "accept",
 *   "accept",
 *   "drop",
 *   "kick",
 * ]);
 * ```
 */
export class MessageRateLimiter {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #maxThrottled: number;
  #tokens: number;
  #throttled = 0;
  #lastMs: number;

  /** @param limits the three rate settings; @param nowMs the time the bucket starts full */
  constructor(
    limits: Pick<
      ConnectionLimits,
      "maxMessagesPerSecond" | "messageBurst" | "maxThrottledMessages"
    >,
    nowMs: number,
  ) {
    this.#perSecond = limits.maxMessagesPerSecond;
    this.#burst = limits.messageBurst;
    this.#maxThrottled = limits.maxThrottledMessages;
    this.#tokens = limits.messageBurst;
    this.#lastMs = nowMs;
  }

  /** Decide for one message arriving at `nowMs` (monotonic). */
  take(nowMs: number): RateDecision {
    const earned = (Math.max(0, nowMs - this.#lastMs) * this.#perSecond) / 1000;
    this.#lastMs = Math.max(this.#lastMs, nowMs);
    this.#tokens = Math.min(this.#burst, this.#tokens + earned);
    this.#throttled = Math.max(0, this.#throttled - earned / 2);
    if (this.#tokens >= 1) {
      this.#tokens--;
      return "accept";
    }
    this.#throttled++;
    return this.#throttled > this.#maxThrottled ? "kick" : "drop";
  }
}
