import assert from "node:assert/strict";
import { JoinRefusedError } from "./game_connection.ts";
import {
  shouldFallBack,
  type TransportDocument,
  transportPreference,
  webTransportTarget,
} from "./transport_choice.ts";

const offered: TransportDocument = {
  webSocketPath: "/ws",
  webTransport: { port: 8001, certificateHashes: ["AAEC"] },
};

Deno.test("webTransportTarget() tries WebTransport only when asked or free to, and offered", () => {
  const auto = { preference: "auto", browserHasWebTransport: true, hostname: "h" } as const;
  assert.deepEqual(webTransportTarget(offered, { ...auto, hostname: "play.example" }), {
    url: "https://play.example:8001/",
    certificateHashes: ["AAEC"],
  });
  assert.equal(webTransportTarget(offered, { ...auto, preference: "ws" }), null);
  assert.equal(webTransportTarget(offered, { ...auto, browserHasWebTransport: false }), null);
  assert.equal(
    webTransportTarget({ webSocketPath: "/ws", webTransport: null }, auto),
    null,
    "server offers none",
  );
  assert.equal(webTransportTarget(null, { ...auto, preference: "wt" }), null, "no document");
  assert.equal(
    webTransportTarget(offered, { ...auto, hostname: "::1" })?.url,
    "https://[::1]:8001/",
  );
});

Deno.test("shouldFallBack() gives way to WebSocket unless the server refused the join", () => {
  assert.equal(shouldFallBack(new JoinRefusedError(0, "No welcome within 1500 ms")), true);
  assert.equal(shouldFallBack(new JoinRefusedError(1006, "Connection failed")), true);
  assert.equal(shouldFallBack(new TypeError("WebTransport is not a constructor")), true);
  assert.equal(shouldFallBack(new JoinRefusedError(4002, "Room is full")), false);
  assert.equal(shouldFallBack(new JoinRefusedError(4007, "Bad token")), false);
});

Deno.test("transportPreference() reads ?transport=ws|wt and defaults to auto", () => {
  assert.equal(transportPreference(""), "auto");
  assert.equal(transportPreference("?transport=wt"), "wt");
  assert.equal(transportPreference("?transport=WS"), "auto");
});
