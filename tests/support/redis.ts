/**
 * A private `redis-server` for a test: installed with apt-get when missing (as CI does on a fresh
 * machine), bound to 127.0.0.1 on a free port, persisting nothing, and stopped by the test.
 * @module
 */
import { freePort, spawnRedisServer, stopChild } from "../../server/cluster/redis_server.ts";
import { ensureAptPackage } from "./_apt.ts";

/** Where Debian's `redis-server` package puts the server. */
export const REDIS_SERVER_PATH = "/usr/bin/redis-server";

/** A running private redis-server; dispose it with `await using` or {@linkcode TestRedis.stop}. */
export interface TestRedis {
  /** e.g. `redis://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** Process id of the server. */
  readonly pid: number;
  /** Send a command and read its one-line or bulk answer (for key counts in tests). */
  command(...args: string[]): Promise<string>;
  /** Stop the server (SIGTERM, then SIGKILL) and wait for it to exit. */
  stop(): Promise<void>;
  /** Start it again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Install redis-server if needed and start one on a free port; resolves once it answers PING. */
export async function startRedis(): Promise<TestRedis> {
  const path = await ensureAptPackage("redis-server", REDIS_SERVER_PATH);
  const port = freePort();
  let child = await spawnRedis(path, port);
  const stop = () => stopChild(child);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid;
    },
    command: (...args) => redisCommand(port, args),
    stop,
    async restart() {
      await stop();
      child = await spawnRedis(path, port);
    },
    [Symbol.asyncDispose]: stop,
  };
}

/** Start `redis-server` on `port`; resolves once it answers PING. */
async function spawnRedis(path: string, port: number): Promise<Deno.ChildProcess> {
  const child = await spawnRedisServer(path, port);
  if ((await redisCommand(port, ["PING"])) !== "PONG") {
    await stopChild(child);
    throw new Error(`Cannot start redis-server on port ${port}: no PONG`);
  }
  return child;
}

/**
 * Send one command in RESP and read a simple, integer or bulk reply (arrays are joined with
 * newlines). Enough for PING, DBSIZE and KEYS in tests; no client library needed.
 */
export async function redisCommand(port: number, args: readonly string[]): Promise<string> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const encoder = new TextEncoder();
    let request = `*${args.length}\r\n`;
    for (const arg of args) request += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
    await connection.write(encoder.encode(request));
    let text = "";
    const buffer = new Uint8Array(65_536);
    const decoder = new TextDecoder();
    for (;;) {
      const parsed = parseReply(text);
      if (parsed !== null) return parsed;
      const read = await connection.read(buffer);
      if (read === null) throw new Error(`Cannot read redis reply: connection closed`);
      text += decoder.decode(buffer.subarray(0, read), { stream: true });
    }
  } finally {
    connection.close();
  }
}

/** A complete reply in `text`, or null while more bytes are needed. */
function parseReply(text: string): string | null {
  const lineEnd = text.indexOf("\r\n");
  if (lineEnd < 0) return null;
  const head = text.slice(1, lineEnd);
  switch (text[0]) {
    case "+":
    case ":":
      return head;
    case "-":
      throw new Error(`Redis error: ${head}`);
    case "$": {
      const length = Number(head);
      if (length < 0) return "";
      return text.length >= lineEnd + 2 + length + 2
        ? text.slice(lineEnd + 2, lineEnd + 2 + length)
        : null;
    }
    case "*": {
      const count = Number(head);
      const items: string[] = [];
      let rest = text.slice(lineEnd + 2);
      for (let index = 0; index < count; index++) {
        const end = rest.indexOf("\r\n");
        if (end < 0 || rest[0] !== "$") return null;
        const length = Number(rest.slice(1, end));
        if (rest.length < end + 2 + length + 2) return null;
        items.push(rest.slice(end + 2, end + 2 + length));
        rest = rest.slice(end + 2 + length + 2);
      }
      return items.join("\n");
    }
    default:
      throw new Error(`Cannot parse redis reply: ${JSON.stringify(text.slice(0, 40))}`);
  }
}
