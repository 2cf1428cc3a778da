import { FrameErrorReason } from "../../shared/protocol/mod.ts";
import { TRANSPORTS } from "../transport/client_socket.ts";
import { KickReason, type ServerCounters } from "../transport/server_counters.ts";
import type { Histogram } from "./histogram.ts";
import type { HistogramSeries, PrometheusSample } from "./_prometheus_text.ts";

/**
 * Every metric the server exports, as one table: name, type, help, and the getter of its samples.
 * `/metrics` writes each row in order; `/stats.json` sums the rows that name a `stat`, so the two
 * cannot disagree about what a figure counts.
 * @module
 */

/** Per-game counters, folded from the game's rooms (they outlive the rooms). */
export interface GameTotals {
  ticks: number;
  droppedSteps: number;
  snapshotsSkipped: number;
  slowClientsClosed: number;
  inputsDropped: number;
  inputsStale: number;
  viewsBeyondLag: number;
  viewsBeyondMaxRewind: number;
  failures: number;
  bytesOut: number;
  messagesOut: number;
  fullSnapshots: number;
  tick: Histogram;
}

/** What the getters read: the server's state at one scrape. */
export interface MetricsView {
  counters: ServerCounters;
  /** Games registered or seen, in a stable order. */
  gameNames: readonly string[];
  totalsOf(game: string): GameTotals;
  /** Live rooms and seated players per game. */
  roomsByGame: ReadonlyMap<string, { rooms: number; players: number }>;
  uptimeSeconds: number;
  eventLoopLagMs: number;
  disposedRooms: number;
  /** Joins refused because a room could not be created, by reason. */
  creationsRefused: Readonly<Record<string, number>>;
  sendQueues(): { totalBytes: number; maxBytes: number };
}

/** A figure of `/stats.json` that is the sum of a metric's samples. */
export type StatsFigure =
  | "uptimeSeconds"
  | "connections"
  | "rooms"
  | "players"
  | "ticksDropped"
  | "snapshotsSkipped"
  | "clientsKicked"
  | "decodeErrors";

/** A counter or gauge row of {@linkcode METRIC_FAMILIES}. */
export interface ValueFamily {
  name: string;
  type: "counter" | "gauge";
  help: string;
  samples(view: MetricsView): PrometheusSample[];
  /** The `/stats.json` figure this family's samples sum to, if any. */
  stat?: StatsFigure;
}

/** A histogram row of {@linkcode METRIC_FAMILIES} (milliseconds, exported in seconds). */
export interface HistogramFamily {
  name: string;
  type: "histogram";
  help: string;
  series(view: MetricsView): HistogramSeries[];
}

/** One row of the metrics table. */
export type MetricFamily = ValueFamily | HistogramFamily;

function one(value: number): PrometheusSample[] {
  return [{ value }];
}

function perGame(view: MetricsView, value: (totals: GameTotals) => number): PrometheusSample[] {
  return view.gameNames.map((game) => ({ labels: { game }, value: value(view.totalsOf(game)) }));
}

function byReason(map: ReadonlyMap<string, number>): PrometheusSample[] {
  return [...map].map(([reason, value]) => ({ labels: { reason }, value }));
}

/** The kicks by reason: the connections' counts plus the rooms' slow clients. */
function kicks(view: MetricsView): Map<string, number> {
  const kicks = new Map<string, number>(view.counters.kicks);
  let slowClosed = 0;
  for (const game of view.gameNames) slowClosed += view.totalsOf(game).slowClientsClosed;
  kicks.set(KickReason.SLOW_CLIENT, (kicks.get(KickReason.SLOW_CLIENT) ?? 0) + slowClosed);
  return kicks;
}

/** Decode errors by reason, every reason present from the start. */
function decodeErrors(view: MetricsView): Map<string, number> {
  const errors = new Map(view.counters.decodeErrors);
  for (const reason of Object.values(FrameErrorReason)) {
    if (!errors.has(reason)) errors.set(reason, 0);
  }
  return errors;
}

/** Every metric, in the order `/metrics` writes them. */
export const METRIC_FAMILIES: readonly MetricFamily[] = [
  {
    name: "game_server_uptime_seconds",
    type: "gauge",
    help: "Seconds since the server started.",
    samples: (view) => one(view.uptimeSeconds),
    stat: "uptimeSeconds",
  },
  {
    name: "game_server_connections",
    type: "gauge",
    help: "Connections open now (WebSocket and WebTransport).",
    samples: (view) => one(view.counters.openConnections),
    stat: "connections",
  },
  {
    name: "game_server_connections_opened_total",
    type: "counter",
    help: "Connections accepted (WebSocket and WebTransport).",
    samples: (view) => one(view.counters.connectionsOpened),
  },
  {
    name: "game_server_transport_connections",
    type: "gauge",
    help: "Connections open now, by transport (websocket, webtransport).",
    samples: (view) =>
      TRANSPORTS.map((transport) => ({
        labels: { transport },
        value: view.counters.openByTransport[transport],
      })),
  },
  {
    name: "game_server_transport_connections_opened_total",
    type: "counter",
    help: "Connections accepted, by transport.",
    samples: (view) =>
      TRANSPORTS.map((transport) => ({
        labels: { transport },
        value: view.counters.openedByTransport[transport],
      })),
  },
  {
    name: "game_server_webtransport_sessions_refused_total",
    type: "counter",
    help: "QUIC connections that did not become a session (handshake, no stream, address limit).",
    samples: (view) => one(view.counters.webTransport.sessionsRefused),
  },
  {
    name: "game_server_webtransport_datagrams_in_total",
    type: "counter",
    help: "Datagrams received.",
    samples: (view) => one(view.counters.webTransport.datagramsIn),
  },
  {
    name: "game_server_webtransport_datagrams_out_total",
    type: "counter",
    help: "Datagrams sent (snapshots and pongs).",
    samples: (view) => one(view.counters.webTransport.datagramsOut),
  },
  {
    name: "game_server_webtransport_datagrams_dropped_total",
    type: "counter",
    help: "Datagrams replaced by a newer one before they could be written (newest or nothing).",
    samples: (view) => one(view.counters.webTransport.datagramsDropped),
  },
  {
    name: "game_server_webtransport_snapshots_on_stream_total",
    type: "counter",
    help: "Snapshots over the session's datagram size, sent on its stream instead.",
    samples: (view) => one(view.counters.webTransport.snapshotsOnStream),
  },
  {
    name: "game_server_upgrades_refused_total",
    type: "counter",
    help: "Upgrade requests refused before the handshake, by reason: not_websocket (426), " +
      "no_host (400), bad_version (426), bad_key (400), origin not allowed (403), game " +
      "subprotocol not offered (400), too_many_connections from one address (429, " +
      "--max-connections-per-address), malformed (400, refused by Deno).",
    samples: (view) => byReason(view.counters.upgradesRefusedByReason),
  },
  {
    name: "game_server_rooms",
    type: "gauge",
    help: "Live rooms.",
    samples: (view) =>
      view.gameNames.map((game) => ({
        labels: { game },
        value: view.roomsByGame.get(game)?.rooms ?? 0,
      })),
    stat: "rooms",
  },
  {
    name: "game_server_players",
    type: "gauge",
    help: "Players seated in live rooms.",
    samples: (view) =>
      view.gameNames.map((game) => ({
        labels: { game },
        value: view.roomsByGame.get(game)?.players ?? 0,
      })),
    stat: "players",
  },
  {
    name: "game_server_rooms_disposed_total",
    type: "counter",
    help: "Rooms disposed.",
    samples: (view) => one(view.disposedRooms),
  },
  {
    name: "game_server_tick_duration_seconds",
    type: "histogram",
    help: "Time one room takes for one simulation step and its broadcast.",
    series: (view) =>
      view.gameNames.map((game) => {
        const tick = view.totalsOf(game).tick;
        return {
          labels: { game },
          boundsMs: tick.boundsMs,
          counts: tick.counts,
          sumMs: tick.sumMs,
        };
      }),
  },
  {
    name: "game_server_ticks_total",
    type: "counter",
    help: "Simulation steps run.",
    samples: (view) => perGame(view, (totals) => totals.ticks),
  },
  {
    name: "game_server_ticks_dropped_total",
    type: "counter",
    help: "Steps dropped because a room fell behind by more than its catch-up limit.",
    samples: (view) => perGame(view, (totals) => totals.droppedSteps),
    stat: "ticksDropped",
  },
  {
    name: "game_server_event_loop_lag_seconds",
    type: "gauge",
    help: "How late the last metrics sample timer fired: the event loop's recent delay.",
    samples: (view) => one(view.eventLoopLagMs / 1000),
  },
  {
    name: "game_server_received_bytes_total",
    type: "counter",
    help: "WebSocket payload bytes received.",
    samples: (view) => one(view.counters.bytesIn),
  },
  {
    name: "game_server_received_messages_total",
    type: "counter",
    help: "WebSocket messages received.",
    samples: (view) => one(view.counters.messagesIn),
  },
  {
    name: "game_server_sent_bytes_total",
    type: "counter",
    help: "WebSocket payload bytes sent.",
    samples: (view) => one(view.counters.bytesOut),
  },
  {
    name: "game_server_sent_messages_total",
    type: "counter",
    help: "WebSocket messages sent.",
    samples: (view) => one(view.counters.messagesOut),
  },
  {
    name: "game_server_snapshots_sent_total",
    type: "counter",
    help: "Snapshot messages sent by rooms.",
    samples: (view) => perGame(view, (totals) => totals.messagesOut),
  },
  {
    name: "game_server_snapshot_bytes_total",
    type: "counter",
    help: "Bytes of snapshot messages sent by rooms.",
    samples: (view) => perGame(view, (totals) => totals.bytesOut),
  },
  {
    name: "game_server_full_snapshots_total",
    type: "counter",
    help: "Snapshots sent in full (no acknowledged baseline) rather than as a delta.",
    samples: (view) => perGame(view, (totals) => totals.fullSnapshots),
  },
  {
    name: "game_server_snapshots_skipped_total",
    type: "counter",
    help: "Snapshots not sent because the client's send queue was over the soft limit.",
    samples: (view) => perGame(view, (totals) => totals.snapshotsSkipped),
    stat: "snapshotsSkipped",
  },
  {
    name: "game_server_inputs_discarded_total",
    type: "counter",
    help: "Inputs not applied, by reason.",
    samples: (view) => [
      ...view.gameNames.map((game) => ({
        labels: { game, reason: "queue_full" },
        value: view.totalsOf(game).inputsDropped,
      })),
      ...view.gameNames.map((game) => ({
        labels: { game, reason: "stale" },
        value: view.totalsOf(game).inputsStale,
      })),
    ],
  },
  {
    name: "game_server_lag_compensation_clamped_total",
    type: "counter",
    help:
      "Inputs whose claimed view was older than the player can have seen, moved up to the limit, by reason.",
    samples: (view) => [
      ...view.gameNames.map((game) => ({
        labels: { game, reason: "beyond_measured_lag" },
        value: view.totalsOf(game).viewsBeyondLag,
      })),
      ...view.gameNames.map((game) => ({
        labels: { game, reason: "beyond_max_rewind" },
        value: view.totalsOf(game).viewsBeyondMaxRewind,
      })),
    ],
  },
  {
    name: "game_server_room_failures_total",
    type: "counter",
    help: "Rooms stopped because a game hook threw.",
    samples: (view) => perGame(view, (totals) => totals.failures),
  },
  {
    name: "game_server_clients_kicked_total",
    type: "counter",
    help: "Clients the server closed, by reason.",
    samples: (view) => byReason(kicks(view)),
    stat: "clientsKicked",
  },
  {
    name: "game_server_room_creations_refused_total",
    type: "counter",
    help: "Joins refused with 4008 because a room could not be created, by reason.",
    samples: (view) => byReason(new Map(Object.entries(view.creationsRefused))),
  },
  {
    name: "game_server_frame_decode_errors_total",
    type: "counter",
    help: "Client messages that failed to decode, by reason (each closes its connection).",
    samples: (view) => byReason(decodeErrors(view)),
    stat: "decodeErrors",
  },
  {
    name: "game_server_send_queue_bytes",
    type: "gauge",
    help: "Bytes queued for all clients but not yet written to the network.",
    samples: (view) => one(view.sendQueues().totalBytes),
  },
  {
    name: "game_server_send_queue_max_bytes",
    type: "gauge",
    help: "Bytes queued for the client with the longest send queue.",
    samples: (view) => one(view.sendQueues().maxBytes),
  },
  {
    name: "process_resident_memory_bytes",
    type: "gauge",
    help: "Resident memory of the process.",
    samples: () => one(Deno.memoryUsage().rss),
  },
  {
    name: "process_heap_used_bytes",
    type: "gauge",
    help: "JavaScript heap in use.",
    samples: () => one(Deno.memoryUsage().heapUsed),
  },
  {
    name: "process_cpu_seconds_total",
    type: "counter",
    help: "User and system CPU time used.",
    samples: () => {
      const seconds = readOwnCpuSeconds();
      return seconds === null ? [] : one(seconds);
    },
  },
];

/** The `/stats.json` figure `stat`: the sum of the samples of the family that names it. */
export function statsFigure(view: MetricsView, stat: StatsFigure): number {
  let sum = 0;
  for (const family of METRIC_FAMILIES) {
    if (family.type === "histogram" || family.stat !== stat) continue;
    for (const sample of family.samples(view)) sum += sample.value;
  }
  return sum;
}

/** CPU seconds of this process from /proc, or `null` where that cannot be read. */
function readOwnCpuSeconds(): number | null {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of proc(5), utime and stime, in clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
