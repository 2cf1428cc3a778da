import { CloseCode } from "../shared/protocol/mod.ts";
import { createMetricsRoutes, ServerMetrics } from "./metrics/mod.ts";
import type { Game } from "./rooms/game.ts";
import { RoomRegistry, type RoomRegistryOptions } from "./rooms/registry.ts";
import { type Clock, realClock } from "./tick/clock.ts";
import { createHandler, type Handler, type HandlerOptions } from "./transport/http_handler.ts";
import { PongHolds } from "./transport/pong_holds.ts";
import type { Connection } from "./transport/connection.ts";
import {
  type ConnectionLimitsOptions,
  resolveConnectionLimits,
} from "./transport/connection_limits.ts";
import { ReconnectTokens } from "./transport/reconnect_token.ts";
import { ServerCounters } from "./transport/server_counters.ts";
import type { TrustedProxies } from "./transport/trusted_proxies.ts";
import {
  startWebTransport,
  type WebTransportServer,
  type WebTransportServerOptions,
} from "./transport/webtransport_server.ts";

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
  /**
   * UDP port of the WebTransport listener, `"off"` for none. It needs Deno's `--unstable-net`;
   * without it the server logs one line and serves WebSocket only.
   * @default the HTTP port + 1 (0, a free port, when the HTTP port is 0)
   */
  webTransportPort?: number | "off";
  /** A real certificate and key (PEM) for WebTransport; without it an ephemeral one is made. */
  certificate?: { certPem: string; keyPem: string };
}

/** What `GET /transport` answers: how a client may connect. */
export interface TransportDocument {
  /** Path of the WebSocket endpoint on the HTTP port. */
  webSocketPath: string;
  /**
   * The WebTransport listener: its UDP port and the SHA-256 hashes (base64) of the certificate
   * to trust by hash (empty for a CA-signed one); `null` when it is off.
   */
  webTransport: { port: number; certificateHashes: string[] } | null;
}

/** A running server. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** e.g. `ws://127.0.0.1:8000/ws`. */
  readonly wsUrl: string;
  /** The WebTransport listener, `null` when it is off or Deno lacks the API. */
  readonly webTransport: WebTransportServer | null;
  /** The rooms. */
  readonly registry: RoomRegistry;
  /** Transport counters. */
  readonly counters: ServerCounters;
  /** The operator's metrics and stats history. */
  readonly metrics: ServerMetrics;
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
  const reconnectTokens = options.reconnectTokens ?? new ReconnectTokens();
  const registry = new RoomRegistry({
    ...options,
    clock,
    issueReconnectToken: (roomId, playerId) => reconnectTokens.issue(roomId, playerId),
  });
  for (const game of options.games) registry.register(game);
  const counters = new ServerCounters();
  const connections = new Set<Connection>();
  const metrics = new ServerMetrics({
    registry,
    counters,
    connections,
    sampleIntervalMs: options.statsSampleIntervalMs ?? 1000,
  });
  const pongHolds = new PongHolds();
  const startedMs = performance.now();
  const serverTimeMs = () => performance.now() - startedMs;
  let webTransport: WebTransportServer | null = null;
  const transportDocument = (): TransportDocument => ({
    webSocketPath: "/ws",
    webTransport: webTransport === null
      ? null
      : { port: webTransport.port, certificateHashes: webTransport.certificateHashes() },
  });
  const handlerOptions: HandlerOptions = {
    registry,
    counters,
    connections,
    reconnectTokens,
    pongHolds,
    serverTimeMs,
  };
  if (options.connectionLimits !== undefined) handlerOptions.limits = options.connectionLimits;
  if (options.staticFolders !== undefined) handlerOptions.staticFolders = options.staticFolders;
  if (options.allowedOrigins !== undefined) handlerOptions.allowedOrigins = options.allowedOrigins;
  if (options.trustedProxies !== undefined) handlerOptions.trustedProxies = options.trustedProxies;
  handlerOptions.routes = {
    "/transport": () => Response.json(transportDocument()),
    ...(options.operatorRoutes === false ? {} : createMetricsRoutes(metrics)),
    ...options.routes,
  };
  const handler = createHandler(handlerOptions);
  const controller = new AbortController();
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 8000,
      signal: controller.signal,
      onListen: async ({ hostname, port }) => {
        metrics.start();
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        const webTransportPort = options.webTransportPort ?? (port === 0 ? 0 : port + 1);
        if (webTransportPort !== "off") {
          const limits = resolveConnectionLimits(options.connectionLimits);
          const connectionOptions: WebTransportServerOptions["connectionOptions"] = {
            registry,
            counters,
            serverTimeMs,
            pongHolds,
            limits,
            reconnectTokens,
          };
          const webTransportOptions: WebTransportServerOptions = {
            hostname,
            port: webTransportPort,
            counters,
            maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
            streamTimeoutMs: limits.joinTimeoutMs,
            connectionOptions,
            connections,
          };
          if (options.certificate !== undefined) {
            webTransportOptions.certificate = options.certificate;
          }
          try {
            webTransport = await startWebTransport(webTransportOptions);
          } catch (error) {
            // A taken UDP port (the default is the HTTP port + 1) must not take WebSocket down.
            const detail = error instanceof Error ? error.message : String(error);
            console.warn(
              `WebTransport is off: cannot listen on UDP ${hostname}:${webTransportPort}: ${detail}; serving WebSocket only`,
            );
          }
        }
        resolve({
          url: `http://${host}:${port}`,
          wsUrl: `ws://${host}:${port}/ws`,
          webTransport,
          registry,
          counters,
          metrics,
          handler,
          async shutdown(reason = "Server is restarting", timeoutMs = 1500) {
            const deadlineMs = performance.now() + timeoutMs;
            metrics.stop();
            registry.closeAll(CloseCode.SERVICE_RESTART, reason);
            for (const connection of connections) {
              connection.close(CloseCode.SERVICE_RESTART, reason);
            }
            pongHolds.stop();
            // Give the close frames a moment to reach the clients before the listener stops.
            while (counters.openConnections > 0 && performance.now() < deadlineMs) {
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            if (webTransport !== null && counters.openedByTransport.webtransport > 0) {
              // A session counts as ended once it is closed here, before its close has reached
              // the peer; closing the endpoint at once would cut it off (the client would see a
              // dropped connection, not 1012). A fifth of a second covers a loopback or LAN
              // round trip or two.
              const graceMs = Math.min(200, Math.max(0, deadlineMs - performance.now()));
              await new Promise((resolve) => setTimeout(resolve, graceMs));
            }
            webTransport?.close();
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
