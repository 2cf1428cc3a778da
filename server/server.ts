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
import { ClusterNode } from "./cluster/cluster_node.ts";
import { MemoryDirectory } from "./cluster/memory_directory.ts";
import { randomId, type RoomDirectory } from "./cluster/room_directory.ts";
import { createClusterRoutes } from "./cluster/routes.ts";
import { SeatTokens } from "./cluster/seat_tokens.ts";

/** How a server takes part in a cluster; every field has an embedded default. */
export interface ClusterOptions {
  /**
   * The directory shared by the processes of the cluster.
   * @default a MemoryDirectory of this process alone (the embedded default)
   */
  directory?: RoomDirectory;
  /**
   * This process's id, the suffix of its room ids.
   * @default 6 random lowercase letters and digits
   */
  processId?: string;
  /**
   * The WebSocket URL clients are sent to for this process's rooms.
   * @default the bound address's `ws://HOST:PORT/ws`
   */
  publicWsUrl?: string;
  /** Lease lifetime in ms (default 10000). */
  leaseTtlMs?: number;
  /** Lease renewal interval in ms (default 2000). */
  leaseRefreshMs?: number;
  /** Seat reservation lifetime in ms (default 15000). */
  seatTtlMs?: number;
}

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
  /** Time source of the rooms; tests pass a manual clock. */
  clock?: Clock;
  /**
   * Time source of the connections' join and silence deadlines; separate from `clock`, so a test
   * can drive the deadlines while rooms tick in real time, or the reverse.
   * @default realClock
   */
  connectionClock?: Clock;
  /** Folders whose files are served at `/`. */
  staticFolders?: string[];
  /** Origins allowed to open a WebSocket; all when unset. */
  allowedOrigins?: string[];
  /** Per-address connection limit, message rate, join and silence deadlines. */
  connectionLimits?: ConnectionLimitsOptions;
  /** Reverse proxies whose forwarding headers name the client; none when unset. */
  trustedProxies?: TrustedProxies;
  /**
   * HMAC secret of reconnect tokens and matchmaking seats (at least 32 bytes); every process of a
   * cluster needs the same one.
   * @default 32 random bytes: tokens die with the process
   */
  secret?: Uint8Array;
  /**
   * Signs and checks reconnect tokens.
   * @default a ReconnectTokens with `secret`
   */
  reconnectTokens?: ReconnectTokens;
  /** Cluster settings; without them the server is its own one-process cluster in memory. */
  cluster?: ClusterOptions;
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
  /** This process's part in the cluster (its lease, matchmaking and seats). */
  readonly cluster: ClusterNode;
  /**
   * Take no new rooms or seats, wait until every player has left or `timeoutMs` has passed, then
   * shut down (the players left are closed with 1012).
   */
  drain(timeoutMs: number, reason?: string): Promise<void>;
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
  const secret = options.secret ?? crypto.getRandomValues(new Uint8Array(32));
  const reconnectTokens = options.reconnectTokens ?? new ReconnectTokens({ secret });
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
  let cluster: ClusterNode | undefined;
  const startedMs = performance.now();
  const serverTimeMs = () => performance.now() - startedMs;
  let webTransport: WebTransportServer | null = null;
  const transportDocument = (): TransportDocument => ({
    webSocketPath: "/ws",
    webTransport: webTransport === null
      ? null
      : { port: webTransport.port, certificateHashes: webTransport.certificateHashes() },
  });
  const seats: NonNullable<HandlerOptions["seats"]> = {
    admit: (seat) =>
      cluster?.admit(seat) ??
        Promise.resolve({
          ok: false,
          code: CloseCode.SERVICE_RESTART,
          reason: "Server is starting",
        }),
  };
  const handlerOptions: HandlerOptions = {
    registry,
    counters,
    connections,
    reconnectTokens,
    pongHolds,
    serverTimeMs,
    seats,
    clock: options.connectionClock ?? realClock,
  };
  if (options.connectionLimits !== undefined) handlerOptions.limits = options.connectionLimits;
  if (options.staticFolders !== undefined) handlerOptions.staticFolders = options.staticFolders;
  if (options.allowedOrigins !== undefined) handlerOptions.allowedOrigins = options.allowedOrigins;
  if (options.trustedProxies !== undefined) handlerOptions.trustedProxies = options.trustedProxies;
  handlerOptions.routes = {
    // Any page may read it: in a cluster the page's process and the room's owner differ.
    "/transport": () =>
      Response.json(transportDocument(), { headers: { "access-control-allow-origin": "*" } }),
    ...(options.operatorRoutes === false ? {} : createMetricsRoutes(metrics)),
    ...createClusterRoutes(() => cluster),
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
      onListen: async ({ hostname, port }) => {
        metrics.start();
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        const url = `http://${host}:${port}`;
        const wsUrl = `ws://${host}:${port}/ws`;
        const settings = options.cluster ?? {};
        const node = new ClusterNode({
          directory: settings.directory ?? new MemoryDirectory(),
          registry,
          games: options.games,
          seatTokens: new SeatTokens(secret),
          processId: settings.processId ?? randomId(6),
          wsUrl: settings.publicWsUrl ?? wsUrl,
          httpUrl: url,
          tickP99Ms: () => metrics.report().history.tickP99Ms.at(-1) ?? 0,
          ...(settings.leaseTtlMs === undefined ? {} : { leaseTtlMs: settings.leaseTtlMs }),
          ...(settings.leaseRefreshMs === undefined
            ? {}
            : { leaseRefreshMs: settings.leaseRefreshMs }),
          ...(settings.seatTtlMs === undefined ? {} : { seatTtlMs: settings.seatTtlMs }),
        });
        await node.start();
        cluster = node;
        const webTransportPort = options.webTransportPort ?? (port === 0 ? 0 : port + 1);
        if (webTransportPort !== "off") {
          const limits = resolveConnectionLimits(options.connectionLimits);
          const webTransportOptions: WebTransportServerOptions = {
            hostname,
            port: webTransportPort,
            counters,
            maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
            streamTimeoutMs: limits.joinTimeoutMs,
            connectionOptions: {
              registry,
              counters,
              serverTimeMs,
              pongHolds,
              limits,
              reconnectTokens,
              seats,
            },
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
        const running: RunningServer = {
          url,
          wsUrl,
          webTransport,
          registry,
          counters,
          metrics,
          handler,
          cluster: node,
          async drain(timeoutMs, reason = "Server is shutting down") {
            await node.drain();
            const deadlineMs = performance.now() + timeoutMs;
            const players = () => registry.rooms().reduce((sum, room) => sum + room.playerCount, 0);
            while (players() > 0 && performance.now() < deadlineMs) {
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
            await running.shutdown(reason);
          },
          recordings,
          async shutdown(reason = "Server is restarting", timeoutMs = 1500) {
            const deadlineMs = performance.now() + timeoutMs;
            await node.leave();
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
        };
        resolve(running);
      },
    }, handler);
  });
}
