import type { ClusterNode } from "./cluster_node.ts";

/** Largest `POST /matchmake` body read; a `{game, room}` needs under 200 bytes. */
const MAX_MATCHMAKE_BODY_BYTES = 1024;

/**
 * The cluster's HTTP routes: `POST /matchmake` (`{game, room}` → `{url, roomId, seat}`, the same
 * in the embedded default and in cluster mode) and `GET /cluster.json` (every live process and
 * room, for the stats page of any process).
 */
export function createClusterRoutes(
  node: () => ClusterNode | undefined,
): Record<string, (request: Request) => Promise<Response>> {
  return {
    "/matchmake": async (request) => {
      if (request.method !== "POST") {
        return Response.json({ error: "Method not allowed: POST {game, room}" }, {
          status: 405,
          headers: { allow: "POST" },
        });
      }
      const current = node();
      if (current === undefined) {
        return Response.json({ error: "Cannot matchmake: server is starting" }, { status: 503 });
      }
      const body = await readJson(request);
      if (body === null || typeof body !== "object") {
        return Response.json(
          {
            error:
              `Cannot matchmake: the body is not a JSON object of at most ${MAX_MATCHMAKE_BODY_BYTES} bytes`,
          },
          { status: 400 },
        );
      }
      const { game, room } = body as Record<string, unknown>;
      const result = await current.matchmake(game, room ?? "any");
      const headers: Record<string, string> = { "cache-control": "no-store" };
      if (result.status === 503) headers["retry-after"] = "1";
      return Response.json(result.body, { status: result.status, headers });
    },
    "/cluster.json": async () => {
      const current = node();
      if (current === undefined) return Response.json({ processes: [], rooms: [] });
      try {
        const [processes, rooms] = await Promise.all([
          current.directory.processes(),
          current.directory.listings(),
        ]);
        return Response.json({ processId: current.processId, processes, rooms });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return Response.json(
          { error: `Cannot read the room directory: ${detail}`, processId: current.processId },
          { status: 503 },
        );
      }
    },
  };
}

/** The body as JSON, or null when it is too long or not JSON. */
async function readJson(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_MATCHMAKE_BODY_BYTES || request.body === null) return null;
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of request.body) {
    length += chunk.length;
    if (length > MAX_MATCHMAKE_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
}
