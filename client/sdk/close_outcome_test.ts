import assert from "node:assert/strict";
import { CloseCode } from "../../shared/protocol/mod.ts";
import { closeOutcome } from "./close_outcome.ts";

const FIRST_ROOM = { inAnotherRoom: false };

Deno.test("closeOutcome() shows a screen when asking again would get the same answer", () => {
  for (const code of [CloseCode.VERSION_MISMATCH, CloseCode.PROTOCOL_ERROR]) {
    assert.deepEqual(closeOutcome(code, "", FIRST_ROOM), {
      kind: "screen",
      screen: "version_mismatch",
      reason: "Protocol error",
    });
  }
  assert.equal(closeOutcome(CloseCode.ROOM_FULL, "Full", FIRST_ROOM).kind, "screen");
  assert.deepEqual(closeOutcome(CloseCode.JOIN_REFUSED, "Name taken", FIRST_ROOM), {
    kind: "screen",
    screen: "refused",
    reason: "Name taken",
  });
  // A room asked for by name that does not exist.
  assert.deepEqual(closeOutcome(CloseCode.ROOM_NOT_FOUND, "No room x", FIRST_ROOM), {
    kind: "screen",
    screen: "refused",
    reason: "No room x",
  });
});

Deno.test("closeOutcome() goes back to the room first asked for when the joined one is gone", () => {
  assert.deepEqual(
    closeOutcome(CloseCode.ROOM_NOT_FOUND, "No room arena-1", { inAnotherRoom: true }),
    { kind: "retry", reason: "The room closed", joinAsAsked: true },
  );
});

Deno.test("closeOutcome() gives up a refused seat and matchmakes afresh", () => {
  for (const code of [CloseCode.BAD_TOKEN, CloseCode.SEAT_REFUSED]) {
    assert.deepEqual(closeOutcome(code, "", FIRST_ROOM), {
      kind: "rematch",
      reason: "The seat was refused",
    });
  }
});

Deno.test("closeOutcome() retries any other close, keeping what the server said at the drop", () => {
  assert.deepEqual(closeOutcome(CloseCode.SERVICE_RESTART, "Restarting", FIRST_ROOM), {
    kind: "retry",
    reason: "Restarting",
    joinAsAsked: false,
  });
  assert.deepEqual(closeOutcome(1006, "", FIRST_ROOM).reason, "Connection closed (1006)");
  // A failed attempt during the outage says only that the server is not back yet.
  const attempt = closeOutcome(0, "connect ECONNREFUSED", {
    inAnotherRoom: true,
    lostReason: "Restarting",
  });
  assert.deepEqual(attempt, { kind: "retry", reason: "Restarting", joinAsAsked: false });
});
