import { SUBPROTOCOL } from "../../shared/protocol/mod.ts";
import type { RoomRegistry } from "../rooms/registry.ts";
import { Connection } from "./connection.ts";
import type { ServerCounters } from "./server_counters.ts";
import { serveStaticFile } from "./static_files.ts";

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
}

/** A fetch-style handler: tests call it directly, `Deno.serve` calls it for real. */
export type Handler = (request: Request) => Promise<Response>;

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
  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/ws") return upgrade(request, options, serverTimeMs);
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

function upgrade(
  request: Request,
  options: HandlerOptions,
  serverTimeMs: () => number,
): Response {
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
  const { socket, response } = Deno.upgradeWebSocket(request, { protocol: SUBPROTOCOL });
  const connection = new Connection(socket, {
    registry: options.registry,
    counters: options.counters,
    serverTimeMs,
    onEnded: () => options.connections?.delete(connection),
  });
  options.connections?.add(connection);
  return response;
}
