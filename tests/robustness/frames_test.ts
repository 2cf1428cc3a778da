/**
 * Hostile messages at our own frame layer (PROTOCOL.md), sent inside valid WebSocket frames by a
 * player in the good client's room: each is answered with the close code of its FrameError and a
 * reason, or ignored and counted, and the good client loses nothing.
 */
import assert from "node:assert/strict";
import { pack } from "msgpackr";
import {
  CloseCode,
  FrameDecoder,
  MessageKind,
  PROTOCOL_VERSION,
} from "../../shared/protocol/mod.ts";
import { concatBytes } from "../support/ws_peer.ts";
import { varint } from "./_hostile_bodies.ts";
import {
  countCase,
  encodeMessages,
  expectClose,
  GoodClient,
  joinedPeer,
  joinMessage,
  openPeer,
  startSuiteServer,
} from "./_support.ts";

const V = PROTOCOL_VERSION;
const { JOIN, INPUT, ACK, PING } = MessageKind;

/** One frame: version, kind, header varints, body length, body. */
function frame(kind: number, header: number[], body: Uint8Array, version = V): Uint8Array {
  return Uint8Array.from([
    version,
    kind,
    ...header.flatMap(varint),
    ...varint(body.length),
    ...body,
  ]);
}

function packed(value: unknown): Uint8Array {
  return new Uint8Array(pack(value));
}

function input(sequence: number, buttons: number, aim: number): Uint8Array {
  return encodeMessages([{ kind: INPUT, sequence, clientTick: 0, buttons, aim }]);
}

/** Whether a server message holds a pong (a seated peer's rides with the tick's snapshot). */
function carriesPong(data: Uint8Array): boolean {
  return new FrameDecoder().decodeServerBatch(data).some((message) =>
    message.kind === MessageKind.PONG
  );
}

const PING_MESSAGE = encodeMessages([{ kind: PING, clientTimeMs: 1 }]);
const INVALID = CloseCode.INVALID_PAYLOAD;
const PROTOCOL = CloseCode.PROTOCOL_ERROR;
const TOO_BIG = CloseCode.MESSAGE_TOO_BIG;

/** A message a joined player sends, and the close it earns. */
interface BadMessage {
  name: string;
  bytes: Uint8Array;
  code: number;
  reason: RegExp;
}

const BAD_MESSAGES: BadMessage[] = [
  { name: "empty message", bytes: new Uint8Array(), code: INVALID, reason: /it is empty/ },
  {
    name: "truncated header: version only",
    bytes: Uint8Array.of(V),
    code: INVALID,
    reason: /Cannot decode frame header: buffer ends at byte 1/,
  },
  {
    name: "truncated header: input without its varints",
    bytes: Uint8Array.of(V, INPUT),
    code: INVALID,
    reason: /Cannot decode input frame: buffer ends/,
  },
  {
    name: "lying body length: 50 announced, 3 sent",
    bytes: Uint8Array.of(V, PING, 50, 0x91, 0x01, 0x02),
    code: INVALID,
    reason: /body has 3 bytes, header announced 50/,
  },
  {
    name: "a valid ping followed by one stray byte",
    bytes: concatBytes([PING_MESSAGE, Uint8Array.of(V)]),
    code: INVALID,
    reason: /buffer ends at byte/,
  },
  {
    name: "unknown format version 4",
    bytes: frame(PING, [], packed([1]), 4),
    code: PROTOCOL,
    reason: /format version 4, this build speaks 3/,
  },
  {
    name: "format version 0",
    bytes: frame(PING, [], packed([1]), 0),
    code: PROTOCOL,
    reason: /format version 0/,
  },
  {
    name: "unknown kind 9",
    bytes: frame(9, [], packed([1])),
    code: PROTOCOL,
    reason: /kind 9 \(code 9\) is not a client message/,
  },
  {
    name: "a server kind (snapshot) sent by a client",
    bytes: frame(MessageKind.SNAPSHOT, [1, 0, 0], packed({ entities: new Uint8Array() })),
    code: PROTOCOL,
    reason: /snapshot \(code 65\) is not a client message/,
  },
  {
    name: "kind 255",
    bytes: frame(255, [], packed([1])),
    code: PROTOCOL,
    reason: /code 255/,
  },
  {
    // The spec leaves 0xc1 unused; the strict reader refuses it like any type outside its subset.
    name: "msgpack byte 0xc1, unused by the spec",
    bytes: frame(PING, [], Uint8Array.of(0xc1)),
    code: INVALID,
    reason: /ping frame: body is not msgpack: type 0xc1 \(reserved\) at byte 0 is not accepted/,
  },
  {
    name: "msgpack ext type -1 (timestamp) with a bad length",
    bytes: frame(PING, [], Uint8Array.of(0xd5, 0xff, 0x00, 0x01)),
    code: INVALID,
    reason: /ping frame/,
  },
  {
    name: "msgpack body with a trailing byte",
    bytes: frame(PING, [], Uint8Array.of(0x91, 0x01, 0x00)),
    code: INVALID,
    reason: /body is not msgpack/,
  },
  {
    name: "msgpack header announcing 4 billion array items",
    bytes: frame(PING, [], Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff)),
    code: INVALID,
    reason: /body is not msgpack/,
  },
  {
    name: "msgpack header announcing a 4 GiB string",
    bytes: frame(PING, [], Uint8Array.of(0xdb, 0xff, 0xff, 0xff, 0xff, 0x41)),
    code: INVALID,
    reason: /body is not msgpack/,
  },
  {
    name: "msgpack map of 4 billion entries",
    bytes: frame(PING, [], Uint8Array.of(0xdf, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02)),
    code: INVALID,
    reason: /body is not msgpack/,
  },
  {
    name: "3,000 nested one-item arrays",
    bytes: frame(PING, [], new Uint8Array([...new Array(3000).fill(0x91), 0x01])),
    code: INVALID,
    reason: /ping frame: body is not msgpack: arrays nest deeper than 8/,
  },
  {
    name: "input with a msgpack body (the version 1 layout)",
    bytes: frame(INPUT, [1, 0, 1, 0, 0, 0], packed([1, 0])),
    code: INVALID,
    reason: /input frame: body has 3 bytes, expected 0/,
  },
  {
    name: "input with a string body",
    bytes: frame(INPUT, [1, 0, 1, 0, 0, 0], packed("left")),
    code: INVALID,
    reason: /input frame: body has 5 bytes, expected 0/,
  },
  {
    name: "input cut after its buttons",
    bytes: Uint8Array.of(V, INPUT, 1, 0, 1),
    code: INVALID,
    reason: /Cannot decode input frame: buffer ends/,
  },
  {
    name: "input buttons 2^40",
    bytes: frame(INPUT, [1, 0, 2 ** 40, 0, 0, 0], new Uint8Array()),
    code: INVALID,
    reason: /input frame: varint (is longer than 5 bytes|\d+ exceeds)/,
  },
  {
    name: "input aim 1000.0001 rad (zigzag 20,000,002 steps)",
    bytes: frame(INPUT, [1, 0, 0, 20_000_002, 0, 0], new Uint8Array()),
    code: INVALID,
    reason: /aim: expected a finite number within ±1000, got 1000.0001/,
  },
  {
    name: "input aim −1000.0001 rad",
    bytes: frame(INPUT, [1, 0, 0, 20_000_001, 0, 0], new Uint8Array()),
    code: INVALID,
    reason: /aim: expected a finite number within ±1000, got -1000.0001/,
  },
  {
    name: "input aim 2^32 − 1 steps",
    bytes: frame(INPUT, [1, 0, 0, 2 ** 32 - 1, 0, 0], new Uint8Array()),
    code: INVALID,
    reason: /aim: expected a finite number within ±1000/,
  },
  {
    name: "input cut before its view alpha byte",
    bytes: Uint8Array.of(V, INPUT, 1, 0, 0, 0, 5),
    code: INVALID,
    reason: /Cannot decode input frame: buffer ends/,
  },
  {
    name: "input whose view tick the room has not reached",
    bytes: frame(INPUT, [1, 0, 0, 0, 2 ** 31, 0], new Uint8Array()),
    code: INVALID,
    reason: /Input view tick 2147483648 is ahead of the room's tick \d+/,
  },
  {
    name: "ping time 2^60",
    bytes: frame(PING, [], packed([2 ** 60])),
    code: INVALID,
    reason: /ping frame time: expected a finite number within ±4503599627370496/,
  },
  {
    // Echoed advanced by the hold, it would pass the 2^53 a pong may carry.
    name: "ping time 2^53 − 1",
    bytes: frame(PING, [], packed([2 ** 53 - 1])),
    code: INVALID,
    reason: /ping frame time: expected a finite number within ±4503599627370496/,
  },
  {
    name: "ack with a body",
    bytes: Uint8Array.of(V, ACK, 1, 1, 0xc0),
    code: INVALID,
    reason: /ack frame: body has 1 bytes, expected 0/,
  },
  {
    name: "overlong varint (redundant zero byte)",
    bytes: Uint8Array.of(V, ACK, 0x81, 0x00, 0),
    code: INVALID,
    reason: /varint has a redundant zero byte/,
  },
  {
    name: "varint of 6 bytes",
    bytes: Uint8Array.of(V, ACK, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0),
    code: INVALID,
    reason: /varint (is longer than 5 bytes|\d+ exceeds)/,
  },
  {
    name: "varint above 2^32 − 1",
    bytes: Uint8Array.of(V, ACK, 0xff, 0xff, 0xff, 0xff, 0x7f, 0),
    code: INVALID,
    reason: /exceeds 4294967295/,
  },
  {
    name: "65 frames in one message",
    bytes: encodeMessages(new Array(65).fill({ kind: ACK, tick: 1 })),
    code: TOO_BIG,
    reason: /more than 64 frames/,
  },
  {
    name: "join name of 100 characters (limit 64)",
    bytes: frame(JOIN, [], packed([V, "dots", "any", "x".repeat(100), ""])),
    code: TOO_BIG,
    reason: /join frame name: string has 100 characters, limit is 64/,
  },
  {
    name: "join token of 600 characters (limit 512)",
    bytes: frame(JOIN, [], packed([V, "dots", "any", "x", "t".repeat(600)])),
    code: TOO_BIG,
    reason: /reconnect token: string has 600 characters, limit is 512/,
  },
  {
    name: "a second join",
    bytes: joinMessage(),
    code: CloseCode.NOT_JOINED,
    reason: /Already joined/,
  },
  {
    name: "input sequence jumping by 2^31",
    bytes: encodeMessages([
      { kind: INPUT, sequence: 1, clientTick: 0, buttons: 0, aim: 0 },
      { kind: INPUT, sequence: 2 ** 31 + 1, clientTick: 0, buttons: 0, aim: 0 },
    ]),
    code: INVALID,
    reason: /Input sequence 2147483649 jumps too far ahead/,
  },
];

/** Messages sent before any join. */
const BEFORE_JOIN: BadMessage[] = [
  {
    name: "input before join",
    bytes: input(1, 1, 0),
    code: CloseCode.NOT_JOINED,
    reason: /Cannot accept input before join/,
  },
  {
    name: "ack before join",
    bytes: encodeMessages([{ kind: ACK, tick: 1 }]),
    code: CloseCode.NOT_JOINED,
    reason: /Cannot accept ack before join/,
  },
  {
    name: "join of another protocol version",
    bytes: frame(JOIN, [], packed([4, "dots", "any", "x", ""])),
    code: CloseCode.VERSION_MISMATCH,
    reason: /Protocol version 4 is not supported; server speaks 3/,
  },
  {
    name: "join body of 4 items",
    bytes: frame(JOIN, [], packed([V, "dots", "any", "x"])),
    code: INVALID,
    reason: /join frame body: expected an array of 5 items, got 4/,
  },
];

Deno.test("bad frames are closed with their code and reason; the good client loses nothing", async (t) => {
  await using suite = await startSuiteServer();
  const url = suite.server.wsUrl;
  const good = await GoodClient.open(url);
  const roomId = good.welcome.roomId;
  await good.until(() => good.snapshots.length >= 3, "first snapshots");

  for (const bad of BAD_MESSAGES) {
    await t.step(bad.name, async () => {
      const window = good.mark(bad.name);
      await using peer = await joinedPeer(url, roomId);
      await peer.sendBinary(bad.bytes);
      await expectClose(peer, bad.code, bad.reason);
      countCase();
      await good.expectHealthy(window);
    });
  }
  for (const bad of BEFORE_JOIN) {
    await t.step(bad.name, async () => {
      const window = good.mark(bad.name);
      await using peer = await openPeer(url);
      await peer.sendBinary(bad.bytes);
      await expectClose(peer, bad.code, bad.reason);
      countCase();
      await good.expectHealthy(window);
    });
  }

  await t.step("input sequences going backwards or repeating are ignored and counted", async () => {
    const window = good.mark("backwards");
    await using peer = await joinedPeer(url, roomId);
    const room = suite.room(roomId);
    const staleBefore = room.stats.inputsStale;
    await peer.sendBinary(input(10, 0, 0));
    const replays = [10, 9, 3, 1];
    for (const sequence of replays) await peer.sendBinary(input(sequence, 0, 0));
    // A ping after them: its pong proves the server handled them, and the socket is still open.
    await peer.sendBinary(PING_MESSAGE);
    for (;;) {
      const event = await peer.receive(2000);
      assert.equal(event.type, "binary", "still open");
      if (event.type === "binary" && carriesPong(event.data)) break;
    }
    assert.equal(room.stats.inputsStale, staleBefore + replays.length);
    countCase(replays.length);
    await good.expectHealthy(window);
  });

  await t.step(
    "an ack of a tick not yet reached is ignored: the baseline stays the last good ack",
    async () => {
      const window = good.mark("future ack");
      await using peer = await joinedPeer(url, roomId);
      const decoder = new FrameDecoder();
      /** The next message's snapshot, and whether the message carried a pong. */
      const nextSnapshot = async () => {
        for (;;) {
          const event = await peer.receive(2000);
          assert.equal(event.type, "binary", "still open");
          if (event.type !== "binary") continue;
          const messages = decoder.decodeServerBatch(event.data);
          const snapshot = messages.find((message) => message.kind === MessageKind.SNAPSHOT);
          const pong = messages.some((message) => message.kind === MessageKind.PONG);
          if (snapshot?.kind === MessageKind.SNAPSHOT) return { snapshot, pong };
        }
      };
      // A good ack first, until the server codes against it.
      const { snapshot: acked } = await nextSnapshot();
      await peer.sendBinary(encodeMessages([{ kind: ACK, tick: acked.tick }]));
      while ((await nextSnapshot()).snapshot.baselineTick !== acked.tick);
      // Then an ack from the future, with a ping: the message carrying the pong was coded after both.
      await peer.sendBinary(encodeMessages([{ kind: ACK, tick: 2 ** 32 - 1 }, {
        kind: PING,
        clientTimeMs: 1,
      }]));
      let answer = await nextSnapshot();
      while (!answer.pong) answer = await nextSnapshot();
      assert.equal(answer.snapshot.baselineTick, acked.tick, "still coded against the good ack");
      countCase();
      await good.expectHealthy(window);
    },
  );

  await t.step("a ping at the time limit is echoed within the range a pong may carry", async () => {
    const window = good.mark("ping at the limit");
    await using peer = await joinedPeer(url, roomId);
    await peer.sendBinary(encodeMessages([{ kind: PING, clientTimeMs: 2 ** 52 }]));
    const decoder = new FrameDecoder();
    for (;;) {
      const event = await peer.receive(2000);
      assert.equal(event.type, "binary", "still open");
      if (event.type !== "binary") break;
      // The whole tick message decodes: its pong's echo is within 2^53.
      const pong = decoder.decodeServerBatch(event.data).find((message) =>
        message.kind === MessageKind.PONG
      );
      if (pong === undefined) continue;
      assert.ok(pong.clientTimeMs >= 2 ** 52 && pong.clientTimeMs <= 2 ** 53);
      break;
    }
    countCase();
    await good.expectHealthy(window);
  });

  await t.step("the good client lost no input", async () => {
    assert.equal(await good.settle(suite.state(roomId)), 0);
    await good.close();
  });
});
