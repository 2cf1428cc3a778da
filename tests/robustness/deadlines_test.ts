/**
 * The connections' join and silence deadlines, driven by a manual clock: the boundaries are
 * exact and no test waits the deadlines out in real time. (The rooms tick on the real clock.)
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../server/tick/clock.ts";
import { CloseCode, FrameDecoder, MessageKind } from "../../shared/protocol/mod.ts";
import type { WsPeer } from "../support/ws_peer.ts";
import {
  countCase,
  encodeMessages,
  eventually,
  expectClose,
  joinedPeer,
  openPeer,
  startSuiteServer,
} from "./_support.ts";

const JOIN_TIMEOUT_MS = 1000;
const MESSAGE_TIMEOUT_MS = 2000;

async function drivenDeadlines() {
  const clock = new ManualClock(0);
  const suite = await startSuiteServer({
    connectionClock: clock,
    connectionLimits: {
      joinTimeoutMs: JOIN_TIMEOUT_MS,
      messageTimeoutMs: MESSAGE_TIMEOUT_MS,
      pingTimeoutMs: 0,
    },
  });
  const kicks = (reason: "join_timeout" | "silent") => suite.server.counters.kicks.get(reason);
  return { clock, suite, kicks };
}

/** Send a ping and wait for its pong: the server has handled the ping by then. */
async function pingAndWait(peer: WsPeer): Promise<void> {
  await peer.sendBinary(encodeMessages([{ kind: MessageKind.PING, clientTimeMs: 1 }]));
  const decoder = new FrameDecoder();
  for (;;) {
    const event = await peer.receive(3000);
    assert.equal(event.type, "binary");
    if (event.type !== "binary") return;
    const messages = decoder.decodeServerBatch(event.data);
    if (messages.some((message) => message.kind === MessageKind.PONG)) return;
  }
}

Deno.test("a socket that never joins is closed with 1008 at the join deadline, not a millisecond before", async () => {
  const { clock, suite, kicks } = await drivenDeadlines();
  await using _suite = suite;
  await using peer = await openPeer(suite.server.wsUrl);
  await eventually(() => suite.server.counters.openConnections === 1, "server saw the socket");
  clock.advance(JOIN_TIMEOUT_MS - 1);
  assert.equal(kicks("join_timeout"), 0);
  clock.advance(1);
  assert.equal(kicks("join_timeout"), 1);
  await expectClose(
    peer,
    CloseCode.POLICY_VIOLATION,
    new RegExp(`^No join within ${JOIN_TIMEOUT_MS} ms of connecting$`),
  );
  countCase();
});

Deno.test("a joined player that sends nothing is closed at the silence deadline, which each message moves, its seat kept", async () => {
  const { clock, suite, kicks } = await drivenDeadlines();
  await using _suite = suite;
  await using peer = await joinedPeer(suite.server.wsUrl, "new");
  const [room] = suite.server.registry.rooms();
  assert.ok(room !== undefined);
  // The join at 0 ms arms the deadline for 2000 ms; a message at 1500 ms moves it to 3500 ms.
  clock.advance(1500);
  await pingAndWait(peer);
  clock.advance(MESSAGE_TIMEOUT_MS - 1);
  assert.equal(kicks("silent"), 0, "1999 ms after the last message");
  clock.advance(1);
  assert.equal(kicks("silent"), 1);
  await expectClose(
    peer,
    CloseCode.POLICY_VIOLATION,
    new RegExp(`^No complete message for ${MESSAGE_TIMEOUT_MS} ms$`),
  );
  // A silent client is most likely a dead network: the seat waits for a reconnect.
  assert.equal(room.playerCount, 1);
  countCase();
});
