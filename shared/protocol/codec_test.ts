import assert from "node:assert/strict";
import { seededRandom } from "../../tests/support/seeded_random.ts";
import {
  ClientFrameField,
  ClientFrames,
  CloseCode,
  defineInput,
  encodeBatch,
  FrameDecoder,
  FrameEncoder,
  FrameError,
  FrameErrorReason,
  type Message,
  MessageKind,
  PROTOCOL_VERSION,
} from "./mod.ts";

const CLIENT_MESSAGES: Message[] = [
  {
    kind: MessageKind.JOIN,
    protocolVersion: PROTOCOL_VERSION,
    game: "arena",
    room: "any",
    name: "Zoë",
    reconnectToken: "",
  },
  {
    kind: MessageKind.JOIN,
    protocolVersion: PROTOCOL_VERSION,
    game: "arena",
    room: "friends.k2x9q1",
    name: "ada",
    reconnectToken: "",
    seat: "c2VhdA.bWFj",
  },
  {
    kind: MessageKind.INPUT,
    sequence: 4_000_000_000,
    clientTick: 77,
    values: [0b10011, -2.5],
    viewTick: 75,
    viewAlpha: 255,
  },
  { kind: MessageKind.ACK, tick: 12345 },
  { kind: MessageKind.PING, clientTimeMs: 1234.5 },
  { kind: MessageKind.COMMAND, name: "chat", args: ["hi", -3, true, 0.5] },
];

const SERVER_MESSAGES: Message[] = [
  {
    kind: MessageKind.WELCOME,
    playerId: 7,
    roomId: "r-1",
    game: "arena",
    tickRateHz: 30,
    snapshotEveryTicks: 1,
    tick: 99,
    reconnectToken: "abc.def",
    entityFields: ["id", "x", "angle"],
    entityScales: [1, 16, 256 / (2 * Math.PI)],
    entityWraps: [0, 0, 256],
    entityHotMask: 1,
    entityVelocities: [0, 0, 0],
  },
  {
    kind: MessageKind.SNAPSHOT,
    tick: 100,
    baselineTick: 97,
    lastInputSequence: 55,
    entities: new Uint8Array([0, 1, 1, 8, 2, 0]),
    global: [7, 3, 9, 0.5],
  },
  {
    kind: MessageKind.SNAPSHOT,
    tick: 5,
    baselineTick: 0,
    lastInputSequence: 0,
    entities: new Uint8Array([0, 0, 0]),
    global: null,
  },
  {
    kind: MessageKind.EVENT,
    tick: 100,
    type: "joined",
    actor: 7,
    target: 0,
    value: 0,
    text: "Zoë",
  },
  { kind: MessageKind.PONG, clientTimeMs: 1234.5, serverTimeMs: 99.25 },
  { kind: MessageKind.ERROR, code: CloseCode.ROOM_FULL, reason: "Room r-1 is full (2 of 2)" },
];

/** The arena's input declaration, restated: shared/protocol knows no game. */
const INPUT = defineInput([
  { name: "buttons", type: "bits", bits: 6 },
  { name: "aim", type: "axis", min: -1000, max: 1000, scale: 10_000 },
]);

function encode(messages: readonly Message[]): Uint8Array<ArrayBuffer> {
  return encodeBatch(messages, INPUT);
}

function newDecoder(): FrameDecoder {
  const decoder = new FrameDecoder();
  decoder.inputLayout = INPUT;
  return decoder;
}

function hex(text: string): Uint8Array {
  return new Uint8Array(text.split(" ").map((byte) => parseInt(byte, 16)));
}

function rejects(bytes: Uint8Array, reason: FrameErrorReason, from: "client" | "server") {
  const decoder = newDecoder();
  assert.throws(
    () => from === "client" ? decoder.decodeClientBatch(bytes) : decoder.decodeServerBatch(bytes),
    (error: unknown) => {
      assert.ok(error instanceof FrameError, `expected FrameError, got ${error}`);
      assert.equal(error.reason, reason, error.message);
      assert.match(error.message, /^Cannot decode/);
      return true;
    },
  );
}

Deno.test("FrameDecoder round-trips every client message kind", () => {
  const decoder = newDecoder();
  for (const message of CLIENT_MESSAGES) {
    assert.deepEqual(decoder.decodeClientBatch(encode([message])), [message]);
  }
  assert.deepEqual(decoder.decodeClientBatch(encode(CLIENT_MESSAGES)), CLIENT_MESSAGES);
});

Deno.test("decodeClientFrames reads inputs, acks and pings into reused arrays, all or nothing", () => {
  const decoder = newDecoder();
  const frames = new ClientFrames();
  const batch = encode([
    {
      kind: MessageKind.INPUT,
      sequence: 70_000,
      clientTick: 9,
      values: [5, -1.5],
      viewTick: 7,
      viewAlpha: 3,
    },
    { kind: MessageKind.ACK, tick: 41 },
    { kind: MessageKind.PING, clientTimeMs: 1234.5 },
  ]);
  assert.equal(decoder.decodeClientFrames(batch, frames), frames);
  assert.equal(frames.count, 3);
  assert.deepEqual([...frames.kinds.subarray(0, 3)], [
    MessageKind.INPUT,
    MessageKind.ACK,
    MessageKind.PING,
  ]);
  assert.deepEqual([...frames.fields.subarray(0, 6)], [70_000, 9, 7, 3, 5, -1.5]);
  // The accessors read the named offsets of that shared array.
  assert.deepEqual(
    [
      frames.inputSequence(0),
      frames.inputClientTick(0),
      frames.inputViewTick(0),
      frames.inputViewAlpha(0),
      frames.fields[frames.inputValuesAt(0)],
    ],
    [70_000, 9, 7, 3, 5],
  );
  assert.equal(frames.inputValuesAt(0), ClientFrameField.INPUT_VALUES);
  assert.equal(frames.ackTick(1), 41);
  assert.equal(frames.fields[ClientFrames.FIELDS_PER_FRAME + ClientFrameField.ACK_TICK], 41);
  assert.equal(frames.pingClientTimeMs(2), 1234.5);
  assert.throws(() => frames.ackTick(3), /Cannot read client frame 3: 3 decoded/);
  // The next batch reuses the arrays and forgets the previous count.
  decoder.decodeClientFrames(encode([{ kind: MessageKind.ACK, tick: 42 }]), frames);
  assert.equal(frames.count, 1);
  assert.deepEqual(frames.message(0), { kind: MessageKind.ACK, tick: 42 });
  assert.throws(() => frames.message(1), RangeError);
  // A good input followed by a truncated ack: the whole batch is refused.
  const bad = encode([
    { kind: MessageKind.INPUT, sequence: 1, clientTick: 1, values: [0, 0] },
    { kind: MessageKind.ACK, tick: 1 },
  ]);
  assert.throws(
    () => decoder.decodeClientFrames(bad.subarray(0, bad.length - 1), frames),
    (error: unknown) => error instanceof FrameError && error.reason === FrameErrorReason.TRUNCATED,
  );
});

Deno.test("FrameDecoder round-trips every server message kind", () => {
  const decoder = newDecoder();
  for (const message of SERVER_MESSAGES) {
    assert.deepEqual(decoder.decodeServerBatch(encode([message])), [message]);
  }
  assert.deepEqual(decoder.decodeServerBatch(encode(SERVER_MESSAGES)), SERVER_MESSAGES);
});

Deno.test("FrameEncoder writes the byte vectors computed by hand from PROTOCOL.md", () => {
  // input: version 4, kind 2, sequence 300 = ac 02, clientTick 5, view tick 200 = c8 01, view
  // alpha 128 = 80, then the game's fields: buttons 9, aim 0.5 rad = 5000 steps, zigzag 10000 =
  // 90 4e; empty body.
  assert.deepEqual(
    encode([{
      kind: MessageKind.INPUT,
      sequence: 300,
      clientTick: 5,
      values: [9, 0.5],
      viewTick: 200,
      viewAlpha: 128,
    }]),
    hex("04 02 ac 02 05 c8 01 80 09 90 4e 00"),
  );
  // an input that names no view (before the first snapshot) still carries both fields.
  assert.deepEqual(
    encode([{ kind: MessageKind.INPUT, sequence: 1, clientTick: 0, values: [0, 0] }]),
    hex("04 02 01 00 00 00 00 00 00"),
  );
  // command chat ["hi"]: body fixarray of 2 = 92, fixstr "chat" = a4 63 68 61 74, "hi" = a2 68 69.
  assert.deepEqual(
    encode([{ kind: MessageKind.COMMAND, name: "chat", args: ["hi"] }]),
    hex("04 05 09 92 a4 63 68 61 74 a2 68 69"),
  );
  // ack: tick 129 = 81 01, empty body.
  assert.deepEqual(encode([{ kind: MessageKind.ACK, tick: 129 }]), hex("04 03 81 01 00"));
  // snapshot: tick 1000 = e8 07, baseline distance 2, last input 7, body 7 bytes:
  // record 0x41 (second agreed structure), bin8 of 3 bytes, nil global.
  assert.deepEqual(
    encode([{
      kind: MessageKind.SNAPSHOT,
      tick: 1000,
      baselineTick: 998,
      lastInputSequence: 7,
      entities: new Uint8Array([0, 0, 0]),
      global: null,
    }]),
    hex("04 41 e8 07 02 07 07 41 c4 03 00 00 00 c0"),
  );
  // two frames in one message: ping [12] then ack 1.
  assert.deepEqual(
    encode([{ kind: MessageKind.PING, clientTimeMs: 12 }, { kind: MessageKind.ACK, tick: 1 }]),
    hex("04 04 02 91 0c 04 03 01 00"),
  );
});

Deno.test("FrameEncoder.addSnapshot() shares one body between clients: only the header differs", () => {
  const encoder = new FrameEncoder();
  const entities = new Uint8Array([0, 1, 1, 8, 2, 0]);
  const body = encoder.encodeSnapshotBody({ entities, global: [7, 3] });
  // record 0x41, bin8 of 6 bytes, fixarray [7, 3].
  assert.deepEqual(new Uint8Array(body), hex("41 c4 06 00 01 01 08 02 00 92 07 03"));
  encoder.addSnapshot(10, 0, 3, body);
  const first = encoder.finish();
  encoder.addSnapshot(10, 8, 4, body);
  const second = encoder.finish();
  // version, kind, tick 10, baseline distance (0 = full, 2), last input, body length, the body.
  assert.deepEqual(first, new Uint8Array([...hex("04 41 0a 00 03 0c"), ...body]));
  assert.deepEqual(second, new Uint8Array([...hex("04 41 0a 02 04 0c"), ...body]));
  const decoder = newDecoder();
  const snapshot = { kind: MessageKind.SNAPSHOT, tick: 10, entities, global: [7, 3] } as const;
  assert.deepEqual(decoder.decodeServerBatch(first), [
    { ...snapshot, baselineTick: 0, lastInputSequence: 3 },
  ]);
  assert.deepEqual(decoder.decodeServerBatch(second), [
    { ...snapshot, baselineTick: 8, lastInputSequence: 4 },
  ]);
});

Deno.test("FrameEncoder.addSnapshotParts() writes the bytes msgpackr writes for the body", () => {
  const encoder = new FrameEncoder();
  const decoder = newDecoder();
  for (const size of [0, 3, 255, 256, 65_535, 65_536, 70_000]) {
    const entities = new Uint8Array(size).map((_, index) => index * 7);
    for (const global of [null, [1, 2.5, -3], []]) {
      encoder.addSnapshot(9, 7, 3, encoder.encodeSnapshotBody({ entities, global }));
      const reference = encoder.finish();
      encoder.addSnapshotParts(9, 7, 3, entities, encoder.packGlobal(global));
      assert.deepEqual(encoder.finish(), reference, `size ${size}, global ${global}`);
      const [decoded] = decoder.decodeServerBatch(reference);
      assert.equal(decoded?.kind === MessageKind.SNAPSHOT && decoded.entities.length, size);
    }
  }
});

Deno.test("FrameDecoder rejects truncated headers and lying body lengths", () => {
  rejects(hex("04"), FrameErrorReason.TRUNCATED, "client");
  rejects(hex("04 02 ac"), FrameErrorReason.TRUNCATED, "client");
  rejects(hex("04 02 ac 02 05 c8"), FrameErrorReason.TRUNCATED, "client");
  // an input without its view alpha byte, one cut inside its game fields, one without its body
  // length.
  rejects(hex("04 02 ac 02 05 c8 01"), FrameErrorReason.TRUNCATED, "client");
  rejects(hex("04 02 ac 02 05 c8 01 80 09 90"), FrameErrorReason.TRUNCATED, "client");
  rejects(hex("04 02 ac 02 05 c8 01 80 09 90 4e"), FrameErrorReason.TRUNCATED, "client");
  rejects(new Uint8Array(0), FrameErrorReason.TRUNCATED, "client");
  rejects(hex("04 04 00"), FrameErrorReason.TRUNCATED, "client");
});

Deno.test("FrameDecoder rejects trailing bytes inside a body and after a frame", () => {
  // body length 3 holds fixarray [12] plus one stray byte.
  rejects(hex("04 04 03 91 0c 00"), FrameErrorReason.TRAILING_BYTES, "client");
  // a complete ack followed by a lone byte that starts no frame.
  rejects(hex("04 03 01 00 04"), FrameErrorReason.TRUNCATED, "client");
  // an ack with a body.
  rejects(hex("04 03 01 01 c0"), FrameErrorReason.BAD_FIELD, "client");
});

Deno.test("FrameDecoder rejects unknown versions and kinds, and kinds sent the wrong way", () => {
  rejects(hex("02 03 01 00"), FrameErrorReason.UNSUPPORTED_VERSION, "client");
  rejects(hex("03 03 01 00"), FrameErrorReason.UNSUPPORTED_VERSION, "client");
  rejects(hex("04 63 00"), FrameErrorReason.UNKNOWN_KIND, "client");
  rejects(hex("04 44 00"), FrameErrorReason.UNKNOWN_KIND, "client");
  rejects(hex("04 03 01 00"), FrameErrorReason.UNKNOWN_KIND, "server");
  const error = new FrameError(FrameErrorReason.UNKNOWN_KIND, "x");
  assert.equal(error.closeCode, CloseCode.PROTOCOL_ERROR);
});

Deno.test("FrameDecoder rejects overlong and oversized varints", () => {
  rejects(hex("04 03 81 00 00"), FrameErrorReason.BAD_VARINT, "client");
  rejects(hex("04 03 ff ff ff ff 7f 00"), FrameErrorReason.BAD_VARINT, "client");
  rejects(hex("04 03 ff ff ff ff ff 01 00"), FrameErrorReason.BAD_VARINT, "client");
});

Deno.test("FrameDecoder rejects msgpack garbage and wrong field types", () => {
  rejects(hex("04 04 01 d9"), FrameErrorReason.BAD_MSGPACK, "client");
  rejects(hex("04 04 02 92 0c"), FrameErrorReason.BAD_MSGPACK, "client");
  // ping body is a string instead of [time].
  rejects(hex("04 04 02 a1 78"), FrameErrorReason.BAD_FIELD, "client");
  // an input with a body: view 0 / 0, buttons 1, aim 0, then 3 bytes of fixarray [1, 0].
  rejects(hex("04 02 01 01 00 00 01 00 03 92 01 00"), FrameErrorReason.BAD_FIELD, "client");
  // an input aim of 1000.0001 rad: 10,000,001 steps, zigzag 20,000,002 = 82 da c4 09.
  rejects(hex("04 02 01 01 00 00 00 82 da c4 09 00"), FrameErrorReason.BAD_FIELD, "client");
  // buttons 64: a seventh bit where 6 are declared.
  rejects(hex("04 02 01 01 00 00 40 00 00"), FrameErrorReason.BAD_FIELD, "client");
  // an overlong view tick (80 00) is a bad varint.
  rejects(hex("04 02 01 01 80 00 00 00 00 00"), FrameErrorReason.BAD_VARINT, "client");
  // the largest aim, −1000 rad (zigzag 19,999,999), and buttons 63 are accepted.
  assert.deepEqual(
    newDecoder().decodeClientBatch(hex("04 02 01 01 00 00 3f ff d9 c4 09 00")),
    [{
      kind: MessageKind.INPUT,
      sequence: 1,
      clientTick: 1,
      viewTick: 0,
      viewAlpha: 0,
      values: [63, -1000],
    }],
  );
  // an inline record definition (msgpackr's fixext 0x72) is not msgpack a client may send.
  rejects(hex("04 04 07 d4 72 40 91 a1 78 01"), FrameErrorReason.BAD_MSGPACK, "client");
});

Deno.test("NaN, Infinity and huge numbers are refused at both ends", () => {
  // An input's aim is a varint: NaN, Infinity and 1e300 cannot even be written.
  for (const aim of [Number.NaN, Infinity, 1e300, -1000.0001]) {
    assert.throws(
      () => encode([{ kind: MessageKind.INPUT, sequence: 1, clientTick: 1, values: [0, aim] }]),
      RangeError,
    );
  }
  for (const viewAlpha of [256, -1, 1.5, Number.NaN]) {
    assert.throws(
      () =>
        encode([{
          kind: MessageKind.INPUT,
          sequence: 1,
          clientTick: 1,
          values: [0, 0],
          viewTick: 1,
          viewAlpha,
        }]),
      RangeError,
    );
  }
  const infinite = encode([{ kind: MessageKind.PING, clientTimeMs: Infinity }]);
  rejects(infinite, FrameErrorReason.BAD_FIELD, "client");
  // a ping time of 1e300 ms is beyond 2^53.
  rejects(
    encode([{ kind: MessageKind.PING, clientTimeMs: 1e300 }]),
    FrameErrorReason.BAD_FIELD,
    "client",
  );
});

Deno.test("FrameDecoder rejects oversized messages, strings and frame counts", () => {
  rejects(new Uint8Array(5000), FrameErrorReason.TOO_BIG, "client");
  const longName = encode([{
    kind: MessageKind.JOIN,
    protocolVersion: 1,
    game: "arena",
    room: "any",
    name: "x".repeat(200),
    reconnectToken: "",
  }]);
  rejects(longName, FrameErrorReason.TOO_BIG, "client");
  const acks = Array.from({ length: 65 }, (_, tick) => ({ kind: MessageKind.ACK, tick }) as const);
  rejects(encode(acks), FrameErrorReason.TOO_BIG, "client");
  assert.equal(new FrameError(FrameErrorReason.TOO_BIG, "x").closeCode, 1009);
});

Deno.test("FrameDecoder rejects a snapshot whose entities are not binary", () => {
  // record 0x41 with entities = fixarray [1] instead of bin.
  rejects(hex("04 41 03 00 00 04 41 91 01 c0"), FrameErrorReason.BAD_FIELD, "server");
});

Deno.test("FrameDecoder survives 100,000 mutated and random buffers with only FrameErrors", () => {
  const random = seededRandom(0xc0ffee);
  const decoder = newDecoder();
  const seeds = [...CLIENT_MESSAGES, ...SERVER_MESSAGES].map((message) => encode([message]));
  let decoded = 0;
  let rejected = 0;
  for (let round = 0; round < 100_000; round++) {
    let bytes: Uint8Array;
    if (round % 4 === 0) {
      bytes = new Uint8Array(1 + Math.floor(random() * 64));
      for (let index = 0; index < bytes.length; index++) bytes[index] = random() * 256;
      if (random() < 0.5) bytes[0] = PROTOCOL_VERSION;
    } else {
      const seed = seeds[Math.floor(random() * seeds.length)] ?? seeds[0];
      bytes = new Uint8Array(seed ?? []);
      const flips = 1 + Math.floor(random() * 4);
      for (let flip = 0; flip < flips; flip++) {
        bytes[Math.floor(random() * bytes.length)] = random() * 256;
      }
      if (random() < 0.2) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
    }
    for (const sender of ["client", "server"] as const) {
      try {
        const messages = sender === "client"
          ? decoder.decodeClientBatch(bytes)
          : decoder.decodeServerBatch(bytes);
        assert.ok(messages.length > 0);
        decoded++;
      } catch (error) {
        if (!(error instanceof FrameError)) {
          throw new Error(`Round ${round} threw a non-FrameError: ${error}`, { cause: error });
        }
        rejected++;
      }
    }
  }
  // Both outcomes must be common, or the fuzz explores only one side of the decoder.
  assert.ok(decoded > 1000, `only ${decoded} mutated buffers decoded; the fuzz is too shallow`);
  assert.ok(rejected > 100_000, `only ${rejected} buffers rejected; the fuzz is too gentle`);
});

Deno.test("PROTOCOL.md's example input is what FrameEncoder writes", async () => {
  const page = await Deno.readTextFile(new URL("./PROTOCOL.md", import.meta.url));
  const example = /Example, an arena input: sequence 300[^`]*`([0-9a-f ]+)`/.exec(page)?.[1];
  assert.ok(example !== undefined, "the example is on the page");
  const input = {
    kind: MessageKind.INPUT,
    sequence: 300,
    clientTick: 5,
    viewTick: 200,
    viewAlpha: 128,
    values: [9, 0.5],
  } as const;
  assert.deepEqual(encode([input]), hex(example));
  assert.deepEqual(newDecoder().decodeClientBatch(hex(example)), [input]);
});
