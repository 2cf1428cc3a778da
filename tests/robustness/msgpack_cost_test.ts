/**
 * Client bodies are read by the strict msgpack reader: every extension type and every msgpackr
 * feature is refused, and the work to accept or refuse a body is linear in its size. The cost is
 * asserted on what the reader did (values produced, bytes read), never on wall time.
 */
import assert from "node:assert/strict";
import {
  CloseCode,
  FrameDecoder,
  FrameError,
  FrameErrorReason,
  LIMITS,
  MessageKind,
} from "../../shared/protocol/mod.ts";
import { StrictMsgpackReader } from "../../shared/protocol/strict_msgpack.ts";
import {
  ADVERSARIAL,
  ext,
  EXT_FORMS,
  FIXEXT_BYTES,
  frame,
  referenceChain,
  repeatedStructures,
} from "./_hostile_bodies.ts";
import { countCase, expectClose, GoodClient, openPeer, startSuiteServer } from "./_support.ts";

/** Longest error message a refused body may produce: it quotes no decoded data. */
const MAX_REASON_CHARS = 120;

/** Decode `bytes` as a client batch and return the FrameError it must throw. */
function refusal(bytes: Uint8Array): FrameError {
  try {
    new FrameDecoder().decodeClientBatch(bytes);
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
  assert.fail("Expected the batch to be refused");
}

Deno.test("client bodies refuse every msgpack extension type, in every form", () => {
  let bodies = 0;
  for (const form of EXT_FORMS) {
    const data = Array<number>(FIXEXT_BYTES[form] ?? 3).fill(0);
    for (let type = -128; type <= 127; type++) {
      // Where a value of the body goes, and as the whole body.
      for (const body of [[0x91, ...ext(form, type, data)], ext(form, type, data)]) {
        for (const kind of [MessageKind.PING, MessageKind.JOIN]) {
          const error = refusal(frame(kind, body));
          assert.equal(error.reason, FrameErrorReason.BAD_MSGPACK, error.message);
          assert.ok(error.message.length <= MAX_REASON_CHARS, error.message);
          bodies++;
        }
      }
    }
  }
  assert.equal(bodies, 8 * 256 * 4);
  countCase(bodies);
});

Deno.test("client bodies cost work linear in their size: adversarial bodies", async (t) => {
  for (const { name, body, reason } of ADVERSARIAL) {
    await t.step(name, () => {
      const bytes = frame(MessageKind.JOIN, body);
      assert.ok(bytes.length <= LIMITS.maxClientMessageBytes, `${name}: ${bytes.length} bytes`);
      const error = refusal(bytes);
      assert.equal(error.reason, reason, error.message);
      assert.ok(error.message.length <= MAX_REASON_CHARS, error.message);
      // What the reader did with the body on its own: every value costs a byte of the body.
      const reader = new StrictMsgpackReader();
      try {
        reader.read(Uint8Array.from(body), "join frame");
      } catch (error) {
        assert.ok(error instanceof FrameError);
      }
      assert.ok(reader.valuesRead <= body.length, `${reader.valuesRead} values`);
      assert.ok(reader.bytesRead <= body.length, `${reader.bytesRead} bytes`);
      countCase();
    });
  }
});

Deno.test("a 4 KiB body is read in one pass: values and bytes never exceed its size", () => {
  const reader = new StrictMsgpackReader();
  // The densest accepted body: 4,090 one-byte values in one array.
  const dense = Uint8Array.from([0xdc, 0x0f, 0xfa, ...Array(0x0ffa).fill(0x01)]);
  const items = reader.read(dense, "ping frame");
  assert.ok(Array.isArray(items) && items.length === 0x0ffa);
  assert.equal(reader.valuesRead, 0x0ffa + 1);
  assert.equal(reader.bytesRead, dense.length);
  countCase();
});

Deno.test("a reference-chain join costs the server nothing; the good client loses nothing", async (t) => {
  await using suite = await startSuiteServer();
  const url = suite.server.wsUrl;
  const good = await GoodClient.open(url);
  await good.until(() => good.snapshots.length >= 3, "first snapshots");
  const attacks = [
    { name: "join", bytes: frame(MessageKind.JOIN, referenceChain(22)) },
    { name: "ping", bytes: frame(MessageKind.PING, [0x91, ...referenceChain(24)]) },
    { name: "record definitions", bytes: frame(MessageKind.JOIN, repeatedStructures(300)) },
  ];
  for (const attack of attacks) {
    await t.step(`${attack.name} of ${attack.bytes.length} bytes`, async () => {
      const window = good.mark(attack.name);
      await using peer = await openPeer(url);
      await peer.sendBinary(attack.bytes);
      await expectClose(peer, CloseCode.INVALID_PAYLOAD, /body is not msgpack: type 0xd4/);
      countCase();
      await good.expectHealthy(window);
    });
  }
});
