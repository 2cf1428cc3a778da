/**
 * The transport floor the capacity benchmark compares the game server with: a bare
 * `Deno.upgradeWebSocket` server that sends every client one same-sized message at a fixed
 * rate and only counts what the clients send, and clients that send same-sized messages at the
 * bots' rate and only count what they receive. No decoding, no game, no rooms.
 *
 * `deno run -A tests/load/raw_broadcast.ts serve --message-bytes 3000 --rate-hz 30` prints
 * `raw server on ws://127.0.0.1:PORT/ws`; `/counters` answers its counters as JSON.
 * `deno run -A tests/load/raw_broadcast.ts clients --url ws://… --count 500 --send-bytes 20
 * --rate-hz 30 --duration 10 --warmup 3` prints markers to stderr and a JSON summary to stdout.
 * @module
 */
import { Flags } from "./_flags.ts";

/** Counters of the raw server, served at `/counters`. */
export interface RawServerCounters {
  clients: number;
  messagesOut: number;
  bytesOut: number;
  messagesIn: number;
  bytesIn: number;
}

/** Settings of {@linkcode serveRawBroadcast}. */
export interface RawServerOptions {
  /** Port to bind on 127.0.0.1; 0 picks one. */
  port: number;
  /** Size of each message sent. */
  messageBytes: number;
  /** Messages each client gets a second. */
  rateHz: number;
  /** The server stops by itself after this long. */
  maxSeconds: number;
}

/** Serve the raw broadcast until `maxSeconds` pass or `signal` aborts. */
export function serveRawBroadcast(
  options: RawServerOptions,
  signal: AbortSignal,
): Promise<{ url: string; finished: Promise<void> }> {
  const sockets = new Set<WebSocket>();
  const counters: RawServerCounters = {
    clients: 0,
    messagesOut: 0,
    bytesOut: 0,
    messagesIn: 0,
    bytesIn: 0,
  };
  const payload = crypto.getRandomValues(new Uint8Array(options.messageBytes));
  const periodMs = 1000 / options.rateHz;
  let nextMs = performance.now() + periodMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    for (const socket of sockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      socket.send(payload);
      counters.messagesOut++;
      counters.bytesOut += payload.length;
    }
    nextMs += periodMs;
    const nowMs = performance.now();
    if (nextMs < nowMs) nextMs = nowMs;
    timer = setTimeout(tick, nextMs - nowMs);
  };
  const controller = new AbortController();
  const stopTimer = setTimeout(() => controller.abort(), options.maxSeconds * 1000);
  signal.addEventListener("abort", () => controller.abort());
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port,
    signal: controller.signal,
    onListen: () => {},
  }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/counters") return Response.json({ ...counters, clients: sockets.size });
    if (path !== "/ws") return new Response("Not found\n", { status: 404 });
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => sockets.add(socket);
    socket.onmessage = (event: MessageEvent) => {
      counters.messagesIn++;
      if (event.data instanceof ArrayBuffer) counters.bytesIn += event.data.byteLength;
    };
    socket.onclose = () => sockets.delete(socket);
    socket.onerror = () => {};
    return response;
  });
  controller.signal.addEventListener("abort", () => {
    for (const socket of sockets) socket.close(1001, "Server stopping");
  });
  timer = setTimeout(tick, periodMs);
  return Promise.resolve({
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    finished: server.finished.then(() => {
      clearTimeout(timer);
      clearTimeout(stopTimer);
    }),
  });
}

/** Settings of {@linkcode runRawClients}. */
export interface RawClientsOptions {
  url: string;
  count: number;
  /** Size of each message a client sends. */
  sendBytes: number;
  /** Messages each client sends a second. */
  rateHz: number;
  warmupMs: number;
  durationMs: number;
  /** Told `measuring` and `measured` at the edges of the window. */
  onPhase?: (phase: "connected" | "measuring" | "measured") => void;
}

/** What the raw clients received in the measured window. */
export interface RawClientsSummary {
  clients: number;
  failed: number;
  measuredSeconds: number;
  perClientPerSecond: { messagesIn: number; bytesIn: number; messagesOut: number };
}

/** Connect `count` plain WebSockets, send at `rateHz` from one timer loop, count what comes. */
export async function runRawClients(options: RawClientsOptions): Promise<RawClientsSummary> {
  const sockets: WebSocket[] = [];
  const received = { messages: 0, bytes: 0, sent: 0 };
  let failed = 0;
  const payload = new Uint8Array(options.sendBytes);
  const limit = 32;
  for (let start = 0; start < options.count; start += limit) {
    const batch = Math.min(limit, options.count - start);
    await Promise.all(Array.from({ length: batch }, () =>
      new Promise<void>((resolve) => {
        const socket = new WebSocket(options.url);
        socket.binaryType = "arraybuffer";
        const timer = setTimeout(() => {
          failed++;
          socket.close();
          resolve();
        }, 10_000);
        socket.onopen = () => {
          clearTimeout(timer);
          sockets.push(socket);
          resolve();
        };
        socket.onerror = () => {};
        socket.onclose = () => {
          clearTimeout(timer);
          resolve();
        };
        socket.onmessage = (event: MessageEvent) => {
          received.messages++;
          if (event.data instanceof ArrayBuffer) received.bytes += event.data.byteLength;
        };
      })));
  }
  options.onPhase?.("connected");
  const phases = 4;
  const periodMs = 1000 / options.rateHz / phases;
  let wakes = 0;
  let nextMs = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wake = () => {
    const slice = wakes++ % phases;
    for (let index = slice; index < sockets.length; index += phases) {
      const socket = sockets[index];
      if (socket?.readyState !== WebSocket.OPEN) continue;
      socket.send(payload);
      received.sent++;
    }
    nextMs += periodMs;
    const nowMs = performance.now();
    if (nextMs < nowMs - 4 * periodMs) nextMs = nowMs;
    timer = setTimeout(wake, Math.max(0, nextMs - nowMs));
  };
  timer = setTimeout(wake, 0);
  await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
  const begin = { ...received, atMs: performance.now() };
  options.onPhase?.("measuring");
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  const seconds = (performance.now() - begin.atMs) / 1000;
  const end = { ...received };
  options.onPhase?.("measured");
  clearTimeout(timer);
  for (const socket of sockets) socket.close(1000, "Done");
  await new Promise((resolve) => setTimeout(resolve, 300));
  const perClient = (value: number) =>
    sockets.length === 0 ? 0 : Math.round(value / sockets.length / seconds * 10) / 10;
  return {
    clients: sockets.length,
    failed,
    measuredSeconds: Math.round(seconds * 100) / 100,
    perClientPerSecond: {
      messagesIn: perClient(end.messages - begin.messages),
      bytesIn: perClient(end.bytes - begin.bytes),
      messagesOut: perClient(end.sent - begin.sent),
    },
  };
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args.filter((arg) => arg !== "--");
  if (mode === "serve") {
    const flags = new Flags(rest, ["port", "message-bytes", "rate-hz", "max-seconds"]);
    const controller = new AbortController();
    Deno.addSignalListener("SIGTERM", () => controller.abort());
    Deno.addSignalListener("SIGINT", () => controller.abort());
    const { url, finished } = await serveRawBroadcast({
      port: flags.number("port", 0, 0, 65535),
      messageBytes: flags.number("message-bytes", 1000, 1, 4 * 1024 * 1024),
      rateHz: flags.number("rate-hz", 30, 1, 240),
      maxSeconds: flags.number("max-seconds", 300, 1, 3600),
    }, controller.signal);
    console.log(`raw server on ${url}`);
    await finished;
    Deno.exit(0);
  } else if (mode === "clients") {
    const flags = new Flags(rest, [
      "url",
      "count",
      "send-bytes",
      "rate-hz",
      "duration",
      "warmup",
    ]);
    const summary = await runRawClients({
      url: flags.string("url", "ws://127.0.0.1:8000/ws"),
      count: flags.number("count", 16, 1, 5000),
      sendBytes: flags.number("send-bytes", 20, 1, 4096),
      rateHz: flags.number("rate-hz", 30, 1, 240),
      warmupMs: flags.number("warmup", 1, 0, 600) * 1000,
      durationMs: flags.number("duration", 10, 0.1, 3600) * 1000,
      onPhase: (phase) => console.error(`raw clients: ${phase}`),
    });
    console.log(JSON.stringify(summary));
    Deno.exit(0);
  } else {
    console.error("Usage: raw_broadcast.ts serve|clients [flags]");
    Deno.exit(2);
  }
}
