/**
 * Hostile WebTransport sessions: garbage, oversized and misplaced datagrams, datagrams before the
 * join, a datagram flood and a broken stream. Each is answered (a close with its code as the
 * session's close code, or ignored) and counted, and a good WebSocket client in the same room
 * loses nothing.
 * @module
 */
import assert from "node:assert/strict";
import { CloseCode, MessageKind, prefixBatch } from "../../shared/protocol/mod.ts";
import {
  countCase,
  encodeMessages,
  eventually,
  GoodClient,
  joinMessage,
  startSuiteServer,
} from "./_support.ts";
import type { RunningServer } from "../../server/server.ts";

/** A raw session: the stream's writer and the datagrams' writer, and how it closed. */
interface RawSession {
  session: WebTransport;
  stream: WritableStreamDefaultWriter<Uint8Array>;
  datagrams: WritableStreamDefaultWriter<Uint8Array>;
  closed: Promise<{ closeCode: number; reason: string }>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function openRawSession(server: RunningServer): Promise<RawSession> {
  const webTransport = server.webTransport;
  if (webTransport === null) throw new Error("No WebTransport listener");
  const session = new WebTransport(`https://127.0.0.1:${webTransport.port}/`, {
    serverCertificateHashes: webTransport.certificateHashes().map((hash) => ({
      algorithm: "sha-256",
      value: Uint8Array.from(atob(hash), (char) => char.charCodeAt(0)),
    })),
  });
  await session.ready;
  const bidirectional = await session.createBidirectionalStream();
  // The server's answers are not read here: only the session's close is.
  bidirectional.readable.cancel().catch(() => {});
  const stream = bidirectional.writable.getWriter();
  const datagrams = session.datagrams.writable.getWriter();
  stream.closed.catch(() => {});
  datagrams.closed.catch(() => {});
  const closed = session.closed.then(
    (info: WebTransportCloseInfo | undefined) => ({
      closeCode: info?.closeCode ?? 0,
      reason: info?.reason ?? "",
    }),
    (error: unknown) => ({ closeCode: -1, reason: String(error) }),
  );
  return {
    session,
    stream,
    datagrams,
    closed,
    async [Symbol.asyncDispose]() {
      try {
        session.close();
      } catch {
        // Closed already.
      }
      await closed;
    },
  };
}

/** Open a raw session and join `roomId` on its stream; resolves once the server seated it. */
async function joinedSession(server: RunningServer, roomId: string): Promise<RawSession> {
  const raw = await openRawSession(server);
  const playersBefore = server.registry.get(roomId)?.playerCount ?? 0;
  await raw.stream.write(prefixBatch(joinMessage(roomId)));
  await eventually(
    () => (server.registry.get(roomId)?.playerCount ?? 0) > playersBefore,
    "the session to be seated",
  );
  return raw;
}

function input(sequence: number): Uint8Array {
  return encodeMessages([{ kind: MessageKind.INPUT, sequence, clientTick: 0, values: [1, 0] }]);
}

async function expectSessionClose(raw: RawSession, code: number, reason: RegExp): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("Session not closed within 3 s")), 3000);
  });
  const closed = await Promise.race([raw.closed, timeout]).finally(() => clearTimeout(timer));
  assert.equal(closed.closeCode, code, `close code, reason ${JSON.stringify(closed.reason)}`);
  assert.match(closed.reason, reason);
}

Deno.test("hostile WebTransport sessions are closed or ignored, counted, and harm nobody", async (t) => {
  await using suite = await startSuiteServer({ operatorRoutes: true });
  const server = suite.server;
  const counters = server.counters;
  const good = await GoodClient.open(server.wsUrl);
  const roomId = good.welcome.roomId;
  await good.until(() => good.snapshots.length >= 3, "first snapshots");

  await t.step("an input datagram before the join closes the session with 4004", async () => {
    const window = good.mark("datagram before join");
    await using raw = await openRawSession(server);
    await raw.datagrams.write(input(1));
    await expectSessionClose(raw, CloseCode.NOT_JOINED, /^Cannot accept input before join$/);
    countCase();
    await good.expectHealthy(window);
  });

  await t.step("a join sent as a datagram is refused with 1002", async () => {
    const window = good.mark("join as a datagram");
    await using raw = await openRawSession(server);
    const before = counters.decodeErrors.get("unknown_kind") ?? 0;
    await raw.datagrams.write(joinMessage(roomId));
    await expectSessionClose(raw, CloseCode.PROTOCOL_ERROR, /^Cannot accept join in a datagram/);
    assert.equal(counters.decodeErrors.get("unknown_kind"), before + 1);
    countCase();
    await good.expectHealthy(window);
  });

  await t.step(
    "a garbage datagram after the join closes with the decoder's code, counted",
    async () => {
      const window = good.mark("garbage datagram");
      await using raw = await joinedSession(server, roomId);
      const before = counters.decodeErrors.get("unsupported_version") ?? 0;
      await raw.datagrams.write(new Uint8Array([0xff, 0x02, 0x01]));
      await expectSessionClose(raw, CloseCode.PROTOCOL_ERROR, /version/);
      assert.equal(counters.decodeErrors.get("unsupported_version"), before + 1);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /game_server_webtransport_datagrams_in_total [1-9]/);
      countCase();
      await good.expectHealthy(window);
    },
  );

  await t.step(
    "a datagram over the session's size never reaches the server; the session lives",
    async () => {
      const window = good.mark("oversized datagram");
      await using raw = await joinedSession(server, roomId);
      const before = counters.webTransport.datagramsIn;
      const size = raw.session.datagrams.maxDatagramSize;
      // QUIC cannot carry it: the client's stack drops it (or refuses the write).
      await raw.datagrams.write(new Uint8Array(size + 100).fill(2)).catch(() => {});
      await raw.datagrams.write(input(1));
      await eventually(() => counters.webTransport.datagramsIn > before, "the next datagram");
      assert.equal(counters.webTransport.datagramsIn, before + 1, "only the one that fits");
      countCase();
      await good.expectHealthy(window);
    },
  );

  await t.step("a stream batch announcing more than 4,096 bytes closes with 1009", async () => {
    const window = good.mark("oversized stream batch");
    await using raw = await joinedSession(server, roomId);
    // Length prefix 5,000 (varint 88 27), then nothing: refused on the prefix, not buffered.
    await raw.stream.write(new Uint8Array([0x88, 0x27]));
    await expectSessionClose(raw, CloseCode.MESSAGE_TOO_BIG, /5000 bytes, limit 4096/);
    countCase();
    await good.expectHealthy(window);
  });

  await t.step("a datagram flood is throttled, then cut with 1008", async () => {
    const window = good.mark("datagram flood");
    await using raw = await joinedSession(server, roomId);
    const kicksBefore = counters.kicks.get("rate_limited") ?? 0;
    // About 1,000 datagrams a second (a QUIC stack drops datagrams written faster than it can
    // send them), for at most 5 s: over 1.5 times the 120 a second allowed, so it must be cut.
    let sent = 0;
    const inBefore = counters.webTransport.datagramsIn;
    const deadline = performance.now() + 5000;
    while (
      (counters.kicks.get("rate_limited") ?? 0) === kicksBefore && performance.now() < deadline
    ) {
      for (let burst = 0; burst < 10; burst++) {
        sent++;
        raw.datagrams.write(input(sent)).catch(() => {});
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    console.log(`flood: ${sent} written, ${counters.webTransport.datagramsIn - inBefore} arrived`);
    await expectSessionClose(raw, CloseCode.POLICY_VIOLATION, /^Too many messages/);
    assert.equal(counters.kicks.get("rate_limited"), kicksBefore + 1);
    countCase(sent);
    await good.expectHealthy(window);
  });

  await good.settle(suite.state(roomId));
  good.close();
});
