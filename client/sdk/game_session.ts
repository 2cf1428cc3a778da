import {
  checkCommandArgs,
  type EventMessage,
  MessageKind,
  type SnapshotMessage,
} from "../../shared/protocol/mod.ts";
import type { GameConnection } from "../net/game_connection.ts";
import { InputSender } from "../net/input_sender.ts";
import { NetSimulator } from "../net/net_simulator.ts";
import { RttMeter } from "../net/rtt_meter.ts";
import { BaselineMissingError, SnapshotHistory } from "../net/snapshot_history.ts";
import { type InterpolatedEntity, InterpolationBuffer } from "../netcode/interpolation_buffer.ts";
import { type DebugSwitches, DEFAULT_DEBUG_SWITCHES } from "../ui/debug_overlay.ts";
import type { ClientFrame, ClientGame } from "./client_game.ts";
import { type ColumnLookup, type Point, Prediction } from "./prediction.ts";

/** Settings of a {@linkcode GameSession}. */
export interface GameSessionOptions {
  /**
   * Delays and drops traffic when the developer asks for a worse network; shared across
   * reconnects.
   * @default a simulator that adds nothing
   */
  simulator?: NetSimulator;
  /**
   * Our display name, until the server's `joined` event says otherwise.
   * @default ""
   */
  name?: string;
  /**
   * The newest input sequence sent on the connection this one resumes (same seat, same player):
   * the server continues that count, so the numbers must too.
   * @default 0
   */
  lastSequence?: number;
  /**
   * Local clock, ms.
   * @default performance.now
   */
  clock?: () => number;
}

/** What a frame is drawn with beyond the session: the debug switches and the HUD's visibility. */
export interface FrameView {
  /** @default DEFAULT_DEBUG_SWITCHES */
  debug?: Readonly<DebugSwitches>;
  /** @default true */
  overlays?: boolean;
}

/** Events kept for the client module to show (chat, countdown, laps). */
const KEPT_EVENTS = 32;

/**
 * One joined connection of any game: applies snapshots (reconciling the own player's
 * prediction, feeding the interpolation of the others), keeps names and recent events and hands
 * each event to the game, sends each tick's input and the game's commands, and builds each
 * frame's {@linkcode ClientFrame}. A reconnect makes a new session; only a resumed seat's input
 * count carries over.
 */
export class GameSession<Input, Body extends Point> {
  /** The connection; its handlers belong to this session. */
  readonly connection: GameConnection;
  /** Our player's entity id. */
  readonly playerId: number;
  /** The room we are in. */
  readonly roomId: string;
  /** One server tick, ms. */
  readonly tickIntervalMs: number;
  /** Recent snapshots, decoded. */
  readonly history: SnapshotHistory;
  /** Interpolation of everything but the own player. */
  readonly interpolation: InterpolationBuffer;
  /** The own player's prediction and reconciliation. */
  readonly prediction: Prediction<Input, Body>;
  /** Round trip from pings. */
  readonly rtt = new RttMeter();
  /** Player id → display name, from `joined` and `left` events. */
  readonly names = new Map<number, string>();
  /** The newest events, oldest first. */
  readonly events: EventMessage[] = [];
  /** Snapshots applied (not counting reordered or dropped ones). */
  snapshotsApplied = 0;
  /** Delays and drops this session's traffic when the developer asks for a worse network. */
  readonly simulator: NetSimulator;
  /** Finds a snapshot column by name (see {@linkcode ColumnLookup}). */
  readonly column: ColumnLookup;
  readonly #game: ClientGame<Input, Body>;
  readonly #sender: InputSender;
  readonly #clock: () => number;

  /**
   * @param connection a welcomed connection
   * @param game the game's client module
   */
  constructor(
    connection: GameConnection,
    game: ClientGame<Input, Body>,
    options: GameSessionOptions = {},
  ) {
    const welcome = connection.welcome;
    this.connection = connection;
    this.#game = game;
    this.playerId = welcome.playerId;
    this.roomId = welcome.roomId;
    this.tickIntervalMs = 1000 / welcome.tickRateHz;
    this.history = new SnapshotHistory(welcome);
    const columns = new Map(welcome.entityFields.map((name, index) => [name, index]));
    this.column = (name) => {
      const index = columns.get(name);
      if (index === undefined) {
        throw new RangeError(
          `Cannot read snapshots: column ${name} missing from fields ${welcome.entityFields}`,
        );
      }
      return index;
    };
    const { x, y, angle } = game.positionFields;
    this.interpolation = new InterpolationBuffer(
      { x: this.column(x), y: this.column(y), angle: this.column(angle) },
      this.tickIntervalMs,
      { snapshotIntervalMs: this.tickIntervalMs * welcome.snapshotEveryTicks },
    );
    this.prediction = new Prediction(game.prediction, this.tickIntervalMs);
    this.#sender = new InputSender(options.lastSequence ?? 0);
    const simulator = options.simulator ?? new NetSimulator();
    this.simulator = simulator;
    const clock = options.clock ?? (() => performance.now());
    this.#clock = clock;
    this.names.set(this.playerId, options.name ?? "");
    for (const event of connection.takeEarlyEvents()) this.#applyEvent(event, clock());
    connection.handlers.onSnapshot = (snapshot, receivedAtMs) =>
      simulator.receive(true, receivedAtMs, (atMs) => this.#applySnapshot(snapshot, atMs));
    connection.handlers.onEvent = (event) =>
      simulator.receive(false, clock(), (atMs) => this.#applyEvent(event, atMs));
    connection.handlers.onPong = (pong, receivedAtMs) =>
      simulator.receive(false, receivedAtMs, (atMs) => this.rtt.sample(pong.clientTimeMs, atMs));
  }

  /** Sequence of the newest input sent. */
  get lastSequence(): number {
    return this.#sender.sequence;
  }

  /** Server tick of the newest snapshot, or the welcome's before any. */
  get serverTick(): number {
    return this.history.latest?.tick ?? this.connection.welcome.tick;
  }

  /** The own player's row in the newest snapshot. */
  get ownRow(): readonly number[] | undefined {
    return this.history.latest?.entities.get(this.playerId);
  }

  /**
   * Send one client tick's input (with the ack of the newest snapshot, in one message) and
   * predict it at once.
   * @param tickTimeMs the tick's scheduled time (see `FixedRateTicker`), ms
   */
  sendInput(input: Input, tickTimeMs: number): void {
    const serverTimeMs = this.interpolation.serverTimeAt(tickTimeMs);
    const clientTick = serverTimeMs === undefined
      ? this.serverTick
      : serverTimeMs / this.tickIntervalMs;
    const messages = this.#sender.batch(
      this.#game.inputValues(input),
      clientTick,
      this.history.latest?.tick ?? 0,
      this.interpolation.viewTicks(),
    );
    this.prediction.addInput(this.#sender.sequence, input, tickTimeMs);
    this.#game.inputSent?.(input, tickTimeMs, this);
    const connection = this.connection;
    this.simulator.send(true, () => {
      for (const message of messages) connection.queue(message);
      connection.flush();
    });
  }

  /**
   * Send command `name` now. Its arguments are checked against the game's declaration first, so
   * a mistake is a `CommandArgsError` (or a `RangeError` for an undeclared name) here, not a
   * closed connection.
   */
  sendCommand(name: string, args: (string | number | boolean)[]): void {
    const spec = this.#game.commands?.[name];
    if (spec === undefined) throw new RangeError(`Cannot send command ${name}: not declared`);
    checkCommandArgs(spec, args);
    this.connection.queue({ kind: MessageKind.COMMAND, name, args });
    this.connection.flush();
  }

  /** Send a ping stamped now; its pong updates {@linkcode GameSession.rtt}. */
  ping(): void {
    const sentAtMs = this.#clock();
    const connection = this.connection;
    this.simulator.send(false, () => {
      connection.queue({ kind: MessageKind.PING, clientTimeMs: sentAtMs });
      connection.flush();
    });
  }

  /** What to draw at `nowMs`; advances the interpolation clock. */
  frame(nowMs: number, view: FrameView = {}): ClientFrame<Body> {
    const interpolation = this.interpolation;
    interpolation.update(nowMs);
    const others: InterpolatedEntity[] = [];
    let ownEntity: InterpolatedEntity | undefined;
    for (const entity of interpolation.entities()) {
      if (entity.id === this.playerId) ownEntity = entity;
      else others.push(entity);
    }
    const ownRow = this.ownRow;
    const prediction = this.prediction;
    let own: Body | undefined;
    let ownPosition: Point = { x: Number.NaN, y: Number.NaN };
    if (prediction.enabled && prediction.hasState && ownRow !== undefined) {
      own = prediction.body;
      ownPosition = prediction.renderPosition(nowMs);
    } else if (ownEntity !== undefined) {
      // Prediction off: the own player is drawn in the past with everyone else.
      own = this.#game.prediction.fromRow(ownEntity.row, this.column);
      own.x = ownEntity.x;
      own.y = ownEntity.y;
      ownPosition = { x: ownEntity.x, y: ownEntity.y };
    }
    return {
      nowMs,
      others,
      own,
      ownPosition,
      ownRow,
      global: this.history.latest?.global ?? [],
      debug: view.debug ?? DEFAULT_DEBUG_SWITCHES,
      overlays: view.overlays ?? true,
    };
  }

  /** Stop using the connection: drop what the simulator holds and close. */
  close(): void {
    this.simulator.clear();
    this.connection.handlers.onSnapshot = undefined;
    this.connection.handlers.onEvent = undefined;
    this.connection.handlers.onPong = undefined;
    this.connection.close();
  }

  #applySnapshot(message: SnapshotMessage, atMs: number): void {
    let world;
    try {
      world = this.history.apply(message, atMs);
    } catch (error) {
      // The delta's baseline is gone (e.g. the simulator dropped snapshots for a long time):
      // acknowledging tick 0 makes the server send the next snapshot in full.
      if (error instanceof BaselineMissingError) this.#sender.requestFullSnapshot();
      else console.warn("Cannot apply snapshot:", error);
      return;
    }
    // Reordered (older than the newest): nothing to draw or reconcile from it.
    if (this.history.latest !== world) return;
    this.snapshotsApplied++;
    this.interpolation.push(world);
    const row = world.entities.get(this.playerId);
    if (row === undefined) return;
    const body = this.#game.prediction.fromRow(row, this.column);
    this.prediction.reconcile(body, world.lastInputSequence, atMs);
  }

  #applyEvent(event: EventMessage, atMs: number): void {
    if (event.type === "joined") this.names.set(event.actor, event.text);
    if (event.type === "left") this.names.delete(event.actor);
    this.events.push(event);
    if (this.events.length > KEPT_EVENTS) this.events.shift();
    this.#game.event?.(event, atMs, this);
  }
}
