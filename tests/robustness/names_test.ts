/**
 * Player names reach other players cleaned: no control, escape or direction characters, white
 * space collapsed, NFC, at most 24 user-perceived characters; a name with nothing left is refused.
 */
import assert from "node:assert/strict";
import { CloseCode } from "../../shared/protocol/mod.ts";
import {
  countCase,
  expectClose,
  GoodClient,
  joinMessage,
  openPeer,
  startSuiteServer,
} from "./_support.ts";

const SMILE = "\u{1F600}";

/** Sent name → the name the other players must see. */
const NAMES: { name: string; sent: string; seen: string }[] = [
  { name: "NUL and BEL", sent: "ev\u0000e\u0007", seen: "eve" },
  { name: "ANSI escape (clear screen, red)", sent: "\u001b[2J\u001b[31mred", seen: "[2J[31mred" },
  { name: "newlines and tabs", sent: "line\none\r\n\ttwo", seen: "line one two" },
  { name: "right-to-left override", sent: "evil\u202egnp.exe", seen: "evilgnp.exe" },
  { name: "isolates and marks", sent: "\u2066a\u2069\u200eb\u200fc\u061c", seen: "abc" },
  { name: "C1 controls (CSI, NEL)", sent: "x\u009b31my\u0085z", seen: "x31my z" },
  { name: "decomposed accents (NFD)", sent: "Zoe\u0308", seen: "Zo\u00eb" },
  {
    name: "30 emoji (60 code units)",
    sent: SMILE.repeat(30),
    seen: SMILE.repeat(24),
  },
];

Deno.test("names are cleaned before other players see them; an empty one is refused", async (t) => {
  await using suite = await startSuiteServer();
  const url = suite.server.wsUrl;
  const good = await GoodClient.open(url, { play: false });
  const roomId = good.welcome.roomId;
  for (const { name, sent, seen } of NAMES) {
    await t.step(name, async () => {
      await using peer = await openPeer(url);
      await peer.sendBinary(joinMessage(roomId, sent));
      await good.until(
        () => good.events.some((event) => event.type === "joined" && event.text === seen),
        `joined event of ${JSON.stringify(seen)}`,
      );
      assert.ok(!good.events.some((event) => event.type === "joined" && event.text === sent));
      countCase();
    });
  }
  for (const sent of ["", " \t\n", "\u0000\u202e\u200f", "\u001b\u0007"]) {
    await t.step(`name ${JSON.stringify(sent)} is refused`, async () => {
      await using peer = await openPeer(url);
      await peer.sendBinary(joinMessage(roomId, sent));
      await expectClose(peer, CloseCode.JOIN_REFUSED, /^Name refused: nothing is left of it/);
      countCase();
    });
  }
  await good.close();
});
