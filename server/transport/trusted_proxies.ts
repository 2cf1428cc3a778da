/**
 * Who a request really comes from when a reverse proxy (nginx, Caddy) stands in front: for a
 * connection from a trusted proxy only, the client is the right-most address in `Forwarded` (or
 * `X-Forwarded-For`) that is not itself a trusted proxy. Headers from anyone else are ignored,
 * since any client can write them.
 * @module
 */

/** An IP range: the first `bits` bits of `bytes` (4 bytes for IPv4, 16 for IPv6). */
interface Range {
  bytes: Uint8Array;
  bits: number;
}

/**
 * The addresses and CIDR ranges of trusted reverse proxies.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { TrustedProxies } from "./trusted_proxies.ts";
 *
 * const proxies = TrustedProxies.parse("10.0.0.0/8, ::1");
 * assert.equal(proxies.has("10.1.2.3"), true);
 * assert.equal(proxies.has("11.0.0.1"), false);
 * assert.equal(proxies.has("::ffff:10.0.0.1"), true);
 * ```
 */
export class TrustedProxies {
  readonly #ranges: readonly Range[];

  private constructor(ranges: readonly Range[]) {
    this.#ranges = ranges;
  }

  /** No proxy is trusted. */
  static readonly NONE: TrustedProxies = new TrustedProxies([]);

  /**
   * Read a comma-separated list of addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`);
   * `none` or an empty list trusts nobody.
   * @throws {RangeError} naming the entry that is not an address or range
   */
  static parse(list: string): TrustedProxies {
    const entries = list.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
    if (entries.length === 1 && entries[0] === "none") return TrustedProxies.NONE;
    const ranges = entries.map((entry) => {
      const [address = "", bitsText, ...rest] = entry.split("/");
      const bytes = parseIp(address);
      const maxBits = (bytes?.length ?? 0) * 8;
      const bits = bitsText === undefined ? maxBits : Number(bitsText);
      if (
        bytes === undefined || rest.length > 0 || !Number.isInteger(bits) || bits < 0 ||
        bits > maxBits || (bitsText !== undefined && !/^\d+$/.test(bitsText))
      ) {
        throw new RangeError(`expected addresses or CIDR ranges like 10.0.0.0/8, got ${entry}`);
      }
      return { bytes, bits };
    });
    return new TrustedProxies(ranges);
  }

  /** How many addresses and ranges are trusted. */
  get size(): number {
    return this.#ranges.length;
  }

  /** Whether `address` (an IP literal) lies in a trusted range. */
  has(address: string): boolean {
    const bytes = parseIp(address);
    if (bytes === undefined) return false;
    return this.#ranges.some((range) => inRange(bytes, range));
  }
}

/**
 * The address a request counts under: `peer` (the socket's address), or, when `peer` is a
 * trusted proxy, the right-most hop of `Forwarded` (else `X-Forwarded-For`) that is not a trusted
 * proxy. A hop that is not an IP address (`unknown`, an obfuscated name) leaves it at `peer`.
 */
export function clientAddress(
  headers: Headers,
  peer: string,
  trusted: TrustedProxies = TrustedProxies.NONE,
): string {
  if (trusted.size === 0 || !trusted.has(peer)) return peer;
  const hops = forwardedHops(headers);
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hopAddress(hops[index] ?? "");
    if (hop === undefined) return peer;
    if (!trusted.has(hop)) return hop;
  }
  // Every hop is a trusted proxy: the left-most one started the chain.
  return hops.length === 0 ? peer : hopAddress(hops[0] ?? "") ?? peer;
}

/** The `for=` values of `Forwarded`, or the entries of `X-Forwarded-For`, left to right. */
function forwardedHops(headers: Headers): string[] {
  const forwarded = headers.get("forwarded");
  if (forwarded !== null) {
    const hops: string[] = [];
    for (const element of forwarded.split(",")) {
      for (const pair of element.split(";")) {
        const [name = "", ...value] = pair.split("=");
        if (name.trim().toLowerCase() === "for") hops.push(value.join("=").trim());
      }
    }
    return hops;
  }
  const forwardedFor = headers.get("x-forwarded-for");
  if (forwardedFor === null) return [];
  return forwardedFor.split(",").map((hop) => hop.trim());
}

/**
 * The IP address in one hop, without quotes, brackets or port (`"[2001:db8::1]:4711"`,
 * `192.0.2.1:8080`), or undefined when it is not an IP address.
 */
function hopAddress(hop: string): string | undefined {
  let text = hop.replace(/^"|"$/g, "");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed?.[1] !== undefined) text = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.indexOf(":"));
  return parseIp(text) === undefined ? undefined : text;
}

/**
 * The bytes of an IPv4 (4) or IPv6 (16) literal, an IPv4-mapped IPv6 address as IPv4, or
 * undefined when `text` is not one. Brackets and a zone (`%eth0`) are ignored.
 */
export function parseIp(text: string): Uint8Array | undefined {
  const host = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return v4;
  const v6 = parseIpv6(host);
  if (v6 === undefined) return undefined;
  const mapped = v6.subarray(0, 10).every((byte) => byte === 0) && v6[10] === 0xff &&
    v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [index, part] of parts.entries()) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bytes[index] = Number(part);
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!text.includes(":") || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half === "") return [];
    const groups: number[] = [];
    for (const part of half.split(":")) {
      if (part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        groups.push(Number.parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (const [index, group] of groups.entries()) {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  }
  return bytes;
}

function inRange(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  const wholeBytes = Math.floor(range.bits / 8);
  for (let index = 0; index < wholeBytes; index++) {
    if (bytes[index] !== range.bytes[index]) return false;
  }
  const restBits = range.bits % 8;
  if (restBits === 0) return true;
  const mask = (0xff << (8 - restBits)) & 0xff;
  return ((bytes[wholeBytes]! ^ range.bytes[wholeBytes]!) & mask) === 0;
}
