import { SUBPROTOCOL } from "../../shared/protocol/mod.ts";
import type { RoomRegistry } from "../rooms/registry.ts";
import { type Clock, realClock } from "../tick/clock.ts";
import {
  Connection,
  type ConnectionOptions,
  type ReconnectTokenVerifier,
  type SeatVerifier,
} from "./connection.ts";
import {
  addressKey,
  AddressSlots,
  type ConnectionLimits,
  type ConnectionLimitsOptions,
  resolveConnectionLimits,
} from "./connection_limits.ts";
import { checkHandshake, type HandshakeRefusal, UpgradeRefusal } from "./handshake.ts";
import type { ServerCounters } from "./server_counters.ts";
import { PongHolds } from "./pong_holds.ts";
import { clientAddress, type TrustedProxies } from "./trusted_proxies.ts";
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
  /**
   * Reverse proxies whose `Forwarded` / `X-Forwarded-For` header names the client that the
   * per-address limit counts; nobody else's header is read.
   * @default none
   */
  trustedProxies?: TrustedProxies;
  /** Checks the reconnect token of a join that resumes a seat. */
  reconnectTokens?: ReconnectTokenVerifier;
  /** Admits the matchmaking seat a join presents. */
  seats?: SeatVerifier;
  /**
   * Where seated clients' pongs wait for their rooms' next messages; the owner stops it at
   * shutdown.
   * @default a new one
   */
  pongHolds?: PongHolds;
  /**
   * Runs the connections' join and silence deadlines.
   * @default realClock
   */
  clock?: Clock;
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
        games: options.registry.gameNames(),
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

function refuse(counters: ServerCounters, refusal: HandshakeRefusal): Response {
  counters.refuseUpgrade(refusal.reason);
  const response = textResponse(refusal.status, refusal.text);
  for (const [name, value] of Object.entries(refusal.headers ?? {})) {
    response.headers.set(name, value);
  }
  return response;
}

function upgrade(request: Request, info: RequestInfo | undefined, upgrades: Upgrades): Response {
  const { options, limits, slots } = upgrades;
  const refusal = checkHandshake(request, {
    subprotocol: SUBPROTOCOL,
    allowedOrigins: options.allowedOrigins,
  });
  if (refusal !== null) return refuse(options.counters, refusal);
  const peer = info?.remoteAddr.hostname ?? "unknown";
  const address = addressKey(clientAddress(request.headers, peer, options.trustedProxies));
  if (!slots.acquire(address)) {
    return refuse(options.counters, {
      reason: UpgradeRefusal.TOO_MANY_CONNECTIONS,
      status: 429,
      text:
        `Too many connections from ${address}: at most ${limits.maxConnectionsPerAddress} at once`,
      headers: { "retry-after": "5" },
    });
  }
  let upgraded: { socket: WebSocket; response: Response };
  try {
    // No `protocol` here: Deno would compare it with the offer split on ", " exactly, and refuse
    // legal spellings ("game.v1,game.v2", a tab after the comma). The offer is checked above.
    upgraded = Deno.upgradeWebSocket(request, {
      // Deno counts seconds; 0 turns its pings off.
      idleTimeout: limits.pingTimeoutMs / 1000,
    });
  } catch (error) {
    // Deno throws a TypeError for a Connection without Upgrade and the like; that is the
    // client's fault, so it is answered, not logged as a server error.
    slots.release(address);
    const detail = error instanceof Error ? error.message : String(error);
    return refuse(options.counters, {
      reason: UpgradeRefusal.MALFORMED,
      status: 400,
      text: `Bad WebSocket upgrade: ${detail}`,
    });
  }
  upgraded.response.headers.set("sec-websocket-protocol", SUBPROTOCOL);
  const connectionOptions: ConnectionOptions = {
    registry: options.registry,
    counters: options.counters,
    serverTimeMs: upgrades.serverTimeMs,
    pongHolds: upgrades.pongHolds,
    limits,
    address,
    clock: options.clock ?? realClock,
    onEnded: () => {
      slots.release(address);
      options.connections?.delete(connection);
    },
  };
  if (options.reconnectTokens !== undefined) {
    connectionOptions.reconnectTokens = options.reconnectTokens;
  }
  if (options.seats !== undefined) connectionOptions.seats = options.seats;
  const connection = new Connection(new WebSocketSocket(upgraded.socket), connectionOptions);
  options.connections?.add(connection);
  return upgraded.response;
}
