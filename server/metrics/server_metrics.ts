import { FrameErrorReason } from "../../shared/protocol/mod.ts";
import type { RoomRegistry } from "../rooms/registry.ts";
import type { Room } from "../rooms/room.ts";
import { KickReason, type ServerCounters } from "../transport/server_counters.ts";
import { TRANSPORTS } from "../transport/client_socket.ts";
import { Histogram, quantileOfBuckets, TICK_BUCKETS_MS } from "./histogram.ts";
import { PrometheusText } from "./_prometheus_text.ts";

/** Settings of a {@linkcode ServerMetrics}. */
export interface ServerMetricsOptions {
  /** The rooms to report on. */
  registry: RoomRegistry;
  /** Transport counters. */
  counters: ServerCounters;
  /** Open client connections, for the send-queue gauges; none when unset. */
  connections?: Iterable<{ readonly bufferedAmount: number }>;
  /**
   * Time between two history samples (and the live page's polls).
   * @default 1000
   */
  sampleIntervalMs?: number;
  /**
   * Samples kept for the live page: 300 one-second samples are the last five minutes.
   * @default 300
   */
  historyLength?: number;
}

/** One room in the live page's list. */
export interface RoomStatsRow {
  /** Room id. */
  id: string;
  /** Game name. */
  game: string;
  /** Players seated. */
  players: number;
  /** Current tick. */
  tick: number;
  /** Median step time over the last sample interval, ms (`null` when no step ran). */
  tickP50Ms: number | null;
  /** 99th percentile step time over the last sample interval, ms. */
  tickP99Ms: number | null;
  /** Mean step time over the last sample interval, ms. */
  tickMeanMs: number | null;
}

/** What `/stats.json` answers: current figures, the recent history as columns, the rooms. */
export interface StatsReport {
  /** Time between samples; the page polls at this interval. */
  sampleIntervalMs: number;
  /** Seconds since the server started. */
  uptimeSeconds: number;
  /** WebSockets open now. */
  connections: number;
  /** Live rooms now. */
  rooms: number;
  /** Seated players now. */
  players: number;
  /** The recent samples, oldest first, one array per figure, all the same length. */
  history: {
    /** Seconds since the server started. */
    timeSeconds: number[];
    tickP50Ms: (number | null)[];
    tickP99Ms: (number | null)[];
    players: number[];
    rooms: number[];
    connections: number[];
    bytesOutPerSecond: number[];
    messagesOutPerSecond: number[];
  };
  /** Counters since the start. */
  totals: {
    ticksDropped: number;
    snapshotsSkipped: number;
    clientsKicked: number;
    decodeErrors: number;
  };
  /** Live rooms, most players first (at most 200). */
  roomList: RoomStatsRow[];
}

const ROOM_COUNTERS = [
  "ticks",
  "droppedSteps",
  "snapshotsSkipped",
  "slowClientsClosed",
  "inputsDropped",
  "inputsStale",
  "viewsBeyondLag",
  "viewsBeyondMaxRewind",
  "failures",
  "bytesOut",
  "messagesOut",
  "fullSnapshots",
] as const;

type RoomCounters = Record<typeof ROOM_COUNTERS[number], number>;

interface GameTotals extends RoomCounters {
  tick: Histogram;
}

/** What was last folded of a live room, and its step times at the last sample. */
interface RoomSeen {
  game: string;
  counters: RoomCounters;
  tickCounts: Float64Array;
  tickSumMs: number;
  sampleTickCounts: Float64Array;
  sampleTickSumMs: number;
  recent: { p50Ms: number | null; p99Ms: number | null; meanMs: number | null };
}

const MAX_ROOM_ROWS = 200;

function zeroCounters(): RoomCounters {
  return {
    ticks: 0,
    droppedSteps: 0,
    snapshotsSkipped: 0,
    slowClientsClosed: 0,
    inputsDropped: 0,
    inputsStale: 0,
    viewsBeyondLag: 0,
    viewsBeyondMaxRewind: 0,
    failures: 0,
    bytesOut: 0,
    messagesOut: 0,
    fullSnapshots: 0,
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null;
}

/**
 * The operator's view of one server process: Prometheus text for `/metrics`, and a history of
 * one sample a second for the live `/stats` page. Per-game counters survive the rooms they came
 * from: each read folds what every live room added since the last one, so they only grow.
 */
export class ServerMetrics {
  readonly #registry: RoomRegistry;
  readonly #counters: ServerCounters;
  readonly #connections: Iterable<{ readonly bufferedAmount: number }>;
  readonly #sampleIntervalMs: number;
  readonly #historyLength: number;
  readonly #games = new Map<string, GameTotals>();
  readonly #seen = new Map<Room, RoomSeen>();
  readonly #startedMs = performance.now();
  readonly #history: StatsReport["history"] = {
    timeSeconds: [],
    tickP50Ms: [],
    tickP99Ms: [],
    players: [],
    rooms: [],
    connections: [],
    bytesOutPerSecond: [],
    messagesOutPerSecond: [],
  };
  #allTicksAtSample = new Float64Array(TICK_BUCKETS_MS.length + 1);
  #lastSampleMs = performance.now();
  #bytesOutAtSample = 0;
  #messagesOutAtSample = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextSampleMs = 0;
  #eventLoopLagMs = 0;

  /**
   * Create the metrics of one server; call {@linkcode ServerMetrics.start} to sample.
   * @param options what to report on and how often to sample
   */
  constructor(options: ServerMetricsOptions) {
    this.#registry = options.registry;
    this.#counters = options.counters;
    this.#connections = options.connections ?? [];
    this.#sampleIntervalMs = options.sampleIntervalMs ?? 1000;
    this.#historyLength = options.historyLength ?? 300;
    if (!(this.#sampleIntervalMs > 0)) {
      throw new RangeError(`Invalid sample interval: ${this.#sampleIntervalMs} ms`);
    }
  }

  /** Time between two samples, ms. */
  get sampleIntervalMs(): number {
    return this.#sampleIntervalMs;
  }

  /** Start sampling every `sampleIntervalMs`; the timer never keeps the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#nextSampleMs = performance.now() + this.#sampleIntervalMs;
    this.#schedule();
  }

  /** Stop sampling. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Take one history sample now; the timer calls this, tests may too. */
  sample(): void {
    const nowMs = performance.now();
    this.#fold();
    const seconds = Math.max((nowMs - this.#lastSampleMs) / 1000, 1e-3);
    this.#lastSampleMs = nowMs;
    const all = new Float64Array(TICK_BUCKETS_MS.length + 1);
    for (const totals of this.#games.values()) {
      for (let index = 0; index < all.length; index++) {
        all[index] = (all[index] ?? 0) + (totals.tick.counts[index] ?? 0);
      }
    }
    const delta = all.map((count, index) => count - (this.#allTicksAtSample[index] ?? 0));
    this.#allTicksAtSample = all;
    for (const seen of this.#seen.values()) {
      const roomDelta = seen.tickCounts.map((count, index) =>
        count - (seen.sampleTickCounts[index] ?? 0)
      );
      const steps = roomDelta.reduce((sum, count) => sum + count, 0);
      seen.recent = {
        p50Ms: finiteOrNull(
          quantileOfBuckets({ boundsMs: TICK_BUCKETS_MS, counts: roomDelta }, 0.5),
        ),
        p99Ms: finiteOrNull(
          quantileOfBuckets({ boundsMs: TICK_BUCKETS_MS, counts: roomDelta }, 0.99),
        ),
        meanMs: steps > 0 ? finiteOrNull((seen.tickSumMs - seen.sampleTickSumMs) / steps) : null,
      };
      seen.sampleTickCounts = seen.tickCounts.slice();
      seen.sampleTickSumMs = seen.tickSumMs;
    }
    const counters = this.#counters;
    const { rooms, players } = this.#population();
    const history = this.#history;
    history.timeSeconds.push(Math.round((nowMs - this.#startedMs) / 10) / 100);
    history.tickP50Ms.push(
      finiteOrNull(quantileOfBuckets({ boundsMs: TICK_BUCKETS_MS, counts: delta }, 0.5)),
    );
    history.tickP99Ms.push(
      finiteOrNull(quantileOfBuckets({ boundsMs: TICK_BUCKETS_MS, counts: delta }, 0.99)),
    );
    history.players.push(players);
    history.rooms.push(rooms);
    history.connections.push(counters.openConnections);
    history.bytesOutPerSecond.push(
      Math.round((counters.bytesOut - this.#bytesOutAtSample) / seconds),
    );
    history.messagesOutPerSecond.push(
      Math.round((counters.messagesOut - this.#messagesOutAtSample) / seconds),
    );
    this.#bytesOutAtSample = counters.bytesOut;
    this.#messagesOutAtSample = counters.messagesOut;
    if (history.timeSeconds.length > this.#historyLength) {
      for (const column of Object.values(history)) column.shift();
    }
  }

  /** The report `/stats.json` serves. */
  report(): StatsReport {
    this.#fold();
    const { rooms, players } = this.#population();
    let ticksDropped = 0;
    let snapshotsSkipped = 0;
    let slowClosed = 0;
    for (const totals of this.#games.values()) {
      ticksDropped += totals.droppedSteps;
      snapshotsSkipped += totals.snapshotsSkipped;
      slowClosed += totals.slowClientsClosed;
    }
    const sum = (map: ReadonlyMap<string, number>) =>
      [...map.values()].reduce((total, count) => total + count, 0);
    const roomList: RoomStatsRow[] = this.#registry.rooms()
      .sort((a, b) => b.playerCount - a.playerCount || a.id.localeCompare(b.id))
      .slice(0, MAX_ROOM_ROWS)
      .map((room) => {
        const recent = this.#seen.get(room)?.recent;
        return {
          id: room.id,
          game: room.game.name,
          players: room.playerCount,
          tick: room.tick,
          tickP50Ms: recent?.p50Ms ?? null,
          tickP99Ms: recent?.p99Ms ?? null,
          tickMeanMs: recent?.meanMs ?? null,
        };
      });
    const history = this.#history;
    return {
      sampleIntervalMs: this.#sampleIntervalMs,
      uptimeSeconds: Math.round((performance.now() - this.#startedMs) / 1000),
      connections: this.#counters.openConnections,
      rooms,
      players,
      history: {
        timeSeconds: [...history.timeSeconds],
        tickP50Ms: [...history.tickP50Ms],
        tickP99Ms: [...history.tickP99Ms],
        players: [...history.players],
        rooms: [...history.rooms],
        connections: [...history.connections],
        bytesOutPerSecond: [...history.bytesOutPerSecond],
        messagesOutPerSecond: [...history.messagesOutPerSecond],
      },
      totals: {
        ticksDropped,
        snapshotsSkipped,
        clientsKicked: slowClosed + sum(this.#counters.kicks),
        decodeErrors: sum(this.#counters.decodeErrors),
      },
      roomList,
    };
  }

  /** The metrics in the Prometheus text format (0.0.4). */
  prometheus(): string {
    this.#fold();
    const text = new PrometheusText();
    const counters = this.#counters;
    const gameNames = [...new Set([...this.#registry.gameNames(), ...this.#games.keys()])];
    const perGame = (value: (totals: GameTotals) => number) =>
      gameNames.map((game) => ({ labels: { game }, value: value(this.#totalsOf(game)) }));
    const roomsByGame = new Map<string, { rooms: number; players: number }>();
    for (const room of this.#registry.rooms()) {
      const entry = roomsByGame.get(room.game.name) ?? { rooms: 0, players: 0 };
      entry.rooms++;
      entry.players += room.playerCount;
      roomsByGame.set(room.game.name, entry);
    }
    text.family("game_server_uptime_seconds", "gauge", "Seconds since the server started.", [
      { value: Math.round((performance.now() - this.#startedMs) / 1000) },
    ]);
    text.family(
      "game_server_connections",
      "gauge",
      "Connections open now (WebSocket and WebTransport).",
      [
        { value: counters.openConnections },
      ],
    );
    text.family(
      "game_server_connections_opened_total",
      "counter",
      "Connections accepted (WebSocket and WebTransport).",
      [{ value: counters.connectionsOpened }],
    );
    text.family(
      "game_server_transport_connections",
      "gauge",
      "Connections open now, by transport (websocket, webtransport).",
      TRANSPORTS.map((transport) => ({
        labels: { transport },
        value: counters.openByTransport[transport],
      })),
    );
    text.family(
      "game_server_transport_connections_opened_total",
      "counter",
      "Connections accepted, by transport.",
      TRANSPORTS.map((transport) => ({
        labels: { transport },
        value: counters.openedByTransport[transport],
      })),
    );
    const webTransport = counters.webTransport;
    for (
      const [name, help, value] of [
        [
          "sessions_refused",
          "QUIC connections that did not become a session (handshake, no stream, address limit).",
          webTransport.sessionsRefused,
        ],
        ["datagrams_in", "Datagrams received.", webTransport.datagramsIn],
        ["datagrams_out", "Datagrams sent (snapshots and pongs).", webTransport.datagramsOut],
        [
          "datagrams_dropped",
          "Datagrams replaced by a newer one before they could be written (newest or nothing).",
          webTransport.datagramsDropped,
        ],
        [
          "snapshots_on_stream",
          "Snapshots over the session's datagram size, sent on its stream instead.",
          webTransport.snapshotsOnStream,
        ],
      ] as const
    ) {
      text.family(`game_server_webtransport_${name}_total`, "counter", help, [{ value }]);
    }
    text.family(
      "game_server_upgrades_refused_total",
      "counter",
      "Upgrade requests refused before the handshake, by reason: not_websocket (426), " +
        "no_host (400), bad_version (426), bad_key (400), origin not allowed (403), game " +
        "subprotocol not offered (400), too_many_connections from one address (429, " +
        "--max-connections-per-address), malformed (400, refused by Deno).",
      [...counters.upgradesRefusedByReason].map(([reason, value]) => ({
        labels: { reason },
        value,
      })),
    );
    text.family(
      "game_server_rooms",
      "gauge",
      "Live rooms.",
      gameNames.map((game) => ({ labels: { game }, value: roomsByGame.get(game)?.rooms ?? 0 })),
    );
    text.family(
      "game_server_players",
      "gauge",
      "Players seated in live rooms.",
      gameNames.map((game) => ({ labels: { game }, value: roomsByGame.get(game)?.players ?? 0 })),
    );
    text.family("game_server_rooms_disposed_total", "counter", "Rooms disposed.", [
      { value: this.#registry.disposedRooms },
    ]);
    text.histogramSeconds(
      "game_server_tick_duration_seconds",
      "Time one room takes for one simulation step and its broadcast.",
      gameNames.map((game) => {
        const tick = this.#totalsOf(game).tick;
        return {
          labels: { game },
          boundsMs: tick.boundsMs,
          counts: tick.counts,
          sumMs: tick.sumMs,
        };
      }),
    );
    text.family(
      "game_server_ticks_total",
      "counter",
      "Simulation steps run.",
      perGame((t) => t.ticks),
    );
    text.family(
      "game_server_ticks_dropped_total",
      "counter",
      "Steps dropped because a room fell behind by more than its catch-up limit.",
      perGame((t) => t.droppedSteps),
    );
    text.family(
      "game_server_event_loop_lag_seconds",
      "gauge",
      "How late the last metrics sample timer fired: the event loop's recent delay.",
      [{ value: this.#eventLoopLagMs / 1000 }],
    );
    text.family(
      "game_server_received_bytes_total",
      "counter",
      "WebSocket payload bytes received.",
      [
        { value: counters.bytesIn },
      ],
    );
    text.family("game_server_received_messages_total", "counter", "WebSocket messages received.", [
      { value: counters.messagesIn },
    ]);
    text.family("game_server_sent_bytes_total", "counter", "WebSocket payload bytes sent.", [
      { value: counters.bytesOut },
    ]);
    text.family("game_server_sent_messages_total", "counter", "WebSocket messages sent.", [
      { value: counters.messagesOut },
    ]);
    text.family(
      "game_server_snapshots_sent_total",
      "counter",
      "Snapshot messages sent by rooms.",
      perGame((t) => t.messagesOut),
    );
    text.family(
      "game_server_snapshot_bytes_total",
      "counter",
      "Bytes of snapshot messages sent by rooms.",
      perGame((t) => t.bytesOut),
    );
    text.family(
      "game_server_full_snapshots_total",
      "counter",
      "Snapshots sent in full (no acknowledged baseline) rather than as a delta.",
      perGame((t) => t.fullSnapshots),
    );
    text.family(
      "game_server_snapshots_skipped_total",
      "counter",
      "Snapshots not sent because the client's send queue was over the soft limit.",
      perGame((t) => t.snapshotsSkipped),
    );
    text.family("game_server_inputs_discarded_total", "counter", "Inputs not applied, by reason.", [
      ...perGame((t) => t.inputsDropped).map((s) => ({
        ...s,
        labels: { ...s.labels, reason: "queue_full" },
      })),
      ...perGame((t) => t.inputsStale).map((s) => ({
        ...s,
        labels: { ...s.labels, reason: "stale" },
      })),
    ]);
    text.family(
      "game_server_lag_compensation_clamped_total",
      "counter",
      "Inputs whose claimed view was older than the player can have seen, moved up to the limit, by reason.",
      [
        ...perGame((t) => t.viewsBeyondLag).map((s) => ({
          ...s,
          labels: { ...s.labels, reason: "beyond_measured_lag" },
        })),
        ...perGame((t) => t.viewsBeyondMaxRewind).map((s) => ({
          ...s,
          labels: { ...s.labels, reason: "beyond_max_rewind" },
        })),
      ],
    );
    text.family(
      "game_server_room_failures_total",
      "counter",
      "Rooms stopped because a game hook threw.",
      perGame((t) => t.failures),
    );
    const kicks = new Map(counters.kicks);
    let slowClosed = 0;
    for (const totals of this.#games.values()) slowClosed += totals.slowClientsClosed;
    kicks.set(KickReason.SLOW_CLIENT, (kicks.get(KickReason.SLOW_CLIENT) ?? 0) + slowClosed);
    text.family(
      "game_server_clients_kicked_total",
      "counter",
      "Clients the server closed, by reason.",
      [...kicks].map(([reason, value]) => ({ labels: { reason }, value })),
    );
    text.family(
      "game_server_room_creations_refused_total",
      "counter",
      "Joins refused with 4008 because a room could not be created, by reason.",
      Object.entries(this.#registry.creationsRefused).map(([reason, value]) => ({
        labels: { reason },
        value,
      })),
    );
    const decodeErrors = new Map(counters.decodeErrors);
    for (const reason of Object.values(FrameErrorReason)) {
      if (!decodeErrors.has(reason)) decodeErrors.set(reason, 0);
    }
    text.family(
      "game_server_frame_decode_errors_total",
      "counter",
      "Client messages that failed to decode, by reason (each closes its connection).",
      [...decodeErrors].map(([reason, value]) => ({ labels: { reason }, value })),
    );
    const { totalBytes: queuedBytes, maxBytes: maxQueuedBytes } = this.sendQueues();
    text.family(
      "game_server_send_queue_bytes",
      "gauge",
      "Bytes queued for all clients but not yet written to the network.",
      [{ value: queuedBytes }],
    );
    text.family(
      "game_server_send_queue_max_bytes",
      "gauge",
      "Bytes queued for the client with the longest send queue.",
      [{ value: maxQueuedBytes }],
    );
    const memory = Deno.memoryUsage();
    text.family("process_resident_memory_bytes", "gauge", "Resident memory of the process.", [
      { value: memory.rss },
    ]);
    text.family("process_heap_used_bytes", "gauge", "JavaScript heap in use.", [
      { value: memory.heapUsed },
    ]);
    const cpuSeconds = readOwnCpuSeconds();
    if (cpuSeconds !== null) {
      text.family("process_cpu_seconds_total", "counter", "User and system CPU time used.", [
        { value: cpuSeconds },
      ]);
    }
    return text.toString();
  }

  /** Bytes queued on the open connections but not yet written: in all, and the longest queue. */
  sendQueues(): { totalBytes: number; maxBytes: number } {
    let totalBytes = 0;
    let maxBytes = 0;
    for (const connection of this.#connections) {
      const queued = connection.bufferedAmount;
      totalBytes += queued;
      if (queued > maxBytes) maxBytes = queued;
    }
    return { totalBytes, maxBytes };
  }

  /** Read the counters of every live room and add what grew since the last read. */
  #fold(): void {
    const live = new Set<Room>();
    for (const room of this.#registry.rooms()) {
      live.add(room);
      let seen = this.#seen.get(room);
      if (seen === undefined) {
        const size = room.stats.tickHistogram.counts.length;
        seen = {
          game: room.game.name,
          counters: zeroCounters(),
          tickCounts: new Float64Array(size),
          tickSumMs: 0,
          sampleTickCounts: new Float64Array(size),
          sampleTickSumMs: 0,
          recent: { p50Ms: null, p99Ms: null, meanMs: null },
        };
        this.#seen.set(room, seen);
      }
      const totals = this.#totalsOf(seen.game);
      const stats = room.stats;
      for (const name of ROOM_COUNTERS) {
        totals[name] += stats[name] - seen.counters[name];
        seen.counters[name] = stats[name];
      }
      const histogram = stats.tickHistogram;
      for (let index = 0; index < histogram.counts.length; index++) {
        const now = histogram.counts[index] ?? 0;
        const added = now - (seen.tickCounts[index] ?? 0);
        totals.tick.counts[index] = (totals.tick.counts[index] ?? 0) + added;
        totals.tick.count += added;
        seen.tickCounts[index] = now;
      }
      totals.tick.sumMs += histogram.sumMs - seen.tickSumMs;
      seen.tickSumMs = histogram.sumMs;
    }
    for (const room of this.#seen.keys()) if (!live.has(room)) this.#seen.delete(room);
  }

  #totalsOf(game: string): GameTotals {
    let totals = this.#games.get(game);
    if (totals === undefined) {
      totals = { ...zeroCounters(), tick: new Histogram(TICK_BUCKETS_MS) };
      this.#games.set(game, totals);
    }
    return totals;
  }

  #population(): { rooms: number; players: number } {
    const rooms = this.#registry.rooms();
    return { rooms: rooms.length, players: rooms.reduce((sum, room) => sum + room.playerCount, 0) };
  }

  #schedule(): void {
    const delayMs = Math.max(0, this.#nextSampleMs - performance.now());
    const timer = setTimeout(() => {
      const nowMs = performance.now();
      this.#eventLoopLagMs = Math.max(0, nowMs - this.#nextSampleMs);
      this.#nextSampleMs += this.#sampleIntervalMs;
      // After a long stall, sample once and start afresh instead of bursting.
      if (this.#nextSampleMs < nowMs) this.#nextSampleMs = nowMs + this.#sampleIntervalMs;
      this.sample();
      this.#schedule();
    }, delayMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
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
