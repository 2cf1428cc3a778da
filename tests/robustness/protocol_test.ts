/**
 * RFC 6455 violations and broken upgrades, sent by a player who has joined the good client's room.
 * Each case asserts the exact answer (what the server says, or how Deno drops the socket) and that
 * the good client lost nothing. Deno's answers were measured on Deno 2.9.6; README.md explains them.
 */
import assert from "node:assert/strict";
import { CloseCode, MessageKind } from "../../shared/protocol/mod.ts";
import { HandshakeError, Opcode, WsPeer } from "../support/ws_peer.ts";
import type { WsFrameInit } from "../support/ws_peer.ts";
import {
  countCase,
  encodeMessages,
  eventually,
  expectClose,
  expectDrop,
  GoodClient,
  joinedPeer,
  openPeer,
  startSuiteServer,
} from "./_support.ts";

const PING = encodeMessages([{ kind: MessageKind.PING, clientTimeMs: 1 }]);
const INVALID_UTF8 = Uint8Array.of(0x48, 0xc3, 0x28, 0xff);

/** One misbehaviour: what the attacker sends after joining, and what comes back. */
interface FramingCase {
  name: string;
  send: (peer: WsPeer) => Promise<void>;
  /** `drop`: Deno ends the TCP stream without a close frame. */
  answer: "drop" | { code: number; reason: RegExp };
  /**
   * Whether the attacker's seat is given up at once: only when our server closes the socket
   * itself. Any other end (a drop, Deno's own 1002) looks like a lost network, and the seat is
   * kept for the reconnect grace period.
   */
  releasesSeat?: boolean;
}

function frame(init: WsFrameInit): (peer: WsPeer) => Promise<void> {
  return (peer) => peer.sendFrame(init);
}

function closePayload(code: number, reason: Uint8Array = new Uint8Array()): Uint8Array {
  const payload = new Uint8Array(2 + reason.length);
  new DataView(payload.buffer).setUint16(0, code);
  payload.set(reason, 2);
  return payload;
}

const FRAMING_CASES: FramingCase[] = [
  ...(["rsv1", "rsv2", "rsv3"] as const).map((bit): FramingCase => ({
    name: `reserved bit ${bit} set on a binary frame`,
    send: frame({ opcode: Opcode.BINARY, payload: PING, [bit]: true }),
    answer: "drop",
  })),
  ...[0x3, 0x7, 0xb, 0xf].map((opcode): FramingCase => ({
    name: `unknown opcode 0x${opcode.toString(16)}`,
    send: frame({ opcode, payload: PING }),
    answer: "drop",
  })),
  {
    name: "fragmented control frame (ping without FIN)",
    send: frame({ opcode: Opcode.PING, fin: false, payload: Uint8Array.of(1) }),
    answer: "drop",
  },
  {
    name: "control frame over 125 bytes (126-byte ping)",
    send: frame({ opcode: Opcode.PING, payload: new Uint8Array(126) }),
    answer: "drop",
  },
  {
    name: "continuation frame without a start",
    send: frame({ opcode: Opcode.CONTINUATION, payload: PING }),
    answer: "drop",
  },
  {
    name: "new data frame inside a fragmented message",
    send: async (peer) => {
      await peer.sendFrame({ opcode: Opcode.BINARY, fin: false, payload: PING });
      await peer.sendFrame({ opcode: Opcode.BINARY, payload: PING });
    },
    answer: "drop",
  },
  {
    name: "64-bit length with its most significant bit set",
    send: (peer) => peer.sendFrame({ opcode: Opcode.BINARY }, { announcedLength: 1n << 63n }),
    answer: "drop",
  },
  {
    name: "text frame where binary is expected",
    send: (peer) => peer.sendText("hello"),
    answer: { code: CloseCode.UNSUPPORTED_DATA, reason: /text messages are not accepted/ },
    releasesSeat: true,
  },
  {
    name: "text frame that is not UTF-8",
    send: frame({ opcode: Opcode.TEXT, payload: INVALID_UTF8 }),
    answer: "drop",
  },
  {
    name: "close frame with a 1-byte payload",
    send: frame({ opcode: Opcode.CLOSE, payload: Uint8Array.of(3) }),
    answer: "drop",
  },
  {
    name: "close reason that is not UTF-8",
    send: frame({ opcode: Opcode.CLOSE, payload: closePayload(1000, INVALID_UTF8) }),
    answer: "drop",
  },
  ...[999, 1004, 1005, 1006, 2999, 5000].map((code): FramingCase => ({
    name: `close with invalid code ${code}`,
    send: frame({ opcode: Opcode.CLOSE, payload: closePayload(code) }),
    answer: { code: CloseCode.PROTOCOL_ERROR, reason: /^$/ },
  })),
];

Deno.test("RFC 6455 violations get Deno's answer and the good client in the room loses nothing", async (t) => {
  await using suite = await startSuiteServer();
  const url = suite.server.wsUrl;
  const good = await GoodClient.open(url);
  const roomId = good.welcome.roomId;
  await good.until(() => good.snapshots.length >= 3, "first snapshots");

  await t.step(
    "unmasked client frame: accepted by Deno (RFC says 1002), so it reaches us",
    async () => {
      const window = good.mark("unmasked");
      await using peer = await joinedPeer(url, roomId);
      await peer.sendFrame({ opcode: Opcode.BINARY, payload: PING, mask: null });
      // The ping inside it is answered: Deno 2.9.6 never checks the mask bit.
      const answer = await peer.receive(2000);
      assert.equal(answer.type, "binary");
      await peer.close(1000, "done");
      assert.equal((await peer.readClose(2000)).code, 1000);
      countCase();
      await good.expectHealthy(window);
    },
  );

  for (const testCase of FRAMING_CASES) {
    await t.step(testCase.name, async () => {
      const window = good.mark(testCase.name);
      const seatsBefore = suite.room(roomId).playerCount;
      await using peer = await joinedPeer(url, roomId);
      const openBefore = suite.server.counters.openConnections;
      await testCase.send(peer);
      if (testCase.answer === "drop") {
        await expectDrop(peer);
      } else {
        await expectClose(peer, testCase.answer.code, testCase.answer.reason);
      }
      // The server side saw the socket end too: nothing is left half-open.
      await eventually(
        () => suite.server.counters.openConnections < openBefore,
        "server-side socket closed",
      );
      const seats = seatsBefore + (testCase.releasesSeat === true ? 0 : 1);
      assert.equal(suite.room(roomId).playerCount, seats, "seat kept or released");
      countCase();
      await good.expectHealthy(window);
    });
  }

  await t.step(
    "a dropped attacker keeps its seat for the grace period (Deno's drop looks like a lost network)",
    () => {
      // Every attacker that Deno cut off still holds its seat; the good client holds one, the
      // unmasked attacker (a clean close) and the text one (our own close) none.
      const kept = FRAMING_CASES.filter((testCase) => testCase.releasesSeat !== true).length;
      assert.equal(kept, 21);
      assert.equal(suite.room(roomId).playerCount, 1 + kept);
    },
  );

  await t.step("the good client lost no input", async () => {
    assert.equal(await good.settle(suite.state(roomId)), 0);
    await good.close();
  });
});

Deno.test("broken upgrades are answered before any socket exists", async (t) => {
  await using suite = await startSuiteServer();
  const url = suite.server.wsUrl;
  const good = await GoodClient.open(url);
  const cases: {
    name: string;
    headers: Record<string, string | null>;
    status: number;
    body: RegExp;
  }[] = [
    {
      name: "missing Sec-WebSocket-Key (Deno throws, we answer 400)",
      headers: { "Sec-WebSocket-Key": null },
      status: 400,
      body: /^Bad WebSocket upgrade: .*sec-websocket-key/i,
    },
    {
      name: "Connection header without Upgrade (Deno throws, we answer 400)",
      headers: { Connection: "keep-alive" },
      status: 400,
      body: /^Bad WebSocket upgrade: .*connection/i,
    },
    {
      name: "Upgrade header that is not websocket",
      headers: { Upgrade: "h2c" },
      status: 426,
      body: /^Upgrade required/,
    },
    {
      name: "no game.v3 subprotocol offered",
      headers: { "Sec-WebSocket-Protocol": "chat" },
      status: 400,
      body: /offer game\.v3/,
    },
  ];
  for (const testCase of cases) {
    await t.step(testCase.name, async () => {
      const window = good.mark(testCase.name);
      const refusedBefore = suite.server.counters.upgradesRefused;
      await assert.rejects(
        WsPeer.connect(url, { protocols: ["game.v3"], headers: testCase.headers }),
        (error: unknown) => {
          assert.ok(error instanceof HandshakeError);
          assert.equal(error.status, testCase.status);
          assert.match(error.body, testCase.body);
          return true;
        },
      );
      assert.equal(suite.server.counters.upgradesRefused, refusedBefore + 1);
      countCase();
      await good.expectHealthy(window);
    });
  }
  await t.step("a valid upgrade still works after them", async () => {
    await using peer = await openPeer(url);
    assert.equal(peer.protocol, "game.v3");
  });
  assert.equal(await good.settle(suite.state(good.welcome.roomId)), 0);
  await good.close();
});
