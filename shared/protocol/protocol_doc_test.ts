import assert from "node:assert/strict";
import { SERVER_BODY_STRUCTURES } from "./body.ts";
import { MessageKind } from "./message_kind.ts";
import { LIMITS } from "./messages.ts";

import { tableAfter } from "../../tests/support/protocol_page.ts";

// PROTOCOL.md is the contract: these tests read its tables and hold them against the code, so a
// change of the bytes that forgets the page fails here (entity_delta_test.ts does the same for
// the page's worked example of snapshot entities).

Deno.test("PROTOCOL.md lists every agreed record structure of body.ts, keys in order", () => {
  const rows = tableAfter("| record | first byte");
  assert.equal(rows.length, SERVER_BODY_STRUCTURES.length);
  rows.forEach(([index, firstByte, keys], row) => {
    assert.equal(Number(index), row);
    assert.equal(firstByte, `\`0x${(0x40 + row).toString(16)}\``);
    const listed = (keys ?? "").split(",").map((key) => key.trim().replaceAll("`", ""));
    assert.deepEqual(listed, SERVER_BODY_STRUCTURES[row], `record ${row}`);
  });
});

Deno.test("PROTOCOL.md lists every message kind with its code", () => {
  const rows = tableAfter("| code | kind");
  const listed = Object.fromEntries(
    rows.map(([code, kind]) => [kind?.toUpperCase(), Number(code)]),
  );
  assert.deepEqual(listed, MessageKind);
});

Deno.test("PROTOCOL.md's limits are the decoders' limits", () => {
  const limits = new Map(tableAfter("| what ").map(([what, limit]) => [what, limit]));
  assert.equal(
    limits.get("client message"),
    `${LIMITS.maxClientMessageBytes.toLocaleString("en")} bytes`,
  );
  assert.equal(limits.get("server message"), `${LIMITS.maxServerMessageBytes / 1024 / 1024} MiB`);
  assert.equal(limits.get("frames per message"), String(LIMITS.maxFramesPerMessage));
  const { maxNameChars, maxRoomIdChars, maxTokenChars, maxTextChars } = LIMITS;
  assert.equal(
    limits.get("name / room / game / token / text"),
    `${maxNameChars} / ${maxRoomIdChars} / ${maxRoomIdChars} / ${maxTokenChars} / ${maxTextChars} characters (UTF-16 code units)`,
  );
  const { maxEntities, maxEntityFields, maxGlobalValues } = LIMITS;
  assert.equal(
    limits.get("entities / fields / global numbers"),
    [maxEntities, maxEntityFields, maxGlobalValues].map((n) => n.toLocaleString("en")).join(" / "),
  );
});
