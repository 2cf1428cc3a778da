/**
 * A room-creation attack at the server's room cap, against the real entry point (arena game) run
 * as a child process, its CPU and memory read from /proc. The per-address creation rate is raised
 * so that one host stands in for many addresses: the cap is the only limit left.
 *
 * 1. churn: `--loops` connect–join `new`–close loops (each room is left at once);
 * 2. hold: `--hold` sockets each join `new` and stay `--hold-seconds` (the cap refuses the rest),
 *    then all close.
 *
 * Prints, per phase, the server's CPU (s/s) and RSS during and after, the rooms created and
 * refused, `/healthz` latency during, and how long the rooms took to go.
 *
 * ```sh
 * deno run --allow-all tests/bench/room_attack.ts [--max-rooms 1000] [--loops 3000] [--hold 1050]
 * ```
 * @module
 */
import { Flags } from "../load/_flags.ts";
import { spawnDeno } from "../load/_child.ts";
import { readCpuSeconds, readMemoryMiB } from "../load/_proc.ts";
import { attackRooms, newRoomJoin } from "../robustness/_room_attack.ts";
import { CloseCode, FrameDecoder, MessageKind, SUBPROTOCOL } from "../../shared/protocol/mod.ts";

const flags = new Flags(Deno.args, ["max-rooms", "loops", "hold", "hold-seconds"]);
const maxRooms = flags.number("max-rooms", 1000, 1, 100_000);
const loops = flags.number("loops", 3000, 0, 100_000);
const hold = flags.number("hold", maxRooms + 50, 0, 5000);
const holdSeconds = flags.number("hold-seconds", 8, 1, 120);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let onListen: (url: string) => void = () => {};
const listening = new Promise<string>((resolve) => onListen = resolve);
const server = spawnDeno([
  "run",
  "--allow-net",
  "--allow-read",
  "--allow-env",
  "server/main.ts",
  "--port",
  "0",
  "--max-rooms",
  String(maxRooms),
  "--rooms-per-address-per-minute",
  "1000000",
  "--max-connections-per-address",
  String(hold + 100),
], {
  onStdoutLine: (line) => {
    const match = /on (http:\/\/[^\s]+) \(WebSocket/.exec(line);
    if (match?.[1] !== undefined) onListen(match[1]);
  },
});
const httpUrl = await listening;
const wsUrl = `${httpUrl.replace("http:", "ws:")}/ws`;
const liveRooms = async () => (await (await fetch(`${httpUrl}/healthz`)).json()).rooms as number;

/** CPU seconds a second and RSS over `ms` of whatever runs meanwhile. */
async function sample<T>(work: Promise<T>): Promise<{
  result: T;
  cpu: number;
  peakRssMiB: number;
  seconds: number;
  worstHealthzMs: number;
}> {
  const cpuStart = readCpuSeconds(server.pid), startMs = performance.now();
  let peakRssMiB = 0, worstHealthzMs = 0, done = false;
  const sampler = (async () => {
    while (!done) {
      peakRssMiB = Math.max(peakRssMiB, readMemoryMiB(server.pid).rssMiB);
      const askedMs = performance.now();
      await fetch(`${httpUrl}/healthz`).then((response) => response.arrayBuffer());
      worstHealthzMs = Math.max(worstHealthzMs, performance.now() - askedMs);
      await sleep(250);
    }
  })();
  const result = await work;
  done = true;
  await sampler;
  const seconds = (performance.now() - startMs) / 1000;
  return {
    result,
    cpu: (readCpuSeconds(server.pid) - cpuStart) / seconds,
    peakRssMiB,
    seconds,
    worstHealthzMs,
  };
}

async function after(label: string, endedMs: number): Promise<void> {
  while (await liveRooms() > 0) await sleep(50);
  const goneMs = performance.now() - endedMs;
  await sleep(3000);
  const idle = await sample(sleep(2000));
  console.log(
    `${label} after: rooms gone ${Math.round(goneMs)} ms after the end; idle CPU ${
      idle.cpu.toFixed(2)
    } s/s; RSS ${readMemoryMiB(server.pid).rssMiB} MiB`,
  );
}

const join = newRoomJoin("arena");

/** Open `count` sockets that join `new` and stay; resolves with them and their answers. */
async function holdRooms(count: number): Promise<{ sockets: WebSocket[]; refused: number }> {
  const sockets: WebSocket[] = [];
  let refused = 0;
  const answers: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const socket = new WebSocket(wsUrl, SUBPROTOCOL);
    socket.binaryType = "arraybuffer";
    sockets.push(socket);
    const decoder = new FrameDecoder();
    answers.push(
      new Promise<void>((resolve) => {
        socket.onopen = () => socket.send(join);
        socket.onmessage = (event) => {
          const batch = decoder.decodeServerBatch(new Uint8Array(event.data as ArrayBuffer));
          if (batch.some((message) => message.kind === MessageKind.WELCOME)) resolve();
        };
        socket.onerror = () => {};
        socket.onclose = (event) => {
          if (event.code === CloseCode.ROOM_LIMIT) refused++;
          resolve();
        };
      }),
    );
    if (index % 20 === 19) await sleep(5);
  }
  await Promise.all(answers);
  return { sockets, refused };
}

const fresh = readMemoryMiB(server.pid).rssMiB;
const idle = await sample(sleep(2000));
console.log(
  `fresh server: RSS ${fresh} MiB, idle CPU ${idle.cpu.toFixed(2)} s/s (machine shared)`,
);
if (loops > 0) {
  const churn = await sample(attackRooms(wsUrl, { game: "arena", loops, concurrency: 16 }));
  console.log(
    `churn of ${loops} loops: ${churn.result.created} created, ${churn.result.refused} refused, ` +
      `${churn.result.other} other in ${churn.seconds.toFixed(1)} s; CPU ${
        churn.cpu.toFixed(2)
      } s/s; peak RSS ${churn.peakRssMiB} MiB; worst /healthz ${
        Math.round(churn.worstHealthzMs)
      } ms`,
  );
  await after("churn", performance.now());
}
if (hold > 0) {
  const holding = await sample((async () => {
    const held = await holdRooms(hold);
    await sleep(holdSeconds * 1000);
    return held;
  })());
  const { sockets, refused } = holding.result;
  console.log(
    `hold of ${hold} sockets for ${holdSeconds} s: ${hold - refused} rooms (cap ${maxRooms}), ` +
      `${refused} refused 4008; CPU ${
        holding.cpu.toFixed(2)
      } s/s; peak RSS ${holding.peakRssMiB} MiB; ` +
      `worst /healthz ${Math.round(holding.worstHealthzMs)} ms`,
  );
  for (const socket of sockets) socket.close(1000);
  await after("hold", performance.now());
}
await server.stop();
