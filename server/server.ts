import { CloseCode } from "../shared/protocol/mod.ts";
import { createMetricsRoutes, ServerMetrics } from "./metrics/mod.ts";
import { type RecordingOptions, RecordingStore } from "./recording/recording_store.ts";
import { withSyncTest } from "./recording/sync_test.ts";
import type { Game } from "./rooms/game.ts";
import { RoomRegistry, type RoomRegistryOptions } from "./rooms/registry.ts";
import { type Clock, realClock } from "./tick/clock.ts";
import { createHandler, type Handler, type HandlerOptions } from "./transport/http_handler.ts";
import { PongHolds } from "./transport/pong_holds.ts";
import type { Connection } from "./transport/connection.ts";
import type { ConnectionLimitsOptions } from "./transport/connection_limits.ts";
import { ReconnectTokens } from "./transport/reconnect_token.ts";
import { ServerCounters } from "./transport/server_counters.ts";
import type { TrustedProxies } from "./transport/trusted_proxies.ts";

/** Settings of {@linkcode startServer}. */
export interface ServerOptions
  extends Partial<Omit<RoomRegistryOptions, "clock" | "issueReconnectToken">> {
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
  /** Per-address connection limit, message rate, join and silence deadlines. */
  connectionLimits?: ConnectionLimitsOptions;
  /** Reverse proxies whose forwarding headers name the client; none when unset. */
  trustedProxies?: TrustedProxies;
  /**
   * Signs and checks reconnect tokens.
   * @default a ReconnectTokens with a random secret: tokens die with the process
   */
  reconnectTokens?: ReconnectTokens;
  /** Extra HTTP routes; one with the path of an operator route replaces it. */
  routes?: HandlerOptions["routes"];
  /**
   * Serve the operator's routes `/metrics`, `/stats` and `/stats.json`.
   * @default true
   */
  operatorRoutes?: boolean;
  /**
   * Time between two samples of the live stats history.
   * @default 1000
   */
  statsSampleIntervalMs?: number;
  /** Record every room's match into a folder (and serve the files to `/replay`); off when unset. */
  recording?: RecordingOptions;
  /**
   * Run every tick twice from a saved state and close the room with 1011 when the two differ:
   * finds non-deterministic game rules during development. Doubles the simulation's cost.
   * @default false
   */
  syncTest?: boolean;
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
  /** The operator's metrics and stats history. */
  readonly metrics: ServerMetrics;
  /** The request handler. */
  readonly handler: Handler;
  /** The recordings folder, when recording is on. */
  readonly recordings: RecordingStore | undefined;
  /**
   * Stop accepting, close every client with 1012 and a reason, and wait until the listener has
   * finished (bounded by `timeoutMs`).
   */
  shutdown(reason?: string, timeoutMs?: number): Promise<void>;
}

/** Start serving HTTP and WebSockets with the given games. */
export function startServer(options: ServerOptions): Promise<RunningServer> {
  const clock = options.clock ?? realClock;
  const reconnectTokens = options.reconnectTokens ?? new ReconnectTokens();
  const recordings = options.recording === undefined
    ? undefined
    : new RecordingStore(options.recording);
  const registry = new RoomRegistry({
    ...options,
    clock,
    issueReconnectToken: (roomId, playerId) => reconnectTokens.issue(roomId, playerId),
    ...(recordings === undefined ? {} : { recorder: (room) => recordings.recorderFor(room) }),
  });
  for (const game of options.games) {
    registry.register(options.syncTest === true ? withSyncTest(game) : game);
  }
  const counters = new ServerCounters();
  const connections = new Set<Connection>();
  const metrics = new ServerMetrics({
    registry,
    counters,
    connections,
    sampleIntervalMs: options.statsSampleIntervalMs ?? 1000,
  });
  const pongHolds = new PongHolds();
  const handlerOptions: HandlerOptions = {
    registry,
    counters,
    connections,
    reconnectTokens,
    pongHolds,
  };
  if (options.connectionLimits !== undefined) handlerOptions.limits = options.connectionLimits;
  if (options.staticFolders !== undefined) handlerOptions.staticFolders = options.staticFolders;
  if (options.allowedOrigins !== undefined) handlerOptions.allowedOrigins = options.allowedOrigins;
  if (options.trustedProxies !== undefined) handlerOptions.trustedProxies = options.trustedProxies;
  handlerOptions.routes = {
    ...(options.operatorRoutes === false ? {} : createMetricsRoutes(metrics)),
    ...recordings?.routes(),
    ...options.routes,
  };
  const handler = createHandler(handlerOptions);
  const controller = new AbortController();
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 8000,
      signal: controller.signal,
      onListen: ({ hostname, port }) => {
        metrics.start();
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        resolve({
          url: `http://${host}:${port}`,
          wsUrl: `ws://${host}:${port}/ws`,
          registry,
          counters,
          metrics,
          handler,
          recordings,
          async shutdown(reason = "Server is restarting", timeoutMs = 1500) {
            const deadlineMs = performance.now() + timeoutMs;
            metrics.stop();
            registry.closeAll(CloseCode.SERVICE_RESTART, reason);
            for (const connection of connections) {
              connection.close(CloseCode.SERVICE_RESTART, reason);
            }
            pongHolds.stop();
            // Let the rooms' recordings write their last chunk and their index.
            const writing = [...(recordings?.active.values() ?? [])].map((r) => r.flushed());
            let writeTimer: ReturnType<typeof setTimeout> | undefined;
            await Promise.race([
              Promise.all(writing),
              new Promise((done) => {
                writeTimer = setTimeout(done, Math.max(0, deadlineMs - performance.now()));
              }),
            ]);
            clearTimeout(writeTimer);
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
