import { ARENA, type ArenaInput, Buttons, ENTITY_KIND } from "../../shared/game/arena/mod.ts";
import {
  type EventMessage,
  MessageKind,
  type PongMessage,
  type SnapshotMessage,
} from "../../shared/protocol/mod.ts";
import type { GameConnection } from "../net/game_connection.ts";
import { InputSender } from "../net/input_sender.ts";
import type { NetSimulator } from "../net/net_simulator.ts";
import { RttMeter } from "../net/rtt_meter.ts";
import { BaselineMissingError, SnapshotHistory } from "../net/snapshot_history.ts";
import { type EntityColumns, entityColumns } from "../netcode/entity_columns.ts";
import { InterpolationBuffer } from "../netcode/interpolation_buffer.ts";
import { OwnPlayerPrediction } from "../netcode/prediction.ts";
import { BeamShots, type BeamTarget } from "./beam_shots.ts";
import type { KillNotice, Scene, SceneEntity, ScoreLine } from "./scene.ts";

/** Settings of an {@linkcode ArenaSession}. */
export interface ArenaSessionOptions {
  /** Our display name, until the server's `joined` event says otherwise. */
  name: string;
  /** Delays and drops traffic when the developer asks for a worse network. */
  simulator: NetSimulator;
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

/** How long a hit flash lasts, ms. */
const FLASH_MS = 200;
/** How long a kill stays in the feed, ms. */
const KILL_FEED_MS = 5000;

/**
 * One joined connection of the arena client: applies snapshots (reconciling the own player's
 * prediction and feeding the interpolation buffer), keeps names, hit flashes and kills from the
 * events, sends each client tick's input, and builds the {@linkcode Scene} each frame draws.
 * A reconnect makes a new session; only a resumed seat's input count carries over.
 */
export class ArenaSession {
  /** The connection; its handlers belong to this session. */
  readonly connection: GameConnection;
  /** Our player's entity id. */
  readonly playerId: number;
  /** Room we are in. */
  readonly roomId: string;
  /** One server tick, ms. */
  readonly tickIntervalMs: number;
  /** Where each field sits in a snapshot row. */
  readonly columns: EntityColumns;
  /** Recent snapshots, decoded. */
  readonly history: SnapshotHistory;
  /** The own player's prediction and reconciliation. */
  readonly prediction: OwnPlayerPrediction;
  /** Interpolation of everything else. */
  readonly interpolation: InterpolationBuffer;
  /** Round-trip time from pings. */
  readonly rtt = new RttMeter();
  /** Player id → display name, from the `joined` and `left` events. */
  readonly names = new Map<number, string>();
  /** Snapshots applied so far (not counting reordered or dropped ones). */
  snapshotsApplied = 0;
  /** Own beams drawn at once and confirmed by the server, and others' beams. */
  readonly beams = new BeamShots();
  #lastBeamSequence = Number.NEGATIVE_INFINITY;
  readonly #simulator: NetSimulator;
  readonly #clock: () => number;
  readonly #sender: InputSender;
  readonly #flashes: { targetId: number; serverTimeMs: number; receivedAtMs: number }[] = [];
  readonly #kills: KillNotice[] = [];
  #aim = 0;

  /** @param connection a welcomed connection of the arena game; @param options name, simulator */
  constructor(connection: GameConnection, options: ArenaSessionOptions) {
    const welcome = connection.welcome;
    this.connection = connection;
    this.playerId = welcome.playerId;
    this.roomId = welcome.roomId;
    this.tickIntervalMs = 1000 / welcome.tickRateHz;
    this.columns = entityColumns(welcome.entityFields);
    this.history = new SnapshotHistory(welcome);
    this.prediction = new OwnPlayerPrediction(this.tickIntervalMs);
    this.interpolation = new InterpolationBuffer(this.columns, this.tickIntervalMs, {
      snapshotIntervalMs: this.tickIntervalMs * welcome.snapshotEveryTicks,
    });
    this.#sender = new InputSender(options.lastSequence ?? 0);
    this.#simulator = options.simulator;
    this.#clock = options.clock ?? (() => performance.now());
    this.names.set(this.playerId, options.name);
    for (const event of connection.takeEarlyEvents()) this.#applyEvent(event, this.#clock());
    const simulator = this.#simulator;
    connection.handlers.onSnapshot = (snapshot, receivedAtMs) =>
      simulator.receive(true, receivedAtMs, (atMs) => this.#applySnapshot(snapshot, atMs));
    connection.handlers.onEvent = (event) =>
      simulator.receive(false, this.#clock(), (atMs) => this.#applyEvent(event, atMs));
    connection.handlers.onPong = (pong, receivedAtMs) =>
      simulator.receive(false, receivedAtMs, (atMs) => this.#applyPong(pong, atMs));
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
  sendInput(input: ArenaInput, tickTimeMs: number): void {
    const serverTimeMs = this.interpolation.serverTimeAt(tickTimeMs);
    const clientTick = serverTimeMs === undefined
      ? this.serverTick
      : serverTimeMs / this.tickIntervalMs;
    const messages = this.#sender.batch(
      input,
      clientTick,
      this.history.latest?.tick ?? 0,
      this.interpolation.viewTicks(),
    );
    this.prediction.addInput(this.#sender.sequence, input, tickTimeMs);
    this.#aim = input.aim;
    this.#predictBeam(input, tickTimeMs);
    const connection = this.connection;
    this.#simulator.send(true, () => {
      for (const message of messages) connection.queue(message);
      connection.flush();
    });
  }

  /**
   * Draw the own beam at once when this input fires it (held, alive, cooled down as the server
   * counts it), ending where the client draws the first target: the server's `beam` event later
   * confirms the hit.
   */
  #predictBeam(input: ArenaInput, nowMs: number): void {
    const sequence = this.#sender.sequence;
    if ((input.buttons & Buttons.BEAM) === 0) return;
    // The server's cooldown counted in its ticks, one input each: 500 ms is 15 at 30 Hz.
    const cooldownInputs = Math.round(ARENA.beamCooldownMs / this.tickIntervalMs);
    if (sequence - this.#lastBeamSequence < cooldownInputs) return;
    const row = this.ownRow;
    if (row === undefined || (row[this.columns.hp] ?? 0) <= 0) return;
    this.#lastBeamSequence = sequence;
    const origin = this.prediction.hasState
      ? this.prediction.position
      : { x: row[this.columns.x] ?? 0, y: row[this.columns.y] ?? 0 };
    const targets: BeamTarget[] = [];
    for (const entity of this.interpolation.entities()) {
      const kind = entity.row[this.columns.kind];
      const alive = (entity.row[this.columns.hp] ?? 0) > 0;
      if (entity.id === this.playerId || kind === ENTITY_KIND.PROJECTILE || !alive) continue;
      const radius = kind === ENTITY_KIND.NPC ? ARENA.npcRadius : ARENA.playerRadius;
      targets.push({ id: entity.id, x: entity.x, y: entity.y, radius });
    }
    this.beams.fire(origin, input.aim, targets, nowMs);
  }

  /** Send a ping stamped now; its pong updates {@linkcode ArenaSession.rtt}. */
  ping(): void {
    const sentAtMs = this.#clock();
    const connection = this.connection;
    this.#simulator.send(false, () => {
      connection.queue({ kind: MessageKind.PING, clientTimeMs: sentAtMs });
      connection.flush();
    });
  }

  /** Everything to draw at `nowMs`; advances the interpolation clock. */
  scene(nowMs: number): Scene {
    const interpolation = this.interpolation;
    const columns = this.columns;
    interpolation.update(nowMs);
    const renderTimeMs = interpolation.renderTimeMs ?? 0;
    const flashes = this.#flashes;
    while ((flashes[0]?.receivedAtMs ?? nowMs) < nowMs - 1000) flashes.shift();
    while ((this.#kills[0]?.atMs ?? nowMs) < nowMs - KILL_FEED_MS) this.#kills.shift();
    const flashOf = (id: number, own: boolean): number => {
      let strength = 0;
      for (const flash of flashes) {
        if (flash.targetId !== id) continue;
        // Remote entities are drawn in the past, so their flash waits for the render time to
        // reach the hit; our own player is drawn in the present.
        const elapsed = own ? nowMs - flash.receivedAtMs : renderTimeMs - flash.serverTimeMs;
        if (elapsed >= 0 && elapsed < FLASH_MS) {
          strength = Math.max(strength, 1 - elapsed / FLASH_MS);
        }
      }
      return strength;
    };
    const entities: SceneEntity[] = [];
    const projectiles: SceneEntity[] = [];
    let own: SceneEntity | undefined;
    for (const entity of interpolation.entities()) {
      const row = entity.row;
      const isOwn = entity.id === this.playerId;
      if (isOwn && this.prediction.enabled) continue;
      const sceneEntity: SceneEntity = {
        id: entity.id,
        kind: row[columns.kind] ?? ENTITY_KIND.NPC,
        x: entity.x,
        y: entity.y,
        angle: entity.angle,
        hp: row[columns.hp] ?? 0,
        score: row[columns.score] ?? 0,
        own: isOwn,
        flash: flashOf(entity.id, isOwn),
      };
      if (isOwn) own = sceneEntity;
      else if (sceneEntity.kind === ENTITY_KIND.PROJECTILE) projectiles.push(sceneEntity);
      else entities.push(sceneEntity);
    }
    const ownRow = this.ownRow;
    if (this.prediction.enabled && this.prediction.hasState && ownRow !== undefined) {
      const position = this.prediction.renderPosition(nowMs);
      const hp = ownRow[columns.hp] ?? 0;
      own = {
        id: this.playerId,
        kind: ENTITY_KIND.PLAYER,
        x: position.x,
        y: position.y,
        // Our aim is known now, not a round trip from now.
        angle: hp > 0 ? this.#aim : ownRow[columns.angle] ?? 0,
        hp,
        score: ownRow[columns.score] ?? 0,
        own: true,
        flash: flashOf(this.playerId, true),
      };
    }
    if (own !== undefined) entities.push(own);
    entities.push(...projectiles);
    return {
      entities,
      own,
      beams: this.beams.views(nowMs),
      serverPositions: this.#serverPositions(),
      scores: this.#scores(),
      names: this.names,
      kills: this.#kills,
    };
  }

  /** Stop using the connection: drop what the simulator holds and close. */
  close(): void {
    this.#simulator.clear();
    this.connection.handlers.onSnapshot = undefined;
    this.connection.handlers.onEvent = undefined;
    this.connection.handlers.onPong = undefined;
    this.connection.close();
  }

  #scores(): ScoreLine[] {
    const latest = this.history.latest;
    const lines: ScoreLine[] = [];
    if (latest === undefined) return lines;
    const global = latest.global;
    if (global !== null) {
      // The arena's global section: [playerId, score, …] for every player in the room.
      for (let index = 0; index + 1 < global.length; index += 2) {
        const id = global[index] ?? 0;
        lines.push({ id, score: global[index + 1] ?? 0, own: id === this.playerId });
      }
    } else {
      const columns = this.columns;
      for (const [id, row] of latest.entities) {
        if (row[columns.kind] !== ENTITY_KIND.PLAYER) continue;
        lines.push({ id, score: row[columns.score] ?? 0, own: id === this.playerId });
      }
    }
    return lines.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  #serverPositions(): SceneEntity[] {
    const latest = this.history.latest;
    const result: SceneEntity[] = [];
    if (latest === undefined) return result;
    const columns = this.columns;
    for (const [id, row] of latest.entities) {
      const kind = row[columns.kind] ?? ENTITY_KIND.NPC;
      if (kind === ENTITY_KIND.PROJECTILE) continue;
      result.push({
        id,
        kind,
        x: row[columns.x] ?? 0,
        y: row[columns.y] ?? 0,
        angle: row[columns.angle] ?? 0,
        hp: row[columns.hp] ?? 0,
        score: row[columns.score] ?? 0,
        own: id === this.playerId,
        flash: 0,
      });
    }
    return result;
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
    const columns = this.columns;
    this.prediction.reconcile(
      {
        x: row[columns.x] ?? 0,
        y: row[columns.y] ?? 0,
        angle: row[columns.angle] ?? 0,
        hp: row[columns.hp] ?? ARENA.maxHp,
      },
      world.lastInputSequence,
      atMs,
    );
  }

  #applyEvent(event: EventMessage, atMs: number): void {
    switch (event.type) {
      case "joined":
        this.names.set(event.actor, event.text);
        break;
      case "left":
        this.names.delete(event.actor);
        break;
      case "hit":
        this.#flashes.push({
          targetId: event.target,
          serverTimeMs: event.tick * this.tickIntervalMs,
          receivedAtMs: atMs,
        });
        break;
      case "beam": {
        const own = event.actor === this.playerId;
        const shooter = own ? null : this.interpolation.sample(event.actor);
        this.beams.confirm(event, own, atMs, shooter ?? undefined);
        break;
      }
      case "kill":
        this.#kills.push({
          attacker: this.#nameOf(event.actor),
          target: this.#nameOf(event.target),
          atMs,
        });
        if (this.#kills.length > 5) this.#kills.shift();
        break;
    }
  }

  #applyPong(pong: PongMessage, atMs: number): void {
    this.rtt.sample(pong.clientTimeMs, atMs);
  }

  #nameOf(id: number): string {
    const name = this.names.get(id);
    if (name !== undefined) return name;
    const row = this.history.latest?.entities.get(id);
    return row?.[this.columns.kind] === ENTITY_KIND.PLAYER ? `player ${id}` : "NPC";
  }
}
