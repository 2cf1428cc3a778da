/**
 * A short seeded fuzz over the live socket: several peers send a few thousand random and mutated
 * binary messages. Every message is followed by a ping, so each round ends either with that
 * ping's pong (the message was accepted or ignored) or with a close; the close must carry one of
 * the protocol's codes and a reason, never 1011 and never a dropped socket, and the good client
 * in the same room must not notice.
 */
import assert from "node:assert/strict";
import {
  type ClientMessage,
  FrameDecoder,
  MessageKind,
  PROTOCOL_VERSION,
} from "../../shared/protocol/mod.ts";
import type { WsPeer } from "../support/ws_peer.ts";
import {
  countCase,
  encodeMessages,
  GoodClient,
  isPongTo,
  openPeer,
  startSuiteServer,
  tally,
} from "./_support.ts";
import { seededRandom } from "../support/seeded_random.ts";

const SEED = 0x5eed_2026;
const PEERS = 4;
const ROUNDS_PER_PEER = 800;
/** Rounds on one connection before it is closed and a fresh one opened (stays under the rate). */
const ROUNDS_PER_CONNECTION = 60;
/** Codes a close may carry: every refusal the protocol defines, none of them 1011. */
const EXPECTED_CLOSES = new Set([1002, 1007, 1008, 1009, 4000, 4001, 4002, 4003, 4004, 4007]);

/** A random message: valid ones from the corpus, mutated, or plain random bytes. */
function fuzzMessage(random: () => number, roomId: string): Uint8Array {
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const valid = (): ClientMessage => {
    switch (int(4)) {
      case 0:
        return {
          kind: MessageKind.JOIN,
          protocolVersion: pick([PROTOCOL_VERSION, PROTOCOL_VERSION, 0, 2, 255]),
          game: pick(["dots", "dots", "chess", ""]),
          room: pick([roomId, "any", "dots-404", ""]),
          name: pick(["fuzz", "", "banned", "ü🚀"]),
          reconnectToken: pick(["", "", "x.y", "AAAA.BBBB"]),
        };
      case 1:
        return {
          kind: MessageKind.INPUT,
          sequence: pick([1, 2, int(2000), 2 ** 31, 2 ** 32 - 1]),
          clientTick: int(1000),
          // Within what the encoder may write (31 button bits, ±1000 rad of aim).
          values: [pick([0, 1, 3, int(2 ** 31)]), (random() - 0.5) * pick([1, 10, 2000])],
        };
      case 2:
        return { kind: MessageKind.ACK, tick: pick([0, 1, int(100_000), 2 ** 32 - 1]) };
      default:
        return { kind: MessageKind.PING, clientTimeMs: random() * 1e6 };
    }
  };
  const batch = encodeMessages(Array.from({ length: 1 + int(3) }, valid));
  const strategy = int(8);
  if (strategy === 0) return batch;
  if (strategy === 1) {
    return new Uint8Array(int(64)).map(() => int(256));
  }
  if (strategy === 2) {
    // Mostly random, sometimes over the 4,096-byte limit.
    return new Uint8Array(pick([int(300), int(5000)])).map(() => int(256));
  }
  const bytes = [...batch];
  const edits = 1 + int(4);
  for (let edit = 0; edit < edits; edit++) {
    const at = int(bytes.length + 1);
    switch (strategy) {
      case 3:
        bytes[at % bytes.length] = int(256);
        break;
      case 4:
        bytes.splice(at, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 5:
        bytes.length = Math.min(bytes.length, at);
        break;
      case 6:
        bytes[at % bytes.length] = pick([0x00, 0x7f, 0x80, 0xff, 0xc1, 0xdd, 0xdf, 0xcb]);
        break;
      default:
        bytes.push(...bytes.slice(0, int(bytes.length + 1)));
    }
  }
  return Uint8Array.from(bytes);
}

/** What one fuzz round ended with; `open` when nothing ended it within the wait. */
type Outcome = "pong" | "open" | { close: number | null; reason: string };

/** Read until the barrier pong stamped `stamp`, the end of the connection, or `waitMs`. */
async function readRound(
  peer: WsPeer,
  decoder: FrameDecoder,
  stamp: number,
  waitMs: number,
): Promise<Outcome> {
  const deadline = performance.now() + waitMs;
  for (let messages = 0; messages < 1000; messages++) {
    const left = deadline - performance.now();
    if (left <= 0) return "open";
    let event;
    try {
      event = await peer.receive(left);
    } catch (error) {
      if (error instanceof Deno.errors.TimedOut) return "open";
      throw error;
    }
    if (event.type === "ping" || event.type === "pong") continue;
    if (event.type === "close") return { close: event.code, reason: event.reason };
    if (event.type === "eof") return { close: null, reason: "" };
    if (event.type === "text") throw new Error("Server sent a text message");
    // Whatever the server says must be valid protocol.
    for (const message of decoder.decodeServerBatch(event.data)) {
      if (isPongTo(message, stamp)) return "pong";
    }
  }
  throw new Error("No end of round in 1,000 messages");
}

Deno.test("seeded fuzz: a few thousand bad messages get only closes; the good client is unaffected", async () => {
  await using suite = await startSuiteServer();
  const url = suite.server.wsUrl;
  const good = await GoodClient.open(url);
  const roomId = good.welcome.roomId;
  await good.until(() => good.snapshots.length >= 3, "first snapshots");
  const window = good.mark("fuzz");
  const closes = new Map<number, number>();
  let accepted = 0;
  let resets = 0;
  let messages = 0;
  let bytes = 0;

  const fuzzPeer = async (index: number) => {
    const random = seededRandom(SEED + index);
    let round = 0;
    while (round < ROUNDS_PER_PEER) {
      await using peer = await openPeer(url);
      const decoder = new FrameDecoder();
      for (let onConnection = 0; onConnection < ROUNDS_PER_CONNECTION; onConnection++) {
        if (round >= ROUNDS_PER_PEER) break;
        round++;
        const message = fuzzMessage(random, roomId);
        // A stamp no fuzz message can carry: negative, with a fractional part.
        const stamp = -(index * 1e6 + round) - 0.5;
        await peer.sendBinary(message);
        messages++;
        bytes += message.length;
        // Most bad messages are closed within milliseconds: wait for that before sending the
        // barrier ping, as data that follows Deno's close frame makes it reset the connection,
        // which can discard the close before we read it.
        let outcome = await readRound(peer, decoder, stamp, 20);
        let barrierSent = false;
        if (outcome === "open") {
          barrierSent = true;
          try {
            await peer.sendBinary(
              encodeMessages([{ kind: MessageKind.PING, clientTimeMs: stamp }]),
            );
          } catch {
            // Closed meanwhile; the read below says how.
          }
          outcome = await readRound(peer, decoder, stamp, 3000);
        }
        if (outcome === "pong") {
          accepted++;
          continue;
        }
        if (outcome === "open") throw new Error(`Round ${round} of peer ${index} got no answer`);
        if (outcome.close === null && barrierSent) {
          // The server answered after our barrier was on its way: the reset race above.
          resets++;
          break;
        }
        assert.ok(
          outcome.close !== null && EXPECTED_CLOSES.has(outcome.close),
          `round ${round} of peer ${index}: ${JSON.stringify(outcome)} for [${
            message.slice(0, 32)
          }]`,
        );
        assert.ok(outcome.reason.length > 0, `close ${outcome.close} has a reason`);
        closes.set(outcome.close, (closes.get(outcome.close) ?? 0) + 1);
        break;
      }
    }
  };
  const startMs = performance.now();
  await Promise.all(Array.from({ length: PEERS }, (_, index) => fuzzPeer(index)));
  const tookMs = performance.now() - startMs;

  await good.expectHealthy(window);
  assert.equal(await good.settle(suite.state(roomId)), 0);
  assert.ok(messages >= 3000, `${messages} messages`);
  assert.ok(closes.size >= 4, `close codes seen: ${[...closes.keys()]}`);
  assert.ok(resets <= messages / 100, `${resets} closes lost to a reset`);
  tally.garbageBytes += bytes;
  countCase(messages);
  console.log(
    `fuzz: ${messages} messages, ${bytes} bytes, ${accepted} accepted or ignored, ${resets} resets, closes ${
      JSON.stringify(Object.fromEntries(closes))
    }, ${Math.round(tookMs)} ms`,
  );
  await good.close();
});
