/**
 * The room directory on Redis, for cluster mode. This module is loaded only by a dynamic import
 * when a Redis URL is configured, so the embedded default never loads the Redis client.
 * @module
 */
import { createClient } from "@redis/client";
import { CONSUME, LISTINGS, PROCESSES, REMOVE, RENEW, RESERVE } from "./_redis_scripts.ts";
import type {
  LeaseRenewal,
  ProcessRecord,
  RoomDirectory,
  RoomListing,
  SeatRequest,
  SeatReservation,
} from "./room_directory.ts";

/** Settings of {@linkcode connectRedisDirectory}. */
export interface RedisDirectoryOptions {
  /**
   * Prefix of every key, so several clusters can share one Redis.
   * @default "arena:"
   */
  keyPrefix?: string;
  /**
   * A command that has no answer in this time fails (matchmaking then answers 503).
   * @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * Give up connecting at start after this long.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /** Told when the connection fails or comes back; the default logs. */
  onConnectionChange?: (up: boolean, detail: string) => void;
}

/** The Redis commands a directory sends: one per call, `EVALSHA` of a script. */
interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Connect to Redis at `url` and return the directory. Commands are not queued while the
 * connection is down: they fail at once, so a caller never waits on an outage.
 * @throws {Error} when Redis cannot be reached within the connect timeout
 */
export async function connectRedisDirectory(
  url: string,
  options: RedisDirectoryOptions = {},
): Promise<RedisDirectory> {
  const report = options.onConnectionChange ??
    ((up, detail) => console.log(up ? `Redis ${url} reachable` : `Redis ${url} lost: ${detail}`));
  let up = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // Retry fast and often: re-registering within 5 s of Redis coming back depends on it.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 1000),
    },
  });
  client.on("error", (error: unknown) => {
    if (!up) return;
    up = false;
    report(false, error instanceof Error ? error.message : String(error));
  });
  client.on("ready", () => {
    if (up) return;
    up = true;
    report(true, "");
  });
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    client.destroy();
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot connect to Redis at ${url}: ${detail}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  const commands: RedisCommands = {
    sendCommand: (args) => client.sendCommand(args),
    close: async () => {
      up = false;
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
  return new RedisDirectory(commands, options);
}

/** A Lua script sent by its SHA-1, and in full when Redis does not know it (after a restart). */
class Script {
  readonly #text: string;
  #sha: Promise<string> | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  async run(redis: RedisCommands, args: string[]): Promise<unknown> {
    this.#sha ??= sha1Hex(this.#text);
    try {
      return await redis.sendCommand(["EVALSHA", await this.#sha, "0", ...args]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.sendCommand(["EVAL", this.#text, "0", ...args]);
    }
  }
}

const SCRIPTS = {
  renew: new Script(RENEW),
  reserve: new Script(RESERVE),
  consume: new Script(CONSUME),
  processes: new Script(PROCESSES),
  listings: new Script(LISTINGS),
  remove: new Script(REMOVE),
};

/** The room directory on Redis; see `_redis_scripts.ts` for the keys and the scripts. */
export class RedisDirectory implements RoomDirectory {
  readonly #redis: RedisCommands;
  readonly #prefix: string;
  readonly #commandTimeoutMs: number;
  /** Commands sent, for the Redis commands/s figure of `/metrics` and the benchmark. */
  commandsSent = 0;

  /** @param redis the connection; @param options prefix and timeout */
  constructor(redis: RedisCommands, options: RedisDirectoryOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.keyPrefix ?? "arena:";
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  }

  async renew({ process, rooms, ttlMs, claimUrl }: LeaseRenewal): Promise<number> {
    const args = [
      process.processId,
      JSON.stringify(process),
      String(Math.max(1, Math.round(ttlMs))),
      claimUrl === true ? "1" : "0",
      String(rooms.length),
    ];
    for (const room of rooms) {
      args.push(room.roomId, room.game, String(room.capacity), String(room.players));
    }
    return expectInteger(await this.#run(SCRIPTS.renew, args), "renew");
  }

  async reserveSeat(request: SeatRequest): Promise<SeatReservation> {
    const reply = await this.#run(SCRIPTS.reserve, [
      request.game,
      request.room,
      String(request.capacity),
      request.seatId,
      request.newRoomName,
      String(Math.max(1, Math.round(request.seatTtlMs))),
    ]);
    const parts = expectStrings(reply, "reserve");
    const [status = "", first = "", ownerId = "", wsUrl = ""] = parts;
    if (status === "ok") return { ok: true, roomId: first, ownerId, wsUrl };
    if (status === "full" || status === "other_game" || status === "no_process") {
      return { ok: false, why: status, reason: first };
    }
    throw new TypeError(`Cannot read the reserve script's reply: status ${status}`);
  }

  async consumeSeat(seatId: string, roomId: string): Promise<boolean> {
    return expectInteger(await this.#run(SCRIPTS.consume, [roomId, seatId]), "consume") === 1;
  }

  async processes(): Promise<ProcessRecord[]> {
    const records = expectStrings(await this.#run(SCRIPTS.processes, []), "processes")
      .map((text) => JSON.parse(text) as ProcessRecord);
    return records.sort((a, b) => a.processId < b.processId ? -1 : 1);
  }

  async listings(game?: string): Promise<RoomListing[]> {
    const rows = expectStrings(await this.#run(SCRIPTS.listings, [game ?? ""]), "listings");
    const rooms: RoomListing[] = [];
    for (let index = 0; index + 3 < rows.length; index += 4) {
      rooms.push({
        roomId: rows[index] ?? "",
        game: rows[index + 1] ?? "",
        capacity: Number(rows[index + 2]),
        players: Number(rows[index + 3]),
      });
    }
    return rooms.sort((a, b) => a.roomId < b.roomId ? -1 : 1);
  }

  async remove(processId: string): Promise<void> {
    await this.#run(SCRIPTS.remove, [processId]);
  }

  close(): Promise<void> {
    return this.#redis.close();
  }

  async #run(script: Script, args: string[]): Promise<unknown> {
    this.commandsSent++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        script.run(this.#redis, [this.#prefix, ...args]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not answer within ${this.#commandTimeoutMs} ms`)),
            this.#commandTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function expectInteger(reply: unknown, what: string): number {
  if (typeof reply !== "number" || !Number.isInteger(reply)) {
    throw new TypeError(`Cannot read the ${what} script's reply: expected an integer`);
  }
  return reply;
}

function expectStrings(reply: unknown, what: string): string[] {
  if (!Array.isArray(reply) || !reply.every((item) => typeof item === "string")) {
    throw new TypeError(`Cannot read the ${what} script's reply: expected an array of strings`);
  }
  return reply;
}
