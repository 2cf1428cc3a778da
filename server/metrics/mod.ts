/**
 * The operator's view of a server: Prometheus metrics, a sampled history and the live stats page.
 * @module
 */
export { type Buckets, Histogram, quantileOfBuckets, TICK_BUCKETS_MS } from "./histogram.ts";
export { createMetricsRoutes, type MetricsRoute } from "./routes.ts";
export {
  type RoomStatsRow,
  ServerMetrics,
  type ServerMetricsOptions,
  type StatsReport,
} from "./server_metrics.ts";
export { STATS_PAGE_HTML } from "./stats_page.ts";
