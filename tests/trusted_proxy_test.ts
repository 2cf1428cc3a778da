/**
 * The per-address limit behind a reverse proxy, over real sockets: only a trusted proxy's
 * `X-Forwarded-For` / `Forwarded` names the client it counts.
 * @module
 */
import assert from "node:assert/strict";
import { createArenaGame } from "../server/games/arena.ts";
import { startServer } from "../server/server.ts";
import { TrustedProxies } from "../server/transport/trusted_proxies.ts";
import { SUBPROTOCOL } from "../shared/protocol/mod.ts";
import { HandshakeError, WsPeer } from "./support/ws_peer.ts";

function connectAs(url: string, forwarded: Record<string, string>): Promise<WsPeer> {
  return WsPeer.connect(url, { protocols: [SUBPROTOCOL], headers: forwarded });
}

async function refusal(url: string, forwarded: Record<string, string>): Promise<string> {
  try {
    const peer = await connectAs(url, forwarded);
    await peer.closeSocket();
  } catch (error) {
    if (error instanceof HandshakeError) return `${error.status} ${error.body.trim()}`;
    throw error;
  }
  return "accepted";
}

/** Run `body` against a server allowing one socket per address, with `peers` closed after. */
async function withServer(
  trustedProxies: TrustedProxies | undefined,
  body: (url: string, peers: WsPeer[]) => Promise<void>,
): Promise<void> {
  const server = await startServer({
    games: [createArenaGame({ npcCount: 0 })],
    port: 0,
    connectionLimits: { maxConnectionsPerAddress: 1 },
    ...(trustedProxies === undefined ? {} : { trustedProxies }),
  });
  const peers: WsPeer[] = [];
  try {
    await body(server.wsUrl, peers);
  } finally {
    await Promise.all(peers.map((peer) => peer.closeSocket()));
    await server.shutdown("Test finished", 1000);
  }
}

Deno.test("behind a trusted proxy each forwarded client gets its own per-address slots", async () => {
  await withServer(TrustedProxies.parse("127.0.0.1, ::1"), async (url, peers) => {
    peers.push(await connectAs(url, { "X-Forwarded-For": "203.0.113.1" }));
    peers.push(await connectAs(url, { Forwarded: "for=203.0.113.2" }));
    // A client's own hop on the left is not believed: the proxy's right-most hop counts.
    assert.equal(
      await refusal(url, { "X-Forwarded-For": "198.51.100.1, 203.0.113.1" }),
      "429 Too many connections from 203.0.113.1: at most 1 at once",
    );
  });
});

Deno.test("without a trusted proxy forwarding headers are ignored: one address, one limit", async () => {
  await withServer(undefined, async (url, peers) => {
    peers.push(await connectAs(url, { "X-Forwarded-For": "203.0.113.1" }));
    assert.equal(
      await refusal(url, { "X-Forwarded-For": "203.0.113.2" }),
      "429 Too many connections from 127.0.0.1: at most 1 at once",
    );
  });
});
