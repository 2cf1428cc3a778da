/**
 * A deterministic simulated link for lag compensation tests: a real {@linkcode Room} running the
 * arena on a {@linkcode ManualClock}, a strafing target fed straight into the room, and a
 * headless shooter client built from the client's real parts (frame codec, `SnapshotHistory`,
 * `InterpolationBuffer`, `InputSender`, `NetSimulator` for delay, jitter and loss) that aims every
 * client tick at the target's rendered centre and holds the beam. No sockets: bytes cross the
 * link through the simulator's timers on the same clock.
 */
import { InputSender } from "../../client/net/input_sender.ts";
import { NetSimulator } from "../../client/net/net_simulator.ts";
import { SnapshotHistory } from "../../client/net/snapshot_history.ts";
import { entityColumns } from "../../client/games/arena/entity_columns.ts";
import { InterpolationBuffer } from "../../client/netcode/interpolation_buffer.ts";
import { createArenaGame } from "../../server/games/arena.ts";
import type { Game, GameEvent, PlayerInput, Rewind } from "../../server/rooms/game.ts";
import { type QueueInputResult, Room, type RoomClient } from "../../server/rooms/room.ts";
import { ManualClock } from "../../server/tick/clock.ts";
import { ARENA, ARENA_INPUT, type ArenaState, Buttons } from "../../shared/game/arena/mod.ts";
import {
  ClientFrames,
  FrameDecoder,
  FrameEncoder,
  MessageKind,
  VIEW_ALPHA_STEPS,
} from "../../shared/protocol/mod.ts";
import { seededRandom } from "./seeded_random.ts";

/** The link and the run. */
export interface LagLinkOptions {
  /** One-way delay, ms (each direction). */
  oneWayMs: number;
  /**
   * One-way jitter: each message takes `oneWayMs ± jitterMs` (a WebSocket keeps order).
   * @default 0
   */
  jitterMs?: number;
  /**
   * Share of the shooter's inputs and snapshots lost, 0..100.
   * @default 0
   */
  lossPercent?: number;
  /** Whether the server judges the beam where the shooter saw the target. */
  compensate: boolean;
  /** Beams to fire before the run stops. */
  shots: number;
  /**
   * Seed of the jitter, loss and strafing.
   * @default 18
   */
  seed?: number;
}

/** One beam as both ends saw it. */
export interface Shot {
  /** Whether the server judged it a hit on the target. */
  hit: boolean;
  /** Where the shooter's client drew the target when it sampled the input. */
  seenX: number;
  seenY: number;
  /** Where the server placed the target when judging (its rewind, or the present). */
  judgedX: number;
  judgedY: number;
  /** How far back the server looked, ms. */
  rewindMs: number;
}

/** A running simulation; {@linkcode runShots} drives it. */
export interface LagLink {
  clock: ManualClock;
  room: Room<ArenaState>;
  shooterId: number;
  targetId: number;
  shots: Shot[];
  /** What the room said to each of the shooter's inputs. */
  verdicts: Map<QueueInputResult, number>;
  /** Send one beam input from the shooter with a view of its own choosing (a forger). */
  sendForged(viewTick: number, aim: number): QueueInputResult;
  /** Whether the shooter's client holds the beam on its ticks (on at the start). */
  holdBeam(hold: boolean): void;
  /** Make the target move one way only (no strafing), so where it was at a time is unambiguous. */
  steadyTarget(): void;
  /** Where the target was in the snapshot of `tick` (the last 64 ticks). */
  targetAt(tick: number): { x: number; y: number } | undefined;
  /** The shooter's position. */
  readonly shooterX: number;
  readonly shooterY: number;
}

const TICK_MS = 1000 / 30;
/**
 * Where the shooter stands: 450 units square to the diagonal the target strafes along through
 * (1000, TARGET_Y), so the target crosses its line of sight (at most 840 units away).
 */
const SHOOTER_X = 1318, SHOOTER_Y = 1218, TARGET_Y = 900, STRAFE_MIN_X = 500, STRAFE_MAX_X = 1500;

/** Build the room, the target and the shooter's client, joined and ticking. */
export function openLagLink(options: LagLinkOptions): LagLink {
  const random = seededRandom(options.seed ?? 18);
  const clock = new ManualClock(0);
  const arena = createArenaGame({
    npcCount: 0,
    interestManagement: false,
    lagCompensation: options.compensate,
  });
  const shots: Shot[] = [];
  const seenBySequence = new Map<number, { x: number; y: number }>();
  const targetTrack = new Map<number, { x: number; y: number }>();
  let shooterId = 0, targetId = 0;
  // The arena with two test hooks: each beam is recorded with what the shooter saw for that
  // input, and the target never dies (a respawn would teleport it).
  const game: Game<ArenaState, "buttons" | "aim"> = {
    ...arena,
    applyInput(
      state: ArenaState,
      playerId: number,
      input: PlayerInput<"buttons" | "aim">,
      dtMs: number,
      events: GameEvent[],
      rewind: Rewind | undefined,
    ) {
      const before = events.length;
      arena.applyInput(state, playerId, input, dtMs, events, rewind);
      for (let index = before; index < events.length; index++) {
        const event = events[index];
        if (event?.type !== "beam" || playerId !== shooterId) continue;
        const [, x, y] = event.text.split(" ").map(Number);
        const seen = seenBySequence.get(liveRoom.lastInputSequence(shooterId));
        shots.push({
          hit: event.target === targetId,
          seenX: seen?.x ?? Number.NaN,
          seenY: seen?.y ?? Number.NaN,
          judgedX: x ?? Number.NaN,
          judgedY: y ?? Number.NaN,
          rewindMs: event.value,
        });
      }
    },
    step(state: ArenaState, dtMs: number, events: GameEvent[]) {
      arena.step(state, dtMs, events);
      const target = state.players.get(targetId);
      if (target === undefined) return;
      target.hp = ARENA.maxHp;
      // The step ends tick `room.tick + 1`: where the target is in that tick's snapshot.
      const tick = liveRoom.tick + 1;
      targetTrack.set(tick, { x: target.x, y: target.y });
      targetTrack.delete(tick - 64);
    },
  };

  // The hooks above name the room: they only run once it ticks.
  const liveRoom = new Room<ArenaState>("lag-1", game, { clock, tickRateHz: 30 });

  // The shooter's client, from the client's own parts.
  const simulator = new NetSimulator({
    clock: () => clock.now(),
    random,
    schedule: (callback, delayMs) => {
      const handle = clock.setTimer(callback, delayMs);
      return () => clock.clearTimer(handle);
    },
  });
  const jitterMs = options.jitterMs ?? 0;
  simulator.conditions = {
    latencyMs: options.oneWayMs - jitterMs,
    jitterMs: 2 * jitterMs,
    lossPercent: options.lossPercent ?? 0,
  };
  const decoder = new FrameDecoder();
  const serverDecoder = new FrameDecoder();
  serverDecoder.inputLayout = ARENA_INPUT;
  const frames = new ClientFrames();
  const encoder = new FrameEncoder(256, ARENA_INPUT);
  const sender = new InputSender();
  const verdicts = new Map<QueueInputResult, number>();
  let beamButton: number = Buttons.BEAM;
  let history: SnapshotHistory | undefined;
  let interpolation: InterpolationBuffer | undefined;

  // The target: its inputs go straight into the room, one per tick, strafing at full speed.
  const silent: RoomClient = { send() {}, queuedBytes: () => 0, close() {} };
  const targetJoin = liveRoom.join(silent, "target");
  const shooterJoin = liveRoom.join(shooterClient(), "shooter");
  if (!targetJoin.ok || !shooterJoin.ok) throw new Error("Cannot seat the lag link's players");
  targetId = targetJoin.playerId;
  shooterId = shooterJoin.playerId;
  const state = liveRoom.state;
  const target = state.players.get(targetId), shooter = state.players.get(shooterId);
  if (target === undefined || shooter === undefined) throw new Error("Players missing");
  Object.assign(shooter, { x: SHOOTER_X, y: SHOOTER_Y });
  Object.assign(target, { x: (STRAFE_MIN_X + STRAFE_MAX_X) / 2, y: TARGET_Y });
  // Diagonal, so a rewind that forgot a dimension would show.
  const RIGHT_UP = Buttons.RIGHT | Buttons.UP, LEFT_DOWN = Buttons.LEFT | Buttons.DOWN;
  let direction = RIGHT_UP, turnInMs = 500, targetSequence = 0, steady = false;
  const moveTarget = () => {
    turnInMs -= TICK_MS;
    const x = target.x;
    if (!steady && (turnInMs <= 0 || x > STRAFE_MAX_X || x < STRAFE_MIN_X)) {
      direction = x > STRAFE_MAX_X
        ? LEFT_DOWN
        : x < STRAFE_MIN_X
        ? RIGHT_UP
        : direction === RIGHT_UP
        ? LEFT_DOWN
        : RIGHT_UP;
      turnInMs = 300 + random() * 900;
    }
    liveRoom.queueInput(targetId, ++targetSequence, 0, [steady ? RIGHT_UP : direction, 0]);
    clock.setTimer(moveTarget, TICK_MS);
  };
  clock.setTimer(moveTarget, 3);

  function shooterClient(): RoomClient {
    return {
      send(bytes) {
        const copy = bytes.slice();
        const lossy = decoder.decodeServerBatch(copy).some((message) =>
          message.kind === MessageKind.SNAPSHOT
        );
        simulator.receive(lossy, clock.now(), (atMs) => receive(copy, atMs));
      },
      queuedBytes: () => 0,
      close() {},
    };
  }

  function receive(bytes: Uint8Array, atMs: number): void {
    for (const message of decoder.decodeServerBatch(bytes)) {
      if (message.kind === MessageKind.WELCOME) {
        history = new SnapshotHistory(message);
        interpolation = new InterpolationBuffer(entityColumns(message.entityFields), TICK_MS);
      } else if (message.kind === MessageKind.SNAPSHOT && history && interpolation) {
        const world = history.apply(message, atMs);
        if (history.latest === world) interpolation.push(world);
      }
    }
  }

  /**
   * What the server's connection does with a batch: decode it, queue inputs, note acks. Returns
   * the room's verdict on the last input.
   */
  function deliver(bytes: Uint8Array): QueueInputResult {
    let last: QueueInputResult = "queued";
    serverDecoder.decodeClientFrames(bytes, frames);
    for (let index = 0; index < frames.count; index++) {
      if (frames.kinds[index] === MessageKind.INPUT) {
        const verdict = liveRoom.queueInput(
          shooterId,
          frames.inputSequence(index),
          frames.inputViewTick(index) + frames.inputViewAlpha(index) / VIEW_ALPHA_STEPS,
          frames.fields,
          frames.inputValuesAt(index),
        );
        verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
        last = verdict;
      } else if (frames.kinds[index] === MessageKind.ACK) {
        liveRoom.acknowledge(shooterId, frames.ackTick(index));
      }
    }
    return last;
  }

  function send(messages: ReturnType<InputSender["batch"]>): void {
    for (const message of messages) encoder.add(message);
    const bytes = encoder.finish();
    simulator.send(true, () => deliver(bytes));
  }

  // Each client tick: draw (advance the interpolation), aim at the drawn target, hold the beam.
  const clientTick = () => {
    clock.setTimer(clientTick, TICK_MS);
    if (history === undefined || interpolation === undefined) return;
    interpolation.update(clock.now());
    const seen = interpolation.sample(targetId);
    if (seen === null) return;
    const aim = Math.atan2(seen.y - SHOOTER_Y, seen.x - SHOOTER_X);
    const newest = history.latest?.tick ?? 0;
    const messages = sender.batch(
      [beamButton, aim],
      newest,
      newest,
      interpolation.viewTicks(),
    );
    seenBySequence.set(sender.sequence, { x: seen.x, y: seen.y });
    seenBySequence.delete(sender.sequence - 64);
    send(messages);
  };
  clock.setTimer(clientTick, 11);
  liveRoom.start();

  return {
    clock,
    room: liveRoom,
    shooterId,
    targetId,
    shots,
    verdicts,
    sendForged(viewTick: number, aim: number): QueueInputResult {
      // Through the real codec, delivered at once (as if the link were instant for it).
      const [input] = sender.batch([Buttons.BEAM, aim], viewTick, 0, viewTick);
      if (input === undefined) throw new Error("No input built");
      encoder.add(input);
      return deliver(encoder.finish());
    },
    holdBeam(hold: boolean) {
      beamButton = hold ? Buttons.BEAM : 0;
    },
    steadyTarget() {
      steady = true;
    },
    targetAt: (tick) => targetTrack.get(tick),
    shooterX: SHOOTER_X,
    shooterY: SHOOTER_Y,
  };
}

/** Advance the simulation until `count` beams have been judged (or a time limit passes). */
export function runShots(link: LagLink, count: number): Shot[] {
  const start = link.shots.length;
  // A beam every 500 ms: twice the needed time is plenty, and bounds a broken run.
  const limitMs = link.clock.now() + count * ARENA.beamCooldownMs * 2 + 5000;
  while (link.shots.length - start < count && link.clock.now() < limitMs) {
    link.clock.advance(TICK_MS);
  }
  return link.shots.slice(start, start + count);
}
