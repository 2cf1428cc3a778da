/**
 * A TCP relay that models what packet loss does to a TCP stream, since this machine cannot drop
 * TCP segments for real (no `netem`): each chunk read from one side is delivered to the other
 * after the link's one-way delay, and a "lost" chunk only after a retransmission timeout more;
 * as TCP delivers in order, every later chunk waits behind it (head-of-line blocking). It is a
 * model, not a measurement: it assumes one segment per chunk (true of a 30 Hz game stream on
 * loopback) and that every loss is recovered by the retransmission timer, Linux's minimum being
 * 200 ms (fast retransmit, which needs three later segments, is at best a little quicker at 30 Hz).
 * @module
 */
import type { LinkConditions } from "./udp_relay.ts";
import { seededRandom } from "./seeded_random.ts";

/** A running relay; dispose it with `await using`. */
export interface TcpLossModelRelay {
  /** The port clients connect to. */
  readonly port: number;
  /** Chunks that were modelled as lost, both directions. */
  readonly lostChunks: number;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Relay every connection made to the returned port to `127.0.0.1:serverPort`, with `conditions`
 * applied as the model above says (`reorder` is ignored: TCP hides reordering).
 */
export function startTcpLossModelRelay(
  serverPort: number,
  conditions: LinkConditions & { retransmitTimeoutMs?: number },
  seed = 1,
): TcpLossModelRelay {
  const random = seededRandom(seed);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections = new Set<Deno.Conn>();
  let lostChunks = 0;
  let closed = false;
  const retransmitMs = conditions.retransmitTimeoutMs ?? 200;
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    let lastDeliveryMs = 0;
    let writing = Promise.resolve();
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const read = await from.read(buffer);
        if (read === null || closed) break;
        const chunk = buffer.slice(0, read);
        let delayMs = conditions.delayMs + (random() * 2 - 1) * conditions.jitterMs;
        if (random() < conditions.loss) {
          lostChunks++;
          delayMs += retransmitMs;
        }
        // In order: no chunk is delivered before the one read before it.
        const deliveryMs = Math.max(performance.now() + delayMs, lastDeliveryMs);
        lastDeliveryMs = deliveryMs;
        writing = writing.then(async () => {
          const waitMs = deliveryMs - performance.now();
          if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
          if (!closed) await to.write(chunk);
        }).catch(() => {});
      }
    } catch {
      // Reset by a peer.
    }
    await writing;
    await to.closeWrite().catch(() => {});
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: "127.0.0.1", port: serverPort });
      connections.add(client).add(server);
      Promise.all([pipe(client, server), pipe(server, client)]).finally(() => {
        for (const conn of [client, server]) {
          connections.delete(conn);
          try {
            conn.close();
          } catch {
            // Closed.
          }
        }
      });
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get lostChunks() {
      return lostChunks;
    },
    async [Symbol.asyncDispose]() {
      closed = true;
      listener.close();
      for (const conn of connections) {
        try {
          conn.close();
        } catch {
          // Closed.
        }
      }
      await accepting;
    },
  };
}
