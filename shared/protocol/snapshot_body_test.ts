import assert from "node:assert/strict";
import { createBodyPackr, SERVER_BODY_STRUCTURES } from "./body.ts";
import { ByteWriter } from "./bytes.ts";
import {
  binHeaderSize,
  MSGPACK_NIL,
  SNAPSHOT_RECORD_BYTE,
  writeBinHeader,
} from "./snapshot_body.ts";

// The server writes snapshot bodies by hand and the client reads them with msgpackr: these tests
// hold the hand-laid bytes against msgpackr's own, so an upgrade of msgpackr that changes its
// layout fails here rather than in a browser.

const SIZES = [0, 1, 255, 256, 65_535, 65_536, 70_000];

Deno.test("SNAPSHOT_RECORD_BYTE is the byte msgpackr starts a {entities, global} record with", () => {
  const index = SERVER_BODY_STRUCTURES.findIndex((keys) => keys.join() === "entities,global");
  assert.equal(SNAPSHOT_RECORD_BYTE, 0x40 + index);
  assert.equal(SNAPSHOT_RECORD_BYTE, 0x41);
  const packed = createBodyPackr().pack({ entities: new Uint8Array(3), global: null });
  assert.equal(packed[0], SNAPSHOT_RECORD_BYTE);
  // ...then the entities' bin, then nil for the unchanged global.
  assert.deepEqual([...packed.subarray(1)], [0xc4, 3, 0, 0, 0, ...MSGPACK_NIL]);
});

Deno.test("writeBinHeader() writes msgpackr's bin header for every size class", () => {
  const packr = createBodyPackr();
  for (const size of SIZES) {
    const packed = packr.pack(new Uint8Array(size));
    const out = new ByteWriter(8);
    writeBinHeader(out, size);
    assert.equal(out.length, binHeaderSize(size), `size ${size}`);
    assert.deepEqual([...out.view()], [...packed.subarray(0, out.length)], `size ${size}`);
    assert.equal(packed.length, out.length + size, `size ${size}: header then the bytes`);
  }
});
