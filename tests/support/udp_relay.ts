/// <reference lib="deno.unstable" />
/**
 * A user-space UDP relay that drops, delays and reorders datagrams between one client and a
 * server: this kernel has no `netem` qdisc, so loss for the WebTransport tests and benchmarks is
 * made here. Loopback only.
 * @module
 */
import { seededRandom } from "./seeded_random.ts";

/** How the relay treats each datagram, in each direction. */
export interface LinkConditions {
  /** Share of datagrams dropped, 0..1. */
  loss: number;
  /** One-way delay, ms. */
  delayMs: number;
  /** Each datagram's delay is `delayMs` ± up to this, uniformly, ms. */
  jitterMs: number;
  /** Share of datagrams held back an extra `reorderExtraMs`, so later ones overtake them. */
  reorder: number;
  /**
   * Extra delay of a reordered datagram, ms.
   * @default 20
   */
  reorderExtraMs?: number;
}

/** What the relay did, per direction. */
export interface RelayCounts {
  forwarded: number;
  dropped: number;
  reordered: number;
}

/** A running relay; dispose it with `await using`. */
export interface UdpRelay {
  /** The port clients connect to. */
  readonly port: number;
  /** Counts of the client → server direction. */
  readonly up: RelayCounts;
  /** Counts of the server → client direction. */
  readonly down: RelayCounts;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Relay datagrams between whoever sends to the returned port (the last sender is the client) and
 * `127.0.0.1:serverPort`, under `conditions`, with a seeded PRNG.
 */
export function startUdpRelay(
  serverPort: number,
  conditions: LinkConditions,
  seed = 1,
): UdpRelay {
  const random = seededRandom(seed);
  const front = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const back = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
  const server: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: serverPort };
  let client: Deno.NetAddr | undefined;
  const up: RelayCounts = { forwarded: 0, dropped: 0, reordered: 0 };
  const down: RelayCounts = { forwarded: 0, dropped: 0, reordered: 0 };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  const pass = (
    bytes: Uint8Array,
    out: Deno.DatagramConn,
    to: Deno.NetAddr,
    counts: RelayCounts,
  ) => {
    if (random() < conditions.loss) {
      counts.dropped++;
      return;
    }
    let delayMs = conditions.delayMs + (random() * 2 - 1) * conditions.jitterMs;
    if (random() < conditions.reorder) {
      counts.reordered++;
      delayMs += conditions.reorderExtraMs ?? 20;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (closed) return;
      counts.forwarded++;
      out.send(bytes, to).catch(() => {});
    }, Math.max(0, delayMs));
    timers.add(timer);
  };
  const pump = async (
    from: Deno.DatagramConn,
    forward: (bytes: Uint8Array, addr: Deno.NetAddr) => void,
  ) => {
    try {
      for await (const [bytes, addr] of from) forward(bytes, addr as Deno.NetAddr);
    } catch {
      // Closed.
    }
  };
  const pumps = Promise.all([
    pump(front, (bytes, addr) => {
      client = addr;
      pass(bytes, back, server, up);
    }),
    pump(back, (bytes) => {
      if (client !== undefined) pass(bytes, front, client, down);
    }),
  ]);
  return {
    port: (front.addr as Deno.NetAddr).port,
    up,
    down,
    async [Symbol.asyncDispose]() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      front.close();
      back.close();
      await pumps;
    },
  };
}
