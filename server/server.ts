import { CloseCode } from "../shared/protocol/mod.ts";
import type { Game } from "./rooms/game.ts";
import { RoomRegistry, type RoomRegistryOptions } from "./rooms/registry.ts";
import { type Clock, realClock } from "./tick/clock.ts";
import { createHandler, type Handler, type HandlerOptions } from "./transport/http_handler.ts";
import type { Connection } from "./transport/connection.ts";
import { ServerCounters } from "./transport/server_counters.ts";

/** Settings of {@linkcode startServer}. */
export interface ServerOptions extends Partial<Omit<RoomRegistryOptions, "clock">> {
  /** Games clients can join. */
  games: Game<unknown>[];
  /**
   * Interface to bind.
   * @default "127.0.0.1"
   */
  hostname?: string;
  /**
   * Port to bind; 0 picks a free one.
   * @default 8000
   */
  port?: number;
  /** Time source; tests pass a manual clock. */
  clock?: Clock;
  /** Folders whose files are served at `/`. */
  staticFolders?: string[];
  /** Origins allowed to open a WebSocket; all when unset. */
  allowedOrigins?: string[];
  /** Extra HTTP routes. */
  routes?: HandlerOptions["routes"];
}

/** A running server. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** e.g. `ws://127.0.0.1:8000/ws`. */
  readonly wsUrl: string;
  /** The rooms. */
  readonly registry: RoomRegistry;
  /** Transport counters. */
  readonly counters: ServerCounters;
  /** The request handler. */
  readonly handler: Handler;
  /**
   * Stop accepting, close every client with 1012 and a reason, and wait until the listener has
   * finished (bounded by `timeoutMs`).
   */
  shutdown(reason?: string, timeoutMs?: number): Promise<void>;
}

/** Start serving HTTP and WebSockets with the given games. */
export function startServer(options: ServerOptions): Promise<RunningServer> {
  const clock = options.clock ?? realClock;
  const registry = new RoomRegistry({ ...options, clock });
  for (const game of options.games) registry.register(game);
  const counters = new ServerCounters();
  const connections = new Set<Connection>();
  const handlerOptions: HandlerOptions = { registry, counters, connections };
  if (options.staticFolders !== undefined) handlerOptions.staticFolders = options.staticFolders;
  if (options.allowedOrigins !== undefined) handlerOptions.allowedOrigins = options.allowedOrigins;
  if (options.routes !== undefined) handlerOptions.routes = options.routes;
  const handler = createHandler(handlerOptions);
  const controller = new AbortController();
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 8000,
      signal: controller.signal,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        resolve({
          url: `http://${host}:${port}`,
          wsUrl: `ws://${host}:${port}/ws`,
          registry,
          counters,
          handler,
          async shutdown(reason = "Server is restarting", timeoutMs = 1500) {
            const deadlineMs = performance.now() + timeoutMs;
            registry.closeAll(CloseCode.SERVICE_RESTART, reason);
            for (const connection of connections) {
              connection.close(CloseCode.SERVICE_RESTART, reason);
            }
            // Give the close frames a moment to reach the clients before the listener stops.
            while (counters.openConnections > 0 && performance.now() < deadlineMs) {
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            controller.abort();
            let timer: ReturnType<typeof setTimeout> | undefined;
            const timeout = new Promise<void>((done) => {
              timer = setTimeout(done, Math.max(0, deadlineMs - performance.now()));
            });
            await Promise.race([server.finished, timeout]);
            clearTimeout(timer);
          },
        });
      },
    }, handler);
  });
}
