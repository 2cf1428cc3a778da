import assert from "node:assert/strict";
import { seededRandom } from "../../tests/support/seeded_random.ts";
import {
  ClientFrames,
  CloseCode,
  defineInput,
  encodeBatch,
  FrameDecoder,
  FrameError,
  FrameErrorReason,
  type InputFieldSpec,
  type InputLayout,
  MAX_INPUT_FIELDS,
  MessageKind,
} from "./mod.ts";

/** A racing game's input: a gear/horn bit field and two analog axes. */
const RACING = defineInput([
  { name: "throttle", type: "axis", min: -1, max: 1, scale: 100 },
  { name: "steer", type: "axis", min: -1, max: 1, scale: 100 },
  { name: "horn", type: "bits", bits: 1 },
]);

function input(values: readonly number[], sequence = 1) {
  return { kind: MessageKind.INPUT, sequence, clientTick: 3, viewTick: 0, viewAlpha: 0, values };
}

function decoderFor(layout: InputLayout): FrameDecoder {
  const decoder = new FrameDecoder();
  decoder.inputLayout = layout;
  return decoder;
}

Deno.test("defineInput() round-trips every declared field on its grid", () => {
  const decoder = decoderFor(RACING);
  const bytes = encodeBatch([input([0.5, -0.25, 1]), input([-1, 1, 0], 2)], RACING);
  assert.deepEqual(decoder.decodeClientBatch(bytes), [
    input([0.5, -0.25, 1]),
    input([-1, 1, 0], 2),
  ]);
  // Header: version, kind, sequence 1, client tick 3, view 0 / 0, then throttle 50 steps
  // (zigzag 100 = 64), steer −25 steps (zigzag 49 = 31), horn 1, empty body.
  assert.deepEqual([...bytes.subarray(0, 10)], [4, 2, 1, 3, 0, 0, 0x64, 0x31, 1, 0]);
});

Deno.test("InputLayout.quantize() gives what the server decodes for an off-grid value", () => {
  const decoder = decoderFor(RACING);
  for (const throttle of [0.123, -0.999, 0.005, 1 / 3]) {
    const [decoded] = decoder.decodeClientBatch(encodeBatch([input([throttle, 0, 0])], RACING));
    assert.ok(decoded?.kind === MessageKind.INPUT);
    assert.equal(decoded.values[0], RACING.quantize(0, throttle));
    assert.ok(Math.abs((decoded.values[0] ?? 0) - throttle) <= 0.005 + 1e-12);
  }
  // A bits field is not on a grid: quantize leaves it alone.
  assert.equal(RACING.quantize(2, 1), 1);
});

Deno.test("the encoder refuses values outside their declaration with a RangeError", () => {
  for (
    const values of [
      [1.01, 0, 0],
      [0, -1.006, 0],
      [Number.NaN, 0, 0],
      [0, Infinity, 0],
      [0, 0, 2],
      [0, 0, 0.5],
      [0, 0, -1],
      [0, 0],
      [0, 0, 0, 0],
    ]
  ) {
    assert.throws(() => encodeBatch([input(values)], RACING), RangeError, String(values));
  }
  assert.throws(() => encodeBatch([input([0, 0, 0])]), /no input layout/);
});

Deno.test("the decoder refuses a field outside its declaration: bad_field, close code 1007", () => {
  const decoder = decoderFor(RACING);
  // throttle 101 steps (zigzag 202 = ca 01), one beyond max 1.
  const overThrottle = Uint8Array.of(4, 2, 1, 0, 0, 0, 0xca, 0x01, 0, 0, 0);
  // horn 2 where 1 bit is declared.
  const overHorn = Uint8Array.of(4, 2, 1, 0, 0, 0, 0, 0, 2, 0);
  for (
    const [bytes, detail] of [[
      overThrottle,
      /throttle: expected a finite number within ±1, got 1.01/,
    ], [overHorn, /horn/]]
  ) {
    assert.throws(
      () => decoder.decodeClientBatch(bytes as Uint8Array),
      (error: unknown) => {
        assert.ok(error instanceof FrameError);
        assert.equal(error.reason, FrameErrorReason.BAD_FIELD);
        assert.equal(error.closeCode, CloseCode.INVALID_PAYLOAD);
        assert.match(error.message, /^Cannot decode input frame /);
        assert.match(error.message, detail as RegExp);
        return true;
      },
    );
  }
});

Deno.test("defineInput() refuses bad declarations", () => {
  const bad: InputFieldSpec[][] = [
    [{ name: "a", type: "bits", bits: 0 }],
    [{ name: "a", type: "bits", bits: 32 }],
    [{ name: "a", type: "axis", min: 1, max: 1, scale: 10 }],
    [{ name: "a", type: "axis", min: -1, max: 1, scale: 0 }],
    [{ name: "a", type: "axis", min: -1, max: 1, scale: Number.NaN }],
    [{ name: "a", type: "axis", min: -1e6, max: 1e6, scale: 1e4 }],
    [{ name: "a", type: "bits", bits: 1 }, { name: "a", type: "bits", bits: 1 }],
    [{ name: "viewTime", type: "bits", bits: 1 }],
    [{ name: "two words", type: "bits", bits: 1 }],
    Array.from({ length: MAX_INPUT_FIELDS + 1 }, (_, index) => ({
      name: `b${index}`,
      type: "bits" as const,
      bits: 1,
    })),
  ];
  for (const fields of bad) assert.throws(() => defineInput(fields), RangeError);
});

Deno.test("an input before any join stops the batch there; a join names the layout", () => {
  const decoder = new FrameDecoder();
  const frames = new ClientFrames();
  const ping = { kind: MessageKind.PING, clientTimeMs: 5 } as const;
  decoder.decodeClientFrames(encodeBatch([ping, input([0, 0, 0]), ping], RACING), frames);
  assert.equal(frames.count, 2);
  assert.equal(frames.stoppedAtUnjoinedInput, true);
  // With a join first, the decoder asks for the named game's layout and reads on.
  decoder.inputLayoutOf = (game) => game === "racing" ? RACING : undefined;
  const join = {
    kind: MessageKind.JOIN,
    protocolVersion: 4,
    game: "racing",
    room: "any",
    name: "ada",
    reconnectToken: "",
  } as const;
  decoder.decodeClientFrames(encodeBatch([join, input([1, 0, 1]), ping], RACING), frames);
  assert.equal(frames.count, 3);
  assert.equal(frames.stoppedAtUnjoinedInput, false);
  assert.deepEqual(frames.message(1), input([1, 0, 1]));
});

Deno.test("input fields survive a fuzz: random declarations round-trip, mutations throw only FrameErrors", () => {
  const random = seededRandom(0x1a907);
  let decoded = 0, rejected = 0;
  for (let round = 0; round < 2000; round++) {
    const fields: InputFieldSpec[] = [];
    const count = 1 + Math.floor(random() * MAX_INPUT_FIELDS);
    for (let index = 0; index < count; index++) {
      if (random() < 0.4) {
        fields.push({ name: `f${index}`, type: "bits", bits: 1 + Math.floor(random() * 31) });
      } else {
        const scale = [1, 8, 100, 127, 10_000][Math.floor(random() * 5)] ?? 1;
        const min = -Math.floor(random() * 1000), max = 1 + Math.floor(random() * 1000);
        fields.push({ name: `f${index}`, type: "axis", min, max, scale });
      }
    }
    const layout = defineInput(fields);
    const values = fields.map((field) =>
      field.type === "bits"
        ? Math.floor(random() * 2 ** field.bits)
        : field.min + random() * (field.max - field.min)
    );
    const decoder = decoderFor(layout);
    const bytes = encodeBatch([input(values, 1 + round)], layout);
    const [message] = decoder.decodeClientBatch(bytes);
    assert.ok(message?.kind === MessageKind.INPUT);
    assert.deepEqual(message.values, values.map((value, index) => layout.quantize(index, value)));
    for (let mutation = 0; mutation < 20; mutation++) {
      const mutated = new Uint8Array(bytes);
      mutated[2 + Math.floor(random() * (mutated.length - 2))] = random() * 256;
      const cut = random() < 0.3 ? Math.floor(random() * mutated.length) : mutated.length;
      try {
        decoder.decodeClientBatch(mutated.subarray(0, cut));
        decoded++;
      } catch (error) {
        if (!(error instanceof FrameError)) throw error;
        rejected++;
      }
    }
  }
  assert.ok(decoded > 1000 && rejected > 1000, `decoded ${decoded}, rejected ${rejected}`);
});
