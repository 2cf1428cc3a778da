/**
 * Headless bots that play the arena workload (tests/load/WORKLOAD.md) through the real client code:
 * `GameConnection` decodes every message and `SnapshotHistory` rebuilds every snapshot. All bots
 * of a fleet are driven by one timer loop, so a process holds thousands of them.
 * @module
 */
import { GameConnection, JoinRefusedError } from "../../client/net/game_connection.ts";
import { matchmake, MatchmakeError } from "../../client/net/matchmake.ts";
import { BaselineMissingError, SnapshotHistory } from "../../client/net/snapshot_history.ts";
import { EntityDeltaDecoder } from "../../shared/protocol/entity_delta.ts";
import { MessageKind, type SnapshotMessage } from "../../shared/protocol/mod.ts";
import { ARENA_INPUT } from "../../shared/game/arena/mod.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import type { WebTransportTarget } from "../../client/net/webtransport_wire.ts";
import { probeUpgrade, type UpgradeAnswer } from "./upgrade_probe.ts";
import { seededRandom } from "../support/seeded_random.ts";

/** Settings of a {@linkcode BotFleet}. */
export interface BotFleetOptions {
  /** WebSocket URL of the server, e.g. `ws://127.0.0.1:8000/ws`. */
  url: string;
  /** Connect over WebTransport to this target instead of the WebSocket at `url`. */
  webTransport?: WebTransportTarget | undefined;
  /**
   * Game the first bot of each room creates a room of.
   * @default "arena"
   */
  game?: string;
  /** Rooms to fill; the first bot of each joins `new`, the others the room it got. */
  rooms: number;
  /** Bots per room. */
  playersPerRoom: number;
  /**
   * Inputs each bot sends a second.
   * @default 30
   */
  inputHz?: number;
  /**
   * How often each bot picks new move bits and a new aim, ms.
   * @default 500
   */
  changeEveryMs?: number;
  /**
   * How often each bot sends a ping (in its input batch) to measure the round trip, ms.
   * @default 1000
   */
  pingEveryMs?: number;
  /**
   * Fire the arena's hit-scan beam (button 32) every this many ms, judged with lag compensation
   * at a view 3 ticks back (about what a client's interpolation shows); 0 never fires it.
   * @default 0
   */
  beamEveryMs?: number;
  /**
   * Joins in flight at once.
   * @default 32
   */
  connectConcurrency?: number;
  /**
   * Time the whole connect phase may take; bots not welcomed by then count as failed.
   * @default 30000
   */
  connectTimeoutMs?: number;
  /**
   * Snapshots each bot keeps as delta baselines (the browser client's default): a bot whose
   * loop lags must still hold the baseline the server picked from its late acks.
   * @default 64
   */
  historyCapacity?: number;
  /**
   * Seed of the bots' random moves.
   * @default 1
   */
  seed?: number;
  /**
   * Prefix of the bots' names.
   * @default "bot"
   */
  namePrefix?: string;
  /**
   * HTTP base URLs (`http://127.0.0.1:8000`) to matchmake at, bot `i` at entry `i mod n`: each join
   * first asks `POST /matchmake` for a seat and connects where it says. Empty: join at `url`.
   * @default []
   */
  matchmakeUrls?: string[];
  /**
   * Every bot joins `any` (join-or-create) instead of its own room's.
   * @default false
   */
  joinAny?: boolean;
  /**
   * Only every `decodeEvery`th bot rebuilds the world from its snapshots; the others count bytes
   * and acknowledge each snapshot's tick without decoding its entities (`--bots light`), so the
   * server can be measured at a scale the full bots cannot keep up with.
   * @default 1 (every bot decodes everything)
   */
  decodeEvery?: number;
}

/** Where one bot ended up, for tests. */
export interface BotPlacement {
  /** Room it was welcomed into, or null if it never joined. */
  roomId: string | null;
  /** Snapshots it received. */
  snapshots: number;
  /** Close code if the server closed it, else null. */
  closeCode: number | null;
}

/** Cumulative counters of a fleet; fleets' counters add up. */
export interface FleetCounters {
  requested: number;
  connected: number;
  failed: number;
  open: number;
  bytesIn: number;
  messagesIn: number;
  bytesOut: number;
  messagesOut: number;
  snapshots: number;
  decodeErrors: number;
  baselineMisses: number;
  /**
   * Join failures by kind: `http_<status>` for an upgrade the server refused (`http_429`: the
   * per-address limit), `unreachable` when nothing answered, else the close code or error name.
   */
  failedBy: Record<string, number>;
  /** The server's reason for each kind in `failedBy`, as first seen. */
  refusals: Record<string, string>;
  /** Connections the server closed during the run, by close code. */
  closedByServer: Record<string, number>;
  /** Time each `POST /matchmake` took, {@linkcode LatencyHistogram} counts. */
  matchmake: Uint32Array;
}

/** Counters of a fleet of `requested` bots before anything happened. */
export function emptyFleetCounters(requested = 0): FleetCounters {
  return {
    requested,
    connected: 0,
    failed: 0,
    open: 0,
    bytesIn: 0,
    messagesIn: 0,
    bytesOut: 0,
    messagesOut: 0,
    snapshots: 0,
    decodeErrors: 0,
    baselineMisses: 0,
    failedBy: {},
    refusals: {},
    closedByServer: {},
    matchmake: new LatencyHistogram().counts.slice(),
  };
}

/** Quantiles of the last second, for progress lines. */
export interface FleetSecond {
  rttP99Ms: number | null;
  jitterP99Ms: number | null;
  loopLagP99Ms: number | null;
}

/** What a fleet saw in a measured window; windows of several fleets merge. */
export interface FleetWindow {
  durationMs: number;
  /** Bots open when the window began. */
  openAtBegin: number;
  bytesIn: number;
  messagesIn: number;
  bytesOut: number;
  messagesOut: number;
  snapshots: number;
  decodeErrors: number;
  baselineMisses: number;
  /** Round trips of pings, {@linkcode LatencyHistogram} counts. */
  rtt: Uint32Array;
  /** |interval between two snapshots − the snapshot interval|, histogram counts. */
  jitter: Uint32Array;
  /** How late the fleet's timer loop woke, histogram counts: a bot-limited run shows here. */
  loopLag: Uint32Array;
}

interface Bot {
  index: number;
  name: string;
  connection: GameConnection | null;
  history: SnapshotHistory | null;
  random: () => number;
  sequence: number;
  buttons: number;
  aim: number;
  nextChangeMs: number;
  nextPingMs: number;
  nextBeamMs: number;
  lastSnapshotMs: number;
  snapshotIntervalMs: number;
  latestTick: number;
  /** Ticks to acknowledge in the next batch, oldest first. */
  acks: number[];
  closedByUs: boolean;
  roomId: string | null;
  snapshots: number;
}

/** Wakes of the timer loop per input interval; each wake serves one slice of the bots. */
const PHASES = 4;
const MOVE_BITS = [1, 2, 4, 8] as const;
/** The arena's BEAM button. */
const BEAM_BIT = 32;
/** Ticks behind its newest snapshot a firing bot says it was looking: a client's usual delay. */
const BEAM_VIEW_TICKS = 3;
const MAX_PENDING_ACKS = 8;

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/**
 * A fleet of bots in one process (or worker). Call {@linkcode BotFleet.connect}, then
 * {@linkcode BotFleet.start}; bracket the measurement with {@linkcode BotFleet.beginWindow} and
 * {@linkcode BotFleet.endWindow}; always end with {@linkcode BotFleet.stop}.
 */
export class BotFleet {
  readonly #options: Required<BotFleetOptions>;
  readonly #bots: Bot[] = [];
  readonly #phases: Bot[][] = [];
  readonly #rtt = new LatencyHistogram();
  readonly #jitter = new LatencyHistogram();
  readonly #loopLag = new LatencyHistogram();
  readonly #secondRtt = new LatencyHistogram();
  readonly #secondJitter = new LatencyHistogram();
  readonly #secondLoopLag = new LatencyHistogram();
  readonly #matchmake = new LatencyHistogram();
  readonly #counters: FleetCounters;
  /** One entity decoder for every bot: one slab of decoded tables, as before it was an object. */
  readonly #decoder = new EntityDeltaDecoder();
  #windowStart: { atMs: number; counters: FleetCounters } | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextWakeMs = 0;
  #wakes = 0;
  #stopped = false;
  #historyErrors = 0;
  /** The newest upgrade probe; failures within a second of it share its answer. */
  #probe: { atMs: number; answer: Promise<UpgradeAnswer> } | undefined;

  /** @param options server, rooms and pace */
  constructor(options: BotFleetOptions) {
    this.#options = {
      game: "arena",
      inputHz: 30,
      changeEveryMs: 500,
      pingEveryMs: 1000,
      beamEveryMs: 0,
      connectConcurrency: 32,
      connectTimeoutMs: 30_000,
      historyCapacity: 64,
      seed: 1,
      namePrefix: "bot",
      webTransport: undefined,
      matchmakeUrls: [],
      joinAny: false,
      decodeEvery: 1,
      ...options,
    };
    const { rooms, playersPerRoom, inputHz } = this.#options;
    if (
      !Number.isInteger(rooms) || rooms < 1 || !Number.isInteger(playersPerRoom) ||
      playersPerRoom < 1
    ) {
      throw new RangeError(`Invalid fleet: ${rooms} rooms of ${playersPerRoom} players`);
    }
    if (rooms * playersPerRoom > 5000) {
      throw new RangeError(`Invalid fleet: ${rooms * playersPerRoom} bots, at most 5000 a process`);
    }
    if (!(inputHz > 0 && inputHz <= 240)) throw new RangeError(`Invalid input rate: ${inputHz} Hz`);
    for (let phase = 0; phase < PHASES; phase++) this.#phases.push([]);
    for (let index = 0; index < rooms * playersPerRoom; index++) {
      const random = seededRandom(this.#options.seed * 100_003 + index);
      const bot: Bot = {
        index,
        name: `${this.#options.namePrefix}${index}`.slice(0, 24),
        connection: null,
        history: null,
        random,
        sequence: 0,
        buttons: 0,
        aim: 0,
        nextChangeMs: 0,
        // Spread the pings over the second so they do not arrive together.
        nextPingMs: random() * this.#options.pingEveryMs,
        nextBeamMs: random() * this.#options.beamEveryMs,
        lastSnapshotMs: 0,
        snapshotIntervalMs: 1000 / 30,
        latestTick: 0,
        acks: [],
        closedByUs: false,
        roomId: null,
        snapshots: 0,
      };
      this.#bots.push(bot);
      this.#phases[index % PHASES]?.push(bot);
    }
    this.#counters = emptyFleetCounters(this.#bots.length);
  }

  /**
   * Connect and join every bot, room by room, a bounded number at a time. Bots play from the
   * moment they are welcomed: the timer loop runs during the connect phase too.
   */
  async connect(): Promise<void> {
    this.start();
    const { rooms, playersPerRoom, connectConcurrency, connectTimeoutMs } = this.#options;
    const deadlineMs = performance.now() + connectTimeoutMs;
    const limiter = new Limiter(connectConcurrency);
    const tasks: Promise<void>[] = [];
    if (this.#options.joinAny) {
      await Promise.all(
        this.#bots.map((bot) => limiter.run(() => this.#open(bot, "any", deadlineMs))),
      );
      return;
    }
    for (let room = 0; room < rooms; room++) {
      const members = this.#bots.slice(room * playersPerRoom, (room + 1) * playersPerRoom);
      tasks.push((async () => {
        const [first, ...rest] = members;
        if (first === undefined) return;
        const roomId = await limiter.run(() => this.#open(first, "new", deadlineMs));
        if (roomId === null) {
          for (const bot of rest) this.#fail(bot, "no_room");
          return;
        }
        await Promise.all(
          rest.map((bot) => limiter.run(() => this.#open(bot, roomId, deadlineMs))),
        );
      })());
    }
    await Promise.all(tasks);
  }

  /** Start the one timer loop that sends every bot's inputs, acks and pings (if not running). */
  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#nextWakeMs = performance.now();
    this.#schedule();
  }

  /** Where each bot is, in bot order. */
  placements(): BotPlacement[] {
    return this.#bots.map((bot) => ({
      roomId: bot.roomId,
      snapshots: bot.snapshots,
      closeCode: bot.closedByUs ? null : bot.connection?.closeCode ?? null,
    }));
  }

  /** The cumulative counters. */
  counters(): FleetCounters {
    this.#collect();
    this.#counters.matchmake = this.#matchmake.counts.slice();
    return structuredClone(this.#counters);
  }

  /** Quantiles since the last call, for a progress line. */
  second(): FleetSecond {
    const second = {
      rttP99Ms: this.#secondRtt.quantile(0.99),
      jitterP99Ms: this.#secondJitter.quantile(0.99),
      loopLagP99Ms: this.#secondLoopLag.quantile(0.99),
    };
    this.#secondRtt.clear();
    this.#secondJitter.clear();
    this.#secondLoopLag.clear();
    return second;
  }

  /** Start the measured window: counters and histograms restart from here. */
  beginWindow(): void {
    this.#windowStart = { atMs: performance.now(), counters: this.counters() };
    this.#rtt.clear();
    this.#jitter.clear();
    this.#loopLag.clear();
  }

  /** End the measured window and return what it saw. */
  endWindow(): FleetWindow {
    const start = this.#windowStart;
    if (start === null) throw new TypeError("Cannot end the window: it was not begun");
    this.#windowStart = null;
    const now = this.counters();
    const was = start.counters;
    return {
      durationMs: performance.now() - start.atMs,
      openAtBegin: was.open,
      bytesIn: now.bytesIn - was.bytesIn,
      messagesIn: now.messagesIn - was.messagesIn,
      bytesOut: now.bytesOut - was.bytesOut,
      messagesOut: now.messagesOut - was.messagesOut,
      snapshots: now.snapshots - was.snapshots,
      decodeErrors: now.decodeErrors - was.decodeErrors,
      baselineMisses: now.baselineMisses - was.baselineMisses,
      rtt: this.#rtt.counts.slice(),
      jitter: this.#jitter.counts.slice(),
      loopLag: this.#loopLag.counts.slice(),
    };
  }

  /** Stop the loop, close every bot with 1000 and wait (at most `timeoutMs`) for the closes. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const closing: Promise<number>[] = [];
    for (const bot of this.#bots) {
      const connection = bot.connection;
      if (connection === null || connection.closeCode !== null) continue;
      bot.closedByUs = true;
      closing.push(connection.closed());
      connection.close(1000, "Bots finished");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(closing),
      new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
  }

  async #open(bot: Bot, room: string, deadlineMs: number): Promise<string | null> {
    const remainingMs = deadlineMs - performance.now();
    if (remainingMs <= 0 || this.#stopped) {
      this.#fail(bot, "timeout");
      return null;
    }
    let connection: GameConnection;
    try {
      const urls = this.#options.matchmakeUrls;
      let ticket = { url: this.#options.url, roomId: room, seat: "" };
      if (urls.length > 0) {
        const startedMs = performance.now();
        ticket = await matchmake(
          `${urls[bot.index % urls.length]}/matchmake`,
          this.#options.game,
          room,
          Math.min(remainingMs, 10_000),
        );
        this.#matchmake.record(performance.now() - startedMs);
      }
      connection = await GameConnection.open({
        url: ticket.url,
        webTransport: this.#options.webTransport,
        game: this.#options.game,
        room: ticket.roomId,
        name: bot.name,
        input: ARENA_INPUT,
        seat: ticket.seat,
        timeoutMs: Math.min(remainingMs, 10_000),
      });
    } catch (error) {
      if (error instanceof MatchmakeError) {
        this.#counters.refusals[`matchmake_${error.status}`] ??= error.message;
        this.#fail(bot, `matchmake_${error.status}`);
        return null;
      }
      const [kind, reason] = await this.#failureOf(error);
      this.#counters.refusals[kind] ??= reason;
      this.#fail(bot, kind);
      return null;
    }
    connection.takeEarlyEvents();
    const welcome = connection.welcome;
    bot.connection = connection;
    bot.roomId = welcome.roomId;
    bot.history = new SnapshotHistory(welcome, this.#options.historyCapacity, this.#decoder);
    bot.snapshotIntervalMs = (1000 / welcome.tickRateHz) * welcome.snapshotEveryTicks;
    bot.nextChangeMs = performance.now();
    this.#counters.connected++;
    this.#counters.open++;
    connection.handlers = {
      onSnapshot: (snapshot, receivedAtMs) => this.#snapshot(bot, snapshot, receivedAtMs),
      onPong: (pong, receivedAtMs) => {
        const rttMs = receivedAtMs - pong.clientTimeMs;
        this.#rtt.record(rttMs);
        this.#secondRtt.record(rttMs);
      },
      onClose: (code) => {
        this.#counters.open--;
        if (!bot.closedByUs) bump(this.#counters.closedByServer, String(code));
      },
    };
    if (this.#stopped) {
      bot.closedByUs = true;
      connection.close(1000, "Bots finished");
    }
    return welcome.roomId;
  }

  /** What kind of failure `error` is, and the server's reason for it. */
  async #failureOf(error: unknown): Promise<[kind: string, reason: string]> {
    if (!(error instanceof JoinRefusedError)) {
      return error instanceof Error ? [error.name, error.message] : ["error", String(error)];
    }
    // 0 or 1006 without a welcome: the socket never opened, or dropped; the HTTP answer says which.
    if (error.code !== 0 && error.code !== 1006) return [String(error.code), error.message];
    const nowMs = performance.now();
    if (this.#probe === undefined || nowMs - this.#probe.atMs > 1000) {
      this.#probe = { atMs: nowMs, answer: probeUpgrade(this.#options.url) };
    }
    const answer = await this.#probe.answer;
    if (answer.status === 101) return [String(error.code), error.message];
    if (answer.status === 0) return ["unreachable", answer.reason];
    return [`http_${answer.status}`, answer.reason];
  }

  #fail(bot: Bot, reason: string): void {
    bot.connection = null;
    this.#counters.failed++;
    bump(this.#counters.failedBy, reason);
  }

  #snapshot(bot: Bot, snapshot: SnapshotMessage, receivedAtMs: number): void {
    const connection = bot.connection;
    const history = bot.history;
    if (connection === null || history === null) return;
    this.#counters.snapshots++;
    bot.snapshots++;
    if (bot.lastSnapshotMs > 0) {
      const jitterMs = Math.abs(receivedAtMs - bot.lastSnapshotMs - bot.snapshotIntervalMs);
      this.#jitter.record(jitterMs);
      this.#secondJitter.record(jitterMs);
    }
    bot.lastSnapshotMs = receivedAtMs;
    if (snapshot.tick > bot.latestTick) bot.latestTick = snapshot.tick;
    let ackTick = snapshot.tick;
    try {
      if (bot.index % this.#options.decodeEvery === 0) history.apply(snapshot, receivedAtMs);
    } catch (error) {
      if (error instanceof BaselineMissingError) {
        this.#counters.baselineMisses++;
        ackTick = 0; // asks the server for a full snapshot
      } else {
        this.#historyErrors++;
        return;
      }
    }
    // Acks ride in the next input batch; a stalled loop keeps only the newest few.
    if (bot.acks.length >= MAX_PENDING_ACKS) bot.acks.shift();
    bot.acks.push(ackTick);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#wake(), Math.max(0, this.#nextWakeMs - performance.now()));
  }

  #wake(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const periodMs = 1000 / this.#options.inputHz / PHASES;
    const nowMs = performance.now();
    const lagMs = nowMs - this.#nextWakeMs;
    this.#loopLag.record(lagMs);
    this.#secondLoopLag.record(lagMs);
    // Catch up at most one full round after a stall; a bot-limited process then sends fewer
    // inputs instead of bursts, and its loop lag shows it.
    let ran = 0;
    while (this.#nextWakeMs <= nowMs && ran < PHASES) {
      this.#serve(this.#phases[this.#wakes % PHASES] ?? [], nowMs);
      this.#wakes++;
      this.#nextWakeMs += periodMs;
      ran++;
    }
    if (this.#nextWakeMs <= nowMs) {
      this.#nextWakeMs += Math.ceil((nowMs - this.#nextWakeMs) / periodMs) * periodMs;
    }
    this.#schedule();
  }

  #serve(bots: readonly Bot[], nowMs: number): void {
    const { changeEveryMs, pingEveryMs, beamEveryMs } = this.#options;
    for (const bot of bots) {
      const connection = bot.connection;
      if (connection === null || connection.closeCode !== null) continue;
      if (nowMs >= bot.nextChangeMs) {
        let buttons = 0;
        for (const bit of MOVE_BITS) if (bot.random() < 0.5) buttons |= bit;
        bot.buttons = buttons;
        bot.aim = (bot.random() * 2 - 1) * Math.PI;
        bot.nextChangeMs = nowMs + changeEveryMs;
      }
      const beam = beamEveryMs > 0 && nowMs >= bot.nextBeamMs;
      if (beam) bot.nextBeamMs = nowMs + beamEveryMs;
      connection.queue({
        kind: MessageKind.INPUT,
        sequence: ++bot.sequence,
        clientTick: bot.latestTick,
        values: [beam ? bot.buttons | BEAM_BIT : bot.buttons, bot.aim],
        viewTick: Math.max(0, bot.latestTick - BEAM_VIEW_TICKS),
        viewAlpha: 0,
      });
      for (const tick of bot.acks) connection.queue({ kind: MessageKind.ACK, tick });
      bot.acks.length = 0;
      if (nowMs >= bot.nextPingMs) {
        connection.queue({ kind: MessageKind.PING, clientTimeMs: nowMs });
        bot.nextPingMs = nowMs + pingEveryMs;
      }
      connection.flush();
    }
  }

  #collect(): void {
    let bytesIn = 0;
    let messagesIn = 0;
    let bytesOut = 0;
    let messagesOut = 0;
    let decodeErrors = 0;
    for (const bot of this.#bots) {
      const connection = bot.connection;
      if (connection === null) continue;
      bytesIn += connection.bytesIn;
      messagesIn += connection.messagesIn;
      bytesOut += connection.bytesOut;
      messagesOut += connection.messagesOut;
      decodeErrors += connection.decodeErrors;
    }
    const counters = this.#counters;
    counters.bytesIn = bytesIn;
    counters.messagesIn = messagesIn;
    counters.bytesOut = bytesOut;
    counters.messagesOut = messagesOut;
    // Frame errors the connections caught, plus snapshots the histories could not rebuild.
    counters.decodeErrors = decodeErrors + this.#historyErrors;
  }
}

/** Runs at most `limit` async jobs at once. */
class Limiter {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#running++;
    try {
      return await job();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}
