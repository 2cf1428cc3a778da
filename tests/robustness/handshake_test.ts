/**
 * The opening handshake (RFC 6455 §4.2): every legal spelling of the subprotocol offer is
 * accepted, and what the RFC refuses (a version other than 13, a key that is not 16 bytes, no
 * `Host`) is answered before `Deno.upgradeWebSocket`, in plain text, and counted by reason.
 */
import assert from "node:assert/strict";
import { UpgradeRefusal } from "../../server/transport/handshake.ts";
import { SUBPROTOCOL } from "../../shared/protocol/mod.ts";
import { HandshakeError, WsPeer } from "../support/ws_peer.ts";
import { countCase, GoodClient, joinMessage, startSuiteServer } from "./_support.ts";

/** base64 of `length` bytes. */
function base64Of(length: number): string {
  return btoa(String.fromCharCode(...new Uint8Array(length).fill(7)));
}

/** Send `request` on a fresh TCP connection and return the answer's status line and body. */
async function rawRequest(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(4096);
    let text = "";
    const deadline = setTimeout(() => conn.close(), 3000);
    try {
      for (;;) {
        const read = await conn.read(buffer);
        if (read === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, read));
        // A 101 is complete at its blank line; a refusal's body follows it.
        if (text.startsWith("HTTP/1.0 101") || text.startsWith("HTTP/1.1 101")) break;
        if (/\r\n\r\n[^]*\n$/.test(text)) break;
      }
    } finally {
      clearTimeout(deadline);
    }
    return text;
  } finally {
    try {
      conn.close();
    } catch {
      // Closed by the deadline.
    }
  }
}

const UPGRADE_HEADERS = "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
  `Sec-WebSocket-Key: ${base64Of(16)}\r\nSec-WebSocket-Version: 13\r\n` +
  `Sec-WebSocket-Protocol: ${SUBPROTOCOL}\r\n`;

Deno.test("every legal spelling of the subprotocol offer is accepted", async (t) => {
  await using suite = await startSuiteServer();
  const url = suite.server.wsUrl;
  const spellings = [
    `game.v1,${SUBPROTOCOL}`,
    `game.v1,\t${SUBPROTOCOL}`,
    `${SUBPROTOCOL},game.v1`,
    `game.v1 ,${SUBPROTOCOL}`,
    `game.v1 \t, \t${SUBPROTOCOL} ,chat`,
    `game.v1,,${SUBPROTOCOL}`,
    `game.v1, ${SUBPROTOCOL}`,
  ];
  for (const spelling of spellings) {
    await t.step(JSON.stringify(spelling), async () => {
      await using peer = await WsPeer.connect(url, {
        protocols: ["game.v1", SUBPROTOCOL],
        headers: { "Sec-WebSocket-Protocol": spelling },
        timeoutMs: 3000,
      });
      assert.equal(peer.protocol, SUBPROTOCOL);
      await peer.sendBinary(joinMessage("any"));
      const event = await peer.receive(3000);
      assert.equal(event.type, "binary", "welcomed");
      countCase();
    });
  }
  await t.step(`${SUBPROTOCOL}2 alone is not ${SUBPROTOCOL}`, async () => {
    await assert.rejects(
      WsPeer.connect(url, {
        headers: { "Sec-WebSocket-Protocol": `${SUBPROTOCOL}2` },
        timeoutMs: 3000,
      }),
      (error: unknown) => error instanceof HandshakeError && error.status === 400,
    );
    countCase();
  });
});

Deno.test("an opening handshake RFC 6455 refuses is answered before the upgrade", async (t) => {
  await using suite = await startSuiteServer({ operatorRoutes: true });
  const url = suite.server.wsUrl;
  const port = Number(new URL(suite.server.url).port);
  const counters = suite.server.counters;
  const good = await GoodClient.open(url);
  const metricsAtStart = await (await fetch(`${suite.server.url}/metrics`)).text();
  for (const reason of Object.values(UpgradeRefusal)) {
    assert.match(
      metricsAtStart,
      new RegExp(`game_server_upgrades_refused_total\\{reason="${reason}"\\} 0`),
    );
  }
  const cases: {
    name: string;
    headers: Record<string, string | null>;
    status: number;
    body: RegExp;
    reason: UpgradeRefusal;
  }[] = [
    {
      name: "Sec-WebSocket-Version 8",
      headers: { "Sec-WebSocket-Version": "8" },
      status: 426,
      body: /^Unsupported WebSocket version: "8", this server speaks 13$/m,
      reason: UpgradeRefusal.BAD_VERSION,
    },
    {
      name: "no Sec-WebSocket-Version",
      headers: { "Sec-WebSocket-Version": null },
      status: 426,
      body: /^Unsupported WebSocket version: none given, this server speaks 13$/m,
      reason: UpgradeRefusal.BAD_VERSION,
    },
    ...[
      "",
      "x",
      base64Of(15),
      base64Of(17),
      base64Of(16).replace(/=+$/, ""),
      "AAAAAAAAAAAAAAAAAAAAAB==",
    ]
      .map((key) => ({
        name: `Sec-WebSocket-Key ${JSON.stringify(key)}`,
        headers: { "Sec-WebSocket-Key": key },
        status: 400,
        body: /^Bad WebSocket upgrade: Sec-WebSocket-Key .* is not the base64 of 16 bytes$/m,
        reason: UpgradeRefusal.BAD_KEY,
      })),
    {
      name: "no Host",
      headers: { Host: null },
      status: 400,
      body: /^Bad WebSocket upgrade: the request has no Host header$/m,
      reason: UpgradeRefusal.NO_HOST,
    },
  ];
  for (const testCase of cases) {
    await t.step(testCase.name, async () => {
      const window = good.mark(testCase.name);
      const before = counters.upgradesRefusedByReason.get(testCase.reason) ?? 0;
      await assert.rejects(
        WsPeer.connect(url, { protocols: [SUBPROTOCOL], headers: testCase.headers }),
        (error: unknown) => {
          assert.ok(error instanceof HandshakeError, String(error));
          assert.equal(error.status, testCase.status, error.body);
          assert.match(error.body, testCase.body);
          if (testCase.status === 426 && testCase.reason === UpgradeRefusal.BAD_VERSION) {
            assert.equal(error.headers.get("sec-websocket-version"), "13");
          }
          return true;
        },
      );
      assert.equal(counters.upgradesRefusedByReason.get(testCase.reason), before + 1);
      countCase();
      await good.expectHealthy(window);
    });
  }
  await t.step("GET … HTTP/1.0 without Host", async () => {
    const answer = await rawRequest(port, `GET /ws HTTP/1.0\r\n${UPGRADE_HEADERS}\r\n`);
    assert.match(answer, /^HTTP\/1\.[01] 400 /);
    assert.match(answer, /the request has no Host header/);
    countCase();
  });
  await t.step("GET … HTTP/1.0 with Host: accepted, Deno.serve hides the version", async () => {
    const answer = await rawRequest(
      port,
      `GET /ws HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\n${UPGRADE_HEADERS}\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.0 101 /);
    countCase();
  });
  const metrics = await (await fetch(`${suite.server.url}/metrics`)).text();
  assert.match(metrics, /game_server_upgrades_refused_total\{reason="bad_key"\} 6/);
  assert.match(metrics, /game_server_upgrades_refused_total\{reason="bad_version"\} 2/);
  assert.match(metrics, /game_server_upgrades_refused_total\{reason="no_host"\} 2/);
  assert.equal(await good.settle(suite.state(good.welcome.roomId)), 0);
  await good.close();
});
