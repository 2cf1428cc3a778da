import type { ServerMetrics } from "./server_metrics.ts";
import { STATS_PAGE_HTML } from "./stats_page.ts";

/** A route handler as {@linkcode createHandler} takes it. */
export type MetricsRoute = (request: Request) => Response;

/**
 * The operator's routes: `/metrics` (Prometheus text), `/stats` (the live page) and
 * `/stats.json` (what the page polls). Each answers GET and HEAD only.
 */
export function createMetricsRoutes(metrics: ServerMetrics): Record<string, MetricsRoute> {
  const only = (produce: () => Response): MetricsRoute => (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    return produce();
  };
  const noStore = { "cache-control": "no-store" };
  return {
    "/metrics": only(() =>
      new Response(metrics.prometheus(), {
        headers: { ...noStore, "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      })
    ),
    "/stats": only(() =>
      new Response(STATS_PAGE_HTML, {
        headers: { ...noStore, "content-type": "text/html; charset=utf-8" },
      })
    ),
    "/stats.json": only(() => Response.json(metrics.report(), { headers: noStore })),
  };
}
