import assert from "node:assert/strict";
import { joinSettings } from "./join_settings.ts";

Deno.test("joinSettings() reads room and name from the query", () => {
  assert.deepEqual(joinSettings("?room=arena-3&name=ada"), { room: "arena-3", name: "ada" });
});

Deno.test("joinSettings() picks any room and a random player name by default", () => {
  assert.deepEqual(joinSettings("", () => 0), { room: "any", name: "player-100" });
  assert.deepEqual(joinSettings("?room=%20&name=", () => 0.999), {
    room: "any",
    name: "player-999",
  });
});

Deno.test("joinSettings() cleans a name as the server does: 24 characters, no controls", () => {
  assert.equal(joinSettings(`?name=${"x".repeat(40)}`).name.length, 24);
  assert.equal(joinSettings(`?name=${encodeURIComponent("a\u202eb\u0000 \n c")}`).name, "ab c");
  // Only controls: the default name.
  assert.match(joinSettings(`?name=${encodeURIComponent("\u0007")}`).name, /^player-\d+$/);
});
