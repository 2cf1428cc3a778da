import type { RoomRegistry } from "../rooms/registry.ts";
import type { Room } from "../rooms/room.ts";
import type { ServerCounters } from "../transport/server_counters.ts";
import { Histogram, quantileOfBuckets, TICK_BUCKETS_MS } from "./histogram.ts";
import {
  type GameTotals,
  METRIC_FAMILIES,
  type MetricsView,
  statsFigure,
} from "./metric_families.ts";
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
        all[index] = all[index]! + totals.tick.counts[index]!;
      }
    }
    const delta = all.map((count, index) => count - this.#allTicksAtSample[index]!);
    this.#allTicksAtSample = all;
    for (const seen of this.#seen.values()) {
      const roomDelta = seen.tickCounts.map((count, index) =>
        count - seen.sampleTickCounts[index]!
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

  /** The report `/stats.json` serves; its figures come from the rows of `METRIC_FAMILIES`. */
  report(): StatsReport {
    this.#fold();
    const view = this.#view();
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
      uptimeSeconds: statsFigure(view, "uptimeSeconds"),
      connections: statsFigure(view, "connections"),
      rooms: statsFigure(view, "rooms"),
      players: statsFigure(view, "players"),
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
        ticksDropped: statsFigure(view, "ticksDropped"),
        snapshotsSkipped: statsFigure(view, "snapshotsSkipped"),
        clientsKicked: statsFigure(view, "clientsKicked"),
        decodeErrors: statsFigure(view, "decodeErrors"),
      },
      roomList,
    };
  }

  /** The metrics in the Prometheus text format (0.0.4): every row of `METRIC_FAMILIES`. */
  prometheus(): string {
    this.#fold();
    const view = this.#view();
    const text = new PrometheusText();
    for (const family of METRIC_FAMILIES) {
      if (family.type === "histogram") {
        text.histogramSeconds(family.name, family.help, family.series(view));
      } else text.family(family.name, family.type, family.help, family.samples(view));
    }
    return text.toString();
  }

  /** The server's state as the metric getters read it, at this scrape. */
  #view(): MetricsView {
    const roomsByGame = new Map<string, { rooms: number; players: number }>();
    for (const room of this.#registry.rooms()) {
      const entry = roomsByGame.get(room.game.name) ?? { rooms: 0, players: 0 };
      entry.rooms++;
      entry.players += room.playerCount;
      roomsByGame.set(room.game.name, entry);
    }
    return {
      counters: this.#counters,
      gameNames: [...new Set([...this.#registry.gameNames(), ...this.#games.keys()])],
      totalsOf: (game) => this.#totalsOf(game),
      roomsByGame,
      uptimeSeconds: Math.round((performance.now() - this.#startedMs) / 1000),
      eventLoopLagMs: this.#eventLoopLagMs,
      disposedRooms: this.#registry.disposedRooms,
      creationsRefused: this.#registry.creationsRefused,
      sendQueues: () => this.sendQueues(),
    };
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
        const now = histogram.counts[index]!;
        const added = now - seen.tickCounts[index]!;
        totals.tick.counts[index] = totals.tick.counts[index]! + added;
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
