import {
  checkCommandArgs,
  checkCommandSpec,
  CloseCode,
  CommandArgsError,
  type EventMessage,
  LIMITS,
  MessageKind,
} from "../../shared/protocol/mod.ts";
import { FrameEncoder } from "../../shared/protocol/mod.ts";
import type { Clock, TimerHandle } from "../tick/clock.ts";
import { FixedStepLoop } from "../tick/fixed_step_loop.ts";
import type { CommandArgs, Game, GameCommand, GameEvent, GameMessages } from "./game.ts";
import { InputQueue, type InputQueueOptions } from "./input_queue.ts";
import { LagCompensation } from "./lag_compensation.ts";
import { ViewLag } from "./view_lag.ts";
import { SnapshotBuilder } from "./snapshots/snapshot_builder.ts";
import type { ViewRing } from "./snapshots/view_ring.ts";
import { RoomStats } from "./room_stats.ts";
import { type RoomRecorder, type RoomRecorderFactory, roomSeed } from "./room_recorder.ts";
import { SlowClientPolicy } from "./slow_client_policy.ts";

/** The room's view of a connected client: what the transport gives it. */
export interface RoomClient {
  /**
   * Queue one message (a frame batch); never blocks. The bytes are valid only during the call
   * (the room reuses its buffer): copy them to keep them. Deno's `WebSocket.send` copies them.
   * The first `latestOnlyBytes` bytes are whole frames that matter only until the next message
   * (the tick's snapshot and a pong): a transport with unreliable datagrams may send them as one
   * and drop them when it is busy; the rest must arrive. A WebSocket sends it all as one message.
   * @default latestOnlyBytes 0
   */
  send(bytes: Uint8Array, latestOnlyBytes?: number): void;
  /**
   * Bytes queued but not yet written to the network, the only backpressure signal, read exactly
   * when they may be over `limit`. Below it any figure up to `limit` will do, so a client may
   * skip asking its socket while what it sent since it last asked cannot have reached `limit`.
   */
  queuedBytes(limit: number): number;
  /** Close the connection with a code and a reason. */
  close(code: CloseCode, reason: string): void;
  /**
   * Add the frames the client owes its peer (a pong) to the message the room is about to send
   * it, so they ride with the tick's snapshot instead of costing a WebSocket message each.
   */
  addOwnFrames?(out: FrameEncoder): void;
}

/** Settings of a {@linkcode Room}. */
export interface RoomOptions {
  /**
   * Simulation steps per second.
   * @default 30
   */
  tickRateHz?: number;
  /**
   * Send a snapshot every this many ticks.
   * @default 1
   */
  broadcastEveryTicks?: number;
  /**
   * Most steps caught up after a stall before the backlog is dropped.
   * @default 5
   */
  maxCatchUpSteps?: number;
  /**
   * Above this many queued bytes a client's snapshot is skipped this tick.
   * @default 262144
   */
  slowClientSoftLimitBytes?: number;
  /**
   * Above this many queued bytes a client is closed with 4005.
   * @default 4194304
   */
  slowClientHardLimitBytes?: number;
  /**
   * A client that stays over the soft limit this long (it is not draining) is closed with 4005.
   * @default 5000
   */
  slowClientTimeoutMs?: number;
  /** Per-player input queue limits. */
  inputQueue?: InputQueueOptions;
  /**
   * Signs the reconnect token each welcome carries. Signing is asynchronous (WebCrypto), so with
   * it the welcome follows the join by a moment; without it the welcome carries `""` and a
   * dropped seat is not kept.
   */
  issueReconnectToken?: (roomId: string, playerId: number) => Promise<string>;
  /**
   * A player whose connection dropped keeps its seat (entity, score, input sequence) this long,
   * to come back with its reconnect token; then it leaves.
   * @default 10000
   */
  reconnectGraceMs?: number;
  /** Source of time; tests drive a manual clock. */
  clock: Clock;
  /** Records each room's match (see `server/recording`); unset: nothing is recorded. */
  recorder?: RoomRecorderFactory;
}

/**
 * What {@linkcode Room.queueInput} made of an input: `queued` (or ignored as a duplicate), or a
 * reason to close the connection: a sequence jump beyond the allowed gap, or a view tick the
 * room has not reached (nobody can have seen it).
 */
export type QueueInputResult = "queued" | "sequence_gap" | "future_view";

/** Why {@linkcode Room.queueCommand} refused a command: close the connection with this. */
export interface CommandRefusal {
  code: CloseCode;
  reason: string;
}

/** Events waiting for one client beyond this are dropped (it is not reading; 4005 follows). */
const MAX_DIRECT_EVENTS = 64;

/** A checked command waiting for the next tick. */
interface PendingCommand<State> {
  /** Its place in `game.commands`, as recordings name it. */
  index: number;
  playerId: number;
  command: GameCommand<State>;
  args: CommandArgs;
}

/** Events in one tick's message: the frame limit less the snapshot and a pong. */
const MAX_EVENTS_PER_MESSAGE = LIMITS.maxFramesPerMessage - 2;

/** Snapshot ticks whose send time is remembered, for round trips measured from acks. */
const SENT_TIMES = 32;

/** Outcome of {@linkcode Room.join}. */
export type JoinResult =
  | { ok: true; playerId: number }
  | { ok: false; code: CloseCode; reason: string };

interface Member {
  playerId: number;
  name: string;
  client: RoomClient;
  inputs: InputQueue;
  /** Newest snapshot tick the client acknowledged: its delta baseline; 0 = send in full. */
  ackedTick: number;
  /** What the client was sent recently, for deltas and hysteresis. */
  views: ViewRing;
  /** Clock time the client went over the soft limit, or -1 while it is under (see {@linkcode SlowClientPolicy}). */
  slowSinceMs: number;
  /** Its round trips, measured from its acks: how old a view it may claim. */
  viewLag: ViewLag;
  /** Per declared command (by index): tokens left in its rate bucket, and when last refilled. */
  commandTokens: Float64Array;
  commandRefilledMs: Float64Array;
  /** Events for this client only, sent with its next message. */
  direct: EventMessage[];
}

/**
 * One running match: a game state, its players and its fixed-step loop. The room applies queued
 * inputs, steps the game and sends each client one message per broadcast tick.
 */
export class Room<State = unknown> {
  /** Room id clients join by. */
  readonly id: string;
  /** The game this room runs. */
  readonly game: Game<State>;
  /** Counters for metrics and tests. */
  readonly stats = new RoomStats();
  /** The seed the game state was created with: the room's only source of randomness. */
  readonly seed: number;
  readonly #state: State;
  readonly #members = new Map<number, Member>();
  /** Seated by the game, waiting for their reconnect token before the welcome. */
  readonly #admitting = new Map<number, Member>();
  /** Dropped players whose seats are kept until their grace timer fires. */
  readonly #detached = new Map<number, { member: Member; timer: TimerHandle }>();
  readonly #issueReconnectToken: RoomOptions["issueReconnectToken"];
  readonly #reconnectGraceMs: number;
  readonly #loop: FixedStepLoop;
  readonly #clock: Clock;
  readonly #tickRateHz: number;
  readonly #stepMs: number;
  readonly #broadcastEveryTicks: number;
  readonly #slowClients: SlowClientPolicy;
  readonly #inputQueueOptions: InputQueueOptions;
  readonly #encoder = new FrameEncoder(16 * 1024);
  readonly #eventEncoder = new FrameEncoder(1024);
  readonly #entities: number[] = [];
  readonly #teleported: number[] = [];
  readonly #global: number[] = [];
  readonly #snapshots: SnapshotBuilder;
  readonly #tickEvents: GameEvent[] = [];
  readonly #lag: LagCompensation | undefined;
  readonly #maxRewindMs: number;
  /** Clock time each recent snapshot tick was sent, by `tick % SENT_TIMES`, and its tick. */
  readonly #sentAtMs = new Float64Array(SENT_TIMES);
  readonly #sentTicks = new Float64Array(SENT_TIMES);
  #pendingEvents: EventMessage[] = [];
  /** The game's commands by name, with their index in the members' rate buckets. */
  readonly #commands = new Map<string, { index: number; command: GameCommand<State> }>();
  /** Checked commands of all players in arrival order, run at the start of the next tick. */
  #pendingCommands: PendingCommand<State>[] = [];
  /** What command handlers send through. */
  readonly #messages: GameMessages = {
    toPlayer: (playerId, event) => {
      const member = this.#members.get(playerId);
      if (member !== undefined && member.direct.length < MAX_DIRECT_EVENTS) {
        member.direct.push({ kind: MessageKind.EVENT, tick: this.#tick + 1, ...event });
      }
    },
    toRoom: (event) => {
      this.#pendingEvents.push({ kind: MessageKind.EVENT, tick: this.#tick + 1, ...event });
    },
  };
  #tick = 0;
  #closed = false;
  #recorder: RoomRecorder | undefined;
  /** Set by the registry: told when a hook throws. */
  onFailure: ((room: Room<State>, error: unknown) => void) | undefined;
  /** Set by the registry: told when the last member leaves. */
  onEmpty: ((room: Room<State>) => void) | undefined;

  /** @param id room id; @param game rules; @param options timing and limits */
  constructor(id: string, game: Game<State>, options: RoomOptions) {
    this.id = id;
    this.game = game;
    this.#clock = options.clock;
    this.#tickRateHz = options.tickRateHz ?? 30;
    this.#stepMs = 1000 / this.#tickRateHz;
    this.#broadcastEveryTicks = options.broadcastEveryTicks ?? 1;
    this.#slowClients = new SlowClientPolicy({
      softLimitBytes: options.slowClientSoftLimitBytes,
      hardLimitBytes: options.slowClientHardLimitBytes,
      timeoutMs: options.slowClientTimeoutMs,
    }, options.clock);
    this.#inputQueueOptions = options.inputQueue ?? {};
    this.#issueReconnectToken = options.issueReconnectToken;
    this.#reconnectGraceMs = options.reconnectGraceMs ?? 10_000;
    this.#snapshots = new SnapshotBuilder(game.entitySchema, game.interest);
    const lagOptions = game.lagCompensation;
    this.#maxRewindMs = lagOptions?.maxRewindMs ?? 250;
    // Two ticks short of the world frames kept: the blend needs the frame after the view too.
    const historyMs = (SENT_TIMES - 2) * this.#stepMs;
    if (!(this.#maxRewindMs >= 0 && this.#maxRewindMs <= historyMs)) {
      throw new RangeError(
        `Cannot rewind ${this.#maxRewindMs} ms: the room keeps ${
          Math.floor(historyMs)
        } ms of snapshots`,
      );
    }
    this.#lag = lagOptions === undefined
      ? undefined
      : new LagCompensation(this.#snapshots, this.#snapshots.wire, this.#stepMs, lagOptions);
    (game.commands ?? []).forEach((command, index) => {
      checkCommandSpec(command);
      if (this.#commands.has(command.name)) {
        throw new RangeError(`Cannot declare command ${command.name} twice`);
      }
      this.#commands.set(command.name, { index, command });
    });
    this.seed = roomSeed(id);
    this.#state = game.createState(id, this.seed);
    this.#recorder = options.recorder?.(this as Room<unknown>);
    this.#loop = new FixedStepLoop({
      stepIntervalMs: this.#stepMs,
      maxCatchUpSteps: options.maxCatchUpSteps ?? 5,
      clock: options.clock,
      onStep: () => this.step(),
      onStepsDropped: (dropped) => {
        this.stats.droppedSteps += dropped;
      },
    });
  }

  /** Simulation steps per second. */
  get tickRateHz(): number {
    return this.#tickRateHz;
  }

  /** A snapshot (and a world frame, which lag compensation rewinds to) every this many ticks. */
  get snapshotEveryTicks(): number {
    return this.#broadcastEveryTicks;
  }

  /** Current tick number; 0 before the first step. */
  get tick(): number {
    return this.#tick;
  }

  /** Seats taken: connected players, players being welcomed, and dropped players in grace. */
  get playerCount(): number {
    return this.#members.size + this.#admitting.size + this.#detached.size;
  }

  /** Whether the room has stopped for good. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The game state, for tests and tools; the room owns it. */
  get state(): State {
    return this.#state;
  }

  /** Ids of the players in the room. */
  playerIds(): number[] {
    return [...this.#members.keys()];
  }

  /** Start ticking. */
  start(): void {
    if (!this.#closed) this.#loop.start();
  }

  /**
   * Seat a client: the game may refuse; on success the client gets its welcome and a `joined`
   * event for each player already present, and the others learn of it in the next message.
   */
  join(client: RoomClient, name: string): JoinResult {
    if (this.#closed) return { ok: false, code: CloseCode.ROOM_CLOSED, reason: "Room is closed" };
    if (this.playerCount >= this.game.maxPlayers) {
      return {
        ok: false,
        code: CloseCode.ROOM_FULL,
        reason: `Room ${this.id} is full (${this.playerCount} of ${this.game.maxPlayers})`,
      };
    }
    let playerId: number;
    try {
      const refusal = this.game.canJoin?.(this.#state, name) ?? null;
      if (refusal !== null) return { ok: false, code: CloseCode.JOIN_REFUSED, reason: refusal };
      playerId = this.game.join(this.#state, name);
      this.#recorder?.joined(playerId, name);
    } catch (error) {
      this.#fail(error);
      return { ok: false, code: CloseCode.ROOM_CLOSED, reason: "Room failed" };
    }
    const member: Member = {
      playerId,
      name,
      client,
      inputs: new InputQueue(this.game.input, this.#inputQueueOptions),
      ackedTick: 0,
      views: this.#snapshots.createViewRing(),
      slowSinceMs: -1,
      viewLag: new ViewLag(),
      commandTokens: new Float64Array(this.#commands.size),
      commandRefilledMs: new Float64Array(this.#commands.size).fill(-1),
      direct: [],
    };
    const issue = this.#issueReconnectToken;
    if (issue === undefined) {
      this.#seat(member, "");
      return { ok: true, playerId };
    }
    // The seat is held while the token is signed; leave() or close() in between cancel it.
    this.#admitting.set(playerId, member);
    const admit = (token: string) => {
      if (this.#admitting.get(playerId) !== member) return;
      this.#admitting.delete(playerId);
      this.#seat(member, token);
    };
    issue(this.id, playerId).then(admit, (error) => {
      console.error(`Room ${this.id}: cannot sign a reconnect token`, error);
      admit("");
    });
    return { ok: true, playerId };
  }

  /** Welcome a member (it learns who is already here) and let the others know next message. */
  #seat(member: Member, reconnectToken: string): void {
    this.#welcome(member, reconnectToken);
    this.#pendingEvents.push(this.#event("joined", member.playerId, member.name));
  }

  #welcome(member: Member, reconnectToken: string): void {
    const encoder = new FrameEncoder(256);
    encoder.add({
      kind: MessageKind.WELCOME,
      playerId: member.playerId,
      roomId: this.id,
      game: this.game.name,
      tickRateHz: this.#tickRateHz,
      snapshotEveryTicks: this.#broadcastEveryTicks,
      tick: this.#tick,
      reconnectToken,
      ...this.#snapshots.wire,
    });
    for (const other of this.#members.values()) {
      encoder.add(this.#event("joined", other.playerId, other.name));
    }
    for (const { member: other } of this.#detached.values()) {
      if (other !== member) encoder.add(this.#event("joined", other.playerId, other.name));
    }
    member.client.send(encoder.finish());
    this.#members.set(member.playerId, member);
  }

  /**
   * Keep the seat of a player whose connection dropped: its entity stays, its queued inputs wait,
   * and it leaves when the reconnect grace period ends unless {@linkcode Room.resume} comes
   * first. Without reconnect tokens nobody can come back, so this is {@linkcode Room.leave}.
   */
  detach(playerId: number): void {
    const member = this.#members.get(playerId);
    if (
      member === undefined || this.#closed || this.#issueReconnectToken === undefined ||
      this.#reconnectGraceMs <= 0
    ) {
      this.leave(playerId);
      return;
    }
    this.#members.delete(playerId);
    const timer = this.#clock.setTimer(() => this.leave(playerId), this.#reconnectGraceMs);
    this.#detached.set(playerId, { member, timer });
  }

  /**
   * Give a dropped player its seat back on a new connection: same entity, score and input
   * sequence, a welcome carrying `reconnectToken`, and a full snapshot next (the new client has
   * no baseline). Refused with 4007 when the seat is not held (any more).
   */
  resume(playerId: number, client: RoomClient, reconnectToken: string): JoinResult {
    if (this.#closed) return { ok: false, code: CloseCode.ROOM_CLOSED, reason: "Room is closed" };
    const held = this.#detached.get(playerId);
    if (held === undefined) {
      const connected = this.#members.has(playerId) || this.#admitting.has(playerId);
      return {
        ok: false,
        code: CloseCode.BAD_TOKEN,
        reason: connected
          ? `Player ${playerId} of room ${this.id} is still connected`
          : `Player ${playerId} no longer has a seat in room ${this.id}`,
      };
    }
    this.#detached.delete(playerId);
    this.#clock.clearTimer(held.timer);
    const member = held.member;
    member.client = client;
    // No acked baseline and a fresh view ring: the next snapshot to this client is a full one.
    member.ackedTick = 0;
    member.views = this.#snapshots.createViewRing();
    member.slowSinceMs = -1;
    // Another connection, another round trip.
    member.viewLag = new ViewLag();
    this.#welcome(member, reconnectToken);
    return { ok: true, playerId };
  }

  /** Remove a player: its connection ended for good, or its grace period did. */
  leave(playerId: number): void {
    const held = this.#detached.get(playerId);
    if (held !== undefined) {
      this.#detached.delete(playerId);
      this.#clock.clearTimer(held.timer);
    }
    const member = this.#members.get(playerId) ?? this.#admitting.get(playerId) ?? held?.member;
    if (member === undefined) return;
    this.#members.delete(playerId);
    this.#admitting.delete(playerId);
    if (!this.#closed) {
      try {
        this.game.leave(this.#state, playerId);
        this.#recorder?.left(playerId);
      } catch (error) {
        this.#fail(error);
        return;
      }
      this.#pendingEvents.push(this.#event("left", playerId, member.name));
    }
    if (this.playerCount === 0) this.onEmpty?.(this);
  }

  /**
   * Queue input `sequence` of a player: its game fields are `values[at …]`, one per field of the
   * game's input declaration, already checked against it (they are copied). `viewTime` is the
   * view the client claims (tick plus fraction); it is limited here: a view older than the
   * player's measured lag or the game's `maxRewindMs` is moved up to that limit and counted. See
   * {@linkcode QueueInputResult}; duplicates and overflow are dropped and counted.
   */
  queueInput(
    playerId: number,
    sequence: number,
    viewTime: number,
    values: ArrayLike<number>,
    at = 0,
  ): QueueInputResult {
    const member = this.#members.get(playerId);
    if (member === undefined) return "queued";
    if (Math.floor(viewTime) > this.#tick) return "future_view";
    const limited = viewTime > 0 ? this.#limitView(member, viewTime) : viewTime;
    const result = member.inputs.push(sequence, limited, values, at);
    if (result === "duplicate") this.stats.inputsStale++;
    if (result === "overflow") this.stats.inputsDropped++;
    return result === "gap" ? "sequence_gap" : "queued";
  }

  /**
   * Check command `name` of a player against the game's declaration and queue it for the next
   * tick, or drop it when the player is over the command's rate (it is counted and the player
   * gets a `command_refused` event). Returns why the connection must close: an unknown command
   * or bad arguments; `null` otherwise.
   */
  queueCommand(
    playerId: number,
    name: string,
    values: readonly unknown[],
  ): CommandRefusal | null {
    const member = this.#members.get(playerId);
    if (member === undefined) return null;
    const entry = this.#commands.get(name);
    if (entry === undefined) {
      const known = [...this.#commands.keys()].join(", ") || "none";
      return {
        code: CloseCode.INVALID_PAYLOAD,
        reason: `Unknown command ${name}: ${this.game.name} accepts ${known}`,
      };
    }
    const { index, command } = entry;
    let args: CommandArgs;
    try {
      args = checkCommandArgs(command, values);
    } catch (error) {
      if (!(error instanceof CommandArgsError)) throw error;
      const code = error.reason === "too_big"
        ? CloseCode.MESSAGE_TOO_BIG
        : CloseCode.INVALID_PAYLOAD;
      return { code, reason: error.message };
    }
    const nowMs = this.#clock.now(), burst = command.burst ?? Math.max(1, command.perSecond);
    const lastMs = member.commandRefilledMs[index]!;
    const earned = ((nowMs - lastMs) * command.perSecond) / 1000;
    const tokens = lastMs < 0 ? burst : Math.min(burst, member.commandTokens[index]! + earned);
    member.commandRefilledMs[index] = nowMs;
    if (tokens < 1) {
      member.commandTokens[index] = tokens;
      this.stats.commandsRateLimited++;
      this.#messages.toPlayer(playerId, {
        type: "command_refused",
        actor: 0,
        target: playerId,
        value: command.perSecond,
        text: `${name}: over ${command.perSecond} a second`,
      });
      return null;
    }
    member.commandTokens[index] = tokens - 1;
    this.#pendingCommands.push({ index, playerId, command, args });
    return null;
  }

  /** A claimed view clamped to what the player can have seen (see {@linkcode ViewLag}). */
  #limitView(member: Member, viewTime: number): number {
    const stepMs = this.#stepMs;
    const claimedMs = (this.#tick - viewTime) * stepMs;
    const lagMs = member.viewLag.allowedMs(stepMs * this.#broadcastEveryTicks, stepMs);
    if (claimedMs > lagMs && lagMs < this.#maxRewindMs) {
      this.stats.viewsBeyondLag++;
      return this.#tick - lagMs / stepMs;
    }
    if (claimedMs > this.#maxRewindMs) {
      this.stats.viewsBeyondMaxRewind++;
      return this.#tick - this.#maxRewindMs / stepMs;
    }
    return viewTime;
  }

  /**
   * Record the newest snapshot tick a player has acknowledged. Tick 0 means the client lost its
   * baseline (it could not decode a delta) and asks for a full snapshot.
   */
  acknowledge(playerId: number, tick: number): void {
    const member = this.#members.get(playerId);
    if (member === undefined) return;
    if (tick === 0) member.ackedTick = 0;
    else if (tick <= this.#tick && tick > member.ackedTick) {
      member.ackedTick = tick;
      const slot = tick % SENT_TIMES;
      if (this.#sentTicks[slot] === tick) {
        member.viewLag.sample(this.#clock.now() - (this.#sentAtMs[slot] ?? 0));
      }
    }
  }

  /** Newest input sequence applied for a player, 0 if none or unknown. */
  lastInputSequence(playerId: number): number {
    const member = this.#members.get(playerId) ?? this.#detached.get(playerId)?.member;
    return member?.inputs.lastAppliedSequence ?? 0;
  }

  /** Run one simulation step and, on broadcast ticks, send snapshots. The loop calls this. */
  step(): void {
    if (this.#closed) return;
    const startedMs = performance.now();
    try {
      const events = this.#tickEvents;
      events.length = 0;
      const recorder = this.#recorder;
      if (this.#pendingCommands.length > 0) this.#runCommands();
      const lag = this.#lag;
      const newestTick = this.#tick - (this.#tick % this.#broadcastEveryTicks);
      for (const member of this.#members.values()) {
        const inputs = member.inputs;
        inputs.earnCredit();
        for (let input = inputs.take(); input !== undefined; input = inputs.take()) {
          recorder?.applied(member.playerId, inputs.lastAppliedSequence, inputs.takenValues());
          if (lag !== undefined) {
            // Also capped here: an input that waited in its queue has grown older since.
            const oldest = newestTick - this.#maxRewindMs / this.#stepMs;
            const claimed = input.viewTime ?? 0;
            const viewTime = claimed > 0 && claimed < oldest ? oldest : claimed;
            lag.prepare(member.playerId, viewTime, newestTick);
          }
          this.game.applyInput(this.#state, member.playerId, input, this.#stepMs, events, lag);
        }
      }
      this.game.step(this.#state, this.#stepMs, events);
      this.#tick++;
      recorder?.stepped(
        this.#tick,
        this.#stepMs,
        this.#tick % this.#broadcastEveryTicks === 0 && this.#members.size > 0,
      );
      for (const event of events) {
        this.#pendingEvents.push({ kind: MessageKind.EVENT, tick: this.#tick, ...event });
      }
      if (this.#tick % this.#broadcastEveryTicks === 0) {
        // Nobody to send to: the world is not quantized or coded, so a room nobody is in costs
        // its step only, and holds no snapshot memory (a joiner's first snapshot is full anyway).
        if (this.#members.size > 0) this.#broadcast();
        else this.#pendingEvents.length = 0;
      }
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.stats.recordTick(performance.now() - startedMs);
  }

  /** Run the queued commands in arrival order; a player who left since is skipped. */
  #runCommands(): void {
    const pending = this.#pendingCommands;
    this.#pendingCommands = [];
    for (const { index, playerId, command, args } of pending) {
      if (!this.#members.has(playerId)) continue;
      this.#recorder?.commanded(playerId, index, args);
      command.handle(this.#state, playerId, args, this.#messages);
      this.stats.commandsRun++;
    }
  }

  /** Stop the loop and close every client with `code` and `reason`. */
  close(code: CloseCode, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#loop.stop();
    this.#recorder?.closed();
    this.#recorder = undefined;
    const members = [...this.#members.values(), ...this.#admitting.values()];
    this.#members.clear();
    this.#admitting.clear();
    for (const { timer } of this.#detached.values()) this.#clock.clearTimer(timer);
    this.#detached.clear();
    for (const member of members) member.client.close(code, reason);
  }

  #broadcast(): void {
    const entities = this.#entities;
    entities.length = 0;
    const teleported = this.#teleported;
    teleported.length = 0;
    this.game.teleported?.(this.#state, teleported);
    this.game.writeEntities(this.#state, entities);
    let global: number[] | null = null;
    if (this.game.writeGlobal !== undefined) {
      global = this.#global;
      global.length = 0;
      this.game.writeGlobal(this.#state, global);
    }
    this.#snapshots.beginTick(this.#tick, entities, global, teleported);
    const slot = this.#tick % SENT_TIMES;
    this.#sentTicks[slot] = this.#tick;
    this.#sentAtMs[slot] = this.#clock.now();
    const events = this.#eventEncoder;
    const pending = this.#pendingEvents;
    // A message holds at most 64 frames (the snapshot and a pong beside the events): a burst of
    // events waits for the next ticks' messages rather than making one a client must refuse.
    const sent = Math.min(pending.length, MAX_EVENTS_PER_MESSAGE);
    for (let index = 0; index < sent; index++) events.add(pending[index] as EventMessage);
    const eventCount = events.frameCount;
    const eventBytes = events.finish();
    this.#pendingEvents = sent === pending.length ? [] : pending.slice(sent);
    const slowClients = this.#slowClients;
    for (const member of this.#members.values()) {
      const queued = member.client.queuedBytes(slowClients.softLimitBytes);
      const verdict = slowClients.judge(member, queued);
      if (verdict === "skip") {
        this.stats.snapshotsSkipped++;
        continue;
      }
      if (verdict !== "send") {
        this.stats.slowClientsClosed++;
        this.leave(member.playerId);
        if (this.#closed) return;
        member.client.close(CloseCode.SLOW_CLIENT, slowClients.closeReason(verdict, queued));
        continue;
      }
      const baselineTick = this.#snapshots.writeFor(
        member.views,
        member.playerId,
        member.ackedTick,
        member.inputs.lastAppliedSequence,
        this.#encoder,
      );
      if (baselineTick === 0) this.stats.fullSnapshots++;
      member.client.addOwnFrames?.(this.#encoder);
      const latestOnlyBytes = this.#encoder.byteLength;
      if (eventCount > 0) this.#encoder.appendFrames(eventBytes, eventCount);
      if (member.direct.length > 0) this.#addDirectEvents(member, eventCount);
      // A view of the reused batch buffer, not a copy: send() copies it (see RoomClient).
      const message = this.#encoder.view();
      this.stats.bytesOut += message.length;
      this.stats.messagesOut++;
      member.client.send(message, latestOnlyBytes);
      this.#encoder.reset();
    }
  }

  /** A member's own events, as many as fit beside the room's; the rest wait for the next tick. */
  #addDirectEvents(member: Member, roomEvents: number): void {
    const direct = member.direct;
    const sent = Math.min(direct.length, MAX_EVENTS_PER_MESSAGE - roomEvents);
    for (let index = 0; index < sent; index++) this.#encoder.add(direct[index] as EventMessage);
    direct.splice(0, sent);
  }

  #event(type: string, actor: number, text: string): EventMessage {
    return { kind: MessageKind.EVENT, tick: this.#tick, type, actor, target: 0, value: 0, text };
  }

  #fail(error: unknown): void {
    this.stats.failures++;
    this.#recorder?.closed(error);
    this.#recorder = undefined;
    this.close(CloseCode.INTERNAL_ERROR, `Room ${this.id} stopped: its game failed`);
    this.onFailure?.(this, error);
  }
}
