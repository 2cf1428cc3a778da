/**
 * The worst time to accept or refuse one client message of up to 4 KiB: every hostile body of the
 * robustness suite, grown to the size limit where it can grow, and the densest valid messages,
 * each decoded on the server's path (`decodeClientFrames` into shared `ClientFrames`) many times.
 * Prints one line per message (median, p99 and worst µs) and the worst overall.
 *
 * ```sh
 * deno run --allow-read --allow-env tests/bench/hostile_decode.ts [rounds]
 * ```
 * @module
 */
import {
  ClientFrames,
  encodeBatch,
  FrameDecoder,
  LIMITS,
  MessageKind,
  PROTOCOL_VERSION,
} from "../../shared/protocol/mod.ts";
import {
  ADVERSARIAL,
  ext,
  frame,
  referenceChain,
  repeatedStructures,
} from "../robustness/_hostile_bodies.ts";

const rounds = Number(Deno.args[0] ?? 2000);
const MAX = LIMITS.maxClientMessageBytes;

/** Whole frames of `make(i)` until the next would pass the size limit. */
function fill(make: (index: number) => Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let index = 0; index < LIMITS.maxFramesPerMessage; index++) {
    const part = make(index);
    if (size + part.length > MAX) break;
    parts.push(part);
    size += part.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const join = (name: string) =>
  encodeBatch([{
    kind: MessageKind.JOIN,
    protocolVersion: PROTOCOL_VERSION,
    game: "g".repeat(64),
    room: "r".repeat(64),
    name,
    reconnectToken: "t".repeat(512),
  }]);

const messages: { name: string; bytes: Uint8Array }[] = [
  ...ADVERSARIAL.map(({ name, body }) => ({ name, bytes: frame(MessageKind.JOIN, body) })),
  { name: "reference chain, 4 KiB", bytes: frame(MessageKind.JOIN, referenceChain(290)) },
  { name: "record definitions, 4 KiB", bytes: frame(MessageKind.JOIN, repeatedStructures(405)) },
  {
    name: "64 pings, each an ext 32 in an array",
    bytes: fill(() => frame(MessageKind.PING, [0x91, ...ext(0xc9, 0x70, [0, 0, 0, 0])])),
  },
  {
    name: "one array of 800 float 32s",
    bytes: frame(MessageKind.PING, [
      0xdc,
      0x03,
      0x20,
      ...Array.from({ length: 800 }, () => [0xca, 0x3f, 0x80, 0, 0]).flat(),
    ]),
  },
  {
    name: "64 pings (valid)",
    bytes: encodeBatch(Array.from({ length: 64 }, () => ({
      kind: MessageKind.PING,
      clientTimeMs: 1.5e12,
    }))),
  },
  {
    name: "64 inputs (valid)",
    bytes: encodeBatch(Array.from({ length: 64 }, (_, index) => ({
      kind: MessageKind.INPUT,
      sequence: 2 ** 31 + index,
      clientTick: 2 ** 31,
      buttons: 2 ** 31,
      aim: -999.9999,
    }))),
  },
  { name: "join of longest fields (valid)", bytes: join("n".repeat(LIMITS.maxNameChars)) },
  {
    name: "join of longest fields, 4-byte characters",
    bytes: join("😀".repeat(LIMITS.maxNameChars / 2)),
  },
];

const decoder = new FrameDecoder();
const out = new ClientFrames();
let worstUs = 0, worstName = "", worstP99Us = 0;
for (const { name, bytes } of messages) {
  if (bytes.length > MAX) throw new RangeError(`Cannot bench ${name}: ${bytes.length} bytes`);
  const timesUs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const startMs = performance.now();
    try {
      decoder.decodeClientFrames(bytes, out);
    } catch {
      // A refusal is the expected answer for most: its cost is what is measured.
    }
    timesUs.push((performance.now() - startMs) * 1000);
  }
  timesUs.sort((a, b) => a - b);
  const medianUs = timesUs[timesUs.length >> 1] ?? 0, maxUs = timesUs[timesUs.length - 1] ?? 0;
  const p99Us = timesUs[Math.floor(timesUs.length * 0.99)] ?? 0;
  worstP99Us = Math.max(worstP99Us, p99Us);
  if (medianUs > worstUs) [worstUs, worstName] = [medianUs, name];
  console.log(
    `${name.padEnd(44)} ${String(bytes.length).padStart(5)} B  median ${
      medianUs.toFixed(1).padStart(6)
    } µs  p99 ${p99Us.toFixed(1).padStart(6)} µs  worst ${maxUs.toFixed(1).padStart(7)} µs`,
  );
}
console.log(
  `worst median: ${worstUs.toFixed(1)} µs (${worstName}); worst p99: ${
    worstP99Us.toFixed(1)
  } µs; ${rounds} rounds each (the worst single times are GC pauses and other processes)`,
);
