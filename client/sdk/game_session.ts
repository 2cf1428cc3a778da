import { checkCommandArgs, type EventMessage, MessageKind } from "../../shared/protocol/mod.ts";
import type { GameConnection } from "../net/game_connection.ts";
import { NetSimulator } from "../net/net_simulator.ts";
import { InputSender } from "../net/input_sender.ts";
import { RttMeter } from "../net/rtt_meter.ts";
import { SnapshotHistory, type WorldSnapshot } from "../net/snapshot_history.ts";
import { InterpolationBuffer } from "../netcode/interpolation_buffer.ts";
import type { ClientFrame, ClientGame } from "./client_game.ts";
import { Prediction } from "./prediction.ts";

/** Events kept for the client module to show (chat, countdown, laps). */
const KEPT_EVENTS = 32;

/**
 * One joined connection of any game: applies snapshots (reconciling the own player's
 * prediction, feeding the interpolation of the others), keeps names and recent events, sends
 * each tick's input and commands, and builds each frame's {@linkcode ClientFrame}.
 */
export class GameSession<Input, Body extends { x: number; y: number }> {
  /** The connection; its handlers belong to this session. */
  readonly connection: GameConnection;
  /** Our player's entity id. */
  readonly playerId: number;
  /** One server tick, ms. */
  readonly tickIntervalMs: number;
  /** Recent snapshots, decoded. */
  readonly history: SnapshotHistory;
  /** Interpolation of everything but the own player. */
  readonly interpolation: InterpolationBuffer;
  /** The own player's prediction. */
  readonly prediction: Prediction<Input, Body>;
  /** Round trip from pings. */
  readonly rtt = new RttMeter();
  /** Player id → display name, from `joined` and `left` events. */
  readonly names = new Map<number, string>();
  /** The newest events, oldest first. */
  readonly events: EventMessage[] = [];
  /** Snapshots applied. */
  snapshotsApplied = 0;
  /** Predict the own player (off: it is drawn where the server last put it). */
  predictionEnabled = true;
  /** Blend the others between snapshots (off: they are drawn at the newest snapshot). */
  interpolationEnabled = true;
  /** Delays and drops this session's traffic when the developer asks for a worse network. */
  readonly simulator: NetSimulator;
  readonly #columns: { x: number; y: number; angle: number };
  readonly #game: ClientGame<Input, Body>;
  readonly #sender = new InputSender();
  #latest: WorldSnapshot | undefined;

  /**
   * @param connection a welcomed connection
   * @param game the game's client module
   * @param simulator the network simulator, shared across reconnects
   */
  constructor(
    connection: GameConnection,
    game: ClientGame<Input, Body>,
    simulator: NetSimulator = new NetSimulator(),
  ) {
    this.simulator = simulator;
    const welcome = connection.welcome;
    this.connection = connection;
    this.#game = game;
    this.playerId = welcome.playerId;
    this.tickIntervalMs = 1000 / welcome.tickRateHz;
    this.history = new SnapshotHistory(welcome);
    const column = (name: string) => {
      const index = welcome.entityFields.indexOf(name);
      if (index < 0) throw new RangeError(`Cannot interpolate: no column ${name}`);
      return index;
    };
    const { x, y, angle } = game.positionFields;
    this.#columns = { x: column(x), y: column(y), angle: column(angle) };
    this.interpolation = new InterpolationBuffer(
      this.#columns,
      this.tickIntervalMs,
      { snapshotIntervalMs: this.tickIntervalMs * welcome.snapshotEveryTicks },
    );
    this.prediction = new Prediction(game.prediction, this.tickIntervalMs);
    for (const event of connection.takeEarlyEvents()) this.#event(event);
    connection.handlers.onSnapshot = (snapshot, receivedAtMs) =>
      simulator.receive(true, receivedAtMs, (atMs) => {
        const world = this.history.apply(snapshot, atMs);
        this.#latest = world;
        this.snapshotsApplied++;
        this.interpolation.push(world);
        const own = world.entities.get(this.playerId);
        if (own !== undefined) this.prediction.reconcile(own, snapshot.lastInputSequence, atMs);
      });
    connection.handlers.onEvent = (event) =>
      simulator.receive(false, performance.now(), () => this.#event(event));
    connection.handlers.onPong = (pong, receivedAtMs) =>
      simulator.receive(false, receivedAtMs, (atMs) => this.rtt.sample(pong.clientTimeMs, atMs));
  }

  /** Sample-time work of one client tick: send the input (with the ack) and predict it. */
  sendInput(input: Input, tickTimeMs: number): void {
    const serverTimeMs = this.interpolation.serverTimeAt(tickTimeMs);
    const clientTick = serverTimeMs === undefined
      ? this.#latest?.tick ?? 0
      : serverTimeMs / this.tickIntervalMs;
    const messages = this.#sender.batch(
      this.#game.inputValues(input),
      clientTick,
      this.#latest?.tick ?? 0,
      this.interpolation.viewTicks(),
    );
    this.prediction.addInput(this.#sender.sequence, input);
    const connection = this.connection;
    this.simulator.send(true, () => {
      for (const message of messages) connection.queue(message);
      connection.flush();
    });
  }

  /**
   * Send command `name` now. Its arguments are checked against the game's declaration first, so
   * a mistake is a `CommandArgsError` here, not a closed connection.
   */
  sendCommand(name: string, args: (string | number | boolean)[]): void {
    const spec = this.#game.commands?.[name];
    if (spec === undefined) throw new RangeError(`Cannot send command ${name}: not declared`);
    checkCommandArgs(spec, args);
    this.connection.queue({ kind: MessageKind.COMMAND, name, args });
    this.connection.flush();
  }

  /** Ask for a pong (round trip). */
  ping(): void {
    this.connection.ping();
  }

  /** What to draw at `nowMs`. */
  frame(nowMs: number): ClientFrame<Body> {
    this.interpolation.update(nowMs);
    const { x, y, angle } = this.#columns;
    const drawn = this.interpolationEnabled
      ? this.interpolation.entities()
      : [...(this.#latest?.entities ?? new Map<number, readonly number[]>())].map(([id, row]) => ({
        id,
        x: row[x] ?? 0,
        y: row[y] ?? 0,
        angle: row[angle] ?? 0,
        row,
      }));
    const others = drawn.filter((entity) => entity.id !== this.playerId);
    const ownRow = this.#latest?.entities.get(this.playerId);
    const unpredicted = ownRow === undefined ? undefined : this.#game.prediction.fromRow(ownRow);
    const own = this.predictionEnabled ? this.prediction.body : unpredicted;
    return {
      nowMs,
      others,
      own,
      ownPosition: this.predictionEnabled
        ? this.prediction.renderPosition(nowMs)
        : { x: own?.x ?? 0, y: own?.y ?? 0 },
      global: this.history.latest?.global ?? [],
    };
  }

  #event(event: EventMessage): void {
    if (event.type === "joined") this.names.set(event.actor, event.text);
    if (event.type === "left") this.names.delete(event.actor);
    this.events.push(event);
    if (this.events.length > KEPT_EVENTS) this.events.shift();
  }
}
