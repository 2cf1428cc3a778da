import { SUBPROTOCOL } from "../../shared/protocol/mod.ts";
import type { RoomRegistry } from "../rooms/registry.ts";
import { Connection, type ConnectionOptions, type ReconnectTokenVerifier } from "./connection.ts";
import {
  addressKey,
  AddressSlots,
  type ConnectionLimits,
  type ConnectionLimitsOptions,
  resolveConnectionLimits,
} from "./connection_limits.ts";
import type { ServerCounters } from "./server_counters.ts";
import { PongHolds } from "./pong_holds.ts";
import { serveStaticFile } from "./static_files.ts";
import { WebSocketSocket } from "./websocket_socket.ts";

/** Settings of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** Where joins go. */
  registry: RoomRegistry;
  /** Process-wide counters. */
  counters: ServerCounters;
  /** Folders whose files are served at `/`, searched in order (e.g. the built client). */
  staticFolders?: string[];
  /** When set, an upgrade whose `Origin` is not listed is refused with 403. */
  allowedOrigins?: string[];
  /** Extra routes (metrics, stats), tried before the static files. */
  routes?: Record<string, (request: Request) => Response | Promise<Response>>;
  /** Milliseconds since the server started. */
  serverTimeMs?: () => number;
  /** Every open connection is kept here until it ends, so shutdown can reach them all. */
  connections?: Set<Connection>;
  /** Per-address, rate and silence limits of the WebSockets. */
  limits?: ConnectionLimitsOptions;
  /** Checks the reconnect token of a join that resumes a seat. */
  reconnectTokens?: ReconnectTokenVerifier;
  /**
   * Where seated clients' pongs wait for their rooms' next messages; the owner stops it at
   * shutdown.
   * @default a new one
   */
  pongHolds?: PongHolds;
}

/** What the handler reads of `Deno.serve`'s second argument: who is asking. */
export interface RequestInfo {
  /** The peer's address; its `hostname` is counted against the per-address limit. */
  remoteAddr: { hostname: string };
}

/**
 * A fetch-style handler: tests call it directly, `Deno.serve` calls it for real (with the peer's
 * address as `info`; without it every request counts as one unknown address).
 */
export type Handler = (request: Request, info?: RequestInfo) => Promise<Response>;

function textResponse(status: number, text: string): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/**
 * The server's request handler: `/ws` upgrades to the game protocol, `/healthz` answers JSON,
 * anything else is a static file of the client.
 */
export function createHandler(options: HandlerOptions): Handler {
  const startedMs = performance.now();
  const serverTimeMs = options.serverTimeMs ?? (() => performance.now() - startedMs);
  const limits = resolveConnectionLimits(options.limits);
  const upgrades: Upgrades = {
    options,
    serverTimeMs,
    limits,
    slots: new AddressSlots(limits.maxConnectionsPerAddress),
    pongHolds: options.pongHolds ?? new PongHolds(),
  };
  return async (request, info) => {
    const url = new URL(request.url);
    if (url.pathname === "/ws") return upgrade(request, info, upgrades);
    if (url.pathname === "/healthz") {
      const rooms = options.registry.rooms();
      return Response.json({
        ok: true,
        rooms: rooms.length,
        players: rooms.reduce((sum, room) => sum + room.playerCount, 0),
        connections: options.counters.openConnections,
        uptimeSeconds: Math.round(serverTimeMs() / 1000),
      });
    }
    const route = options.routes?.[url.pathname];
    if (route !== undefined) return await route(request);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return textResponse(405, "Method not allowed");
    }
    for (const folder of options.staticFolders ?? []) {
      const response = await serveStaticFile(folder, url.pathname);
      if (response !== null) return response;
    }
    return textResponse(404, `Not found: ${url.pathname}`);
  };
}

/** What every upgrade of one handler shares. */
interface Upgrades {
  options: HandlerOptions;
  serverTimeMs: () => number;
  limits: ConnectionLimits;
  slots: AddressSlots;
  pongHolds: PongHolds;
}

function upgrade(request: Request, info: RequestInfo | undefined, upgrades: Upgrades): Response {
  const { options, limits, slots } = upgrades;
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    options.counters.upgradesRefused++;
    return textResponse(426, "Upgrade required: connect with a WebSocket");
  }
  const origin = request.headers.get("origin");
  if (options.allowedOrigins !== undefined && !options.allowedOrigins.includes(origin ?? "")) {
    options.counters.upgradesRefused++;
    return textResponse(403, `Origin ${origin ?? "(none)"} is not allowed`);
  }
  const offered = (request.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((protocol) => protocol.trim());
  if (!offered.includes(SUBPROTOCOL)) {
    options.counters.upgradesRefused++;
    return textResponse(
      400,
      `Unsupported subprotocol: offer ${SUBPROTOCOL} in Sec-WebSocket-Protocol`,
    );
  }
  const address = addressKey(info?.remoteAddr.hostname ?? "unknown");
  if (!slots.acquire(address)) {
    options.counters.upgradesRefused++;
    const response = textResponse(
      429,
      `Too many connections from ${address}: at most ${limits.maxConnectionsPerAddress} at once`,
    );
    response.headers.set("retry-after", "5");
    return response;
  }
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(request, {
      protocol: SUBPROTOCOL,
      // Deno counts seconds; 0 turns its pings off.
      idleTimeout: limits.pingTimeoutMs / 1000,
    });
  } catch (error) {
    // Deno throws a TypeError for a missing Sec-WebSocket-Key, a Connection without Upgrade and
    // the like; that is the client's fault, so it is answered, not logged as a server error.
    slots.release(address);
    options.counters.upgradesRefused++;
    const detail = error instanceof Error ? error.message : String(error);
    return textResponse(400, `Bad WebSocket upgrade: ${detail}`);
  }
  const connectionOptions: ConnectionOptions = {
    registry: options.registry,
    counters: options.counters,
    serverTimeMs: upgrades.serverTimeMs,
    pongHolds: upgrades.pongHolds,
    limits,
    onEnded: () => {
      slots.release(address);
      options.connections?.delete(connection);
    },
  };
  if (options.reconnectTokens !== undefined) {
    connectionOptions.reconnectTokens = options.reconnectTokens;
  }
  const connection = new Connection(new WebSocketSocket(upgraded.socket), connectionOptions);
  options.connections?.add(connection);
  return upgraded.response;
}
