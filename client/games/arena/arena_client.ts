import {
  ARENA,
  ARENA_COMMANDS,
  ARENA_INPUT,
  type ArenaInput,
  arenaInputValues,
  type ArenaPlayer,
  Buttons,
  ENTITY_KIND,
  sanitizeInput,
} from "../../../shared/game/arena/mod.ts";
import type { EventMessage } from "../../../shared/protocol/mod.ts";
import type { ClientFrame, ClientGame, GamePage, GameSession } from "../../sdk/mod.ts";
import { ARENA_PREDICTION } from "./arena_prediction.ts";
import { BeamShots, type BeamTarget } from "./beam_shots.ts";
import { ChatBox } from "./chat_box.ts";
import { type EntityColumns, entityColumns } from "./entity_columns.ts";
import { InputSampler } from "./input_sampler.ts";
import { CanvasView } from "./render/canvas_view.ts";
import type { ChatLine, KillNotice, Scene, SceneEntity, ScoreLine } from "./scene.ts";
import { scoreLines, serverPositions } from "./scene_rows.ts";

/** The arena's session, as the SDK runs it. */
export type ArenaSession = GameSession<ArenaInput, ArenaPlayer>;

/** How long a hit flash lasts, ms. */
const FLASH_MS = 200;
/** How long a kill stays in the feed, ms. */
const KILL_FEED_MS = 5000;
/** Chat lines and kills kept for the feeds. */
const CHAT_LINES = 6;
const KILL_LINES = 5;

/** A scene with nothing in it, drawn before the first join. */
export const EMPTY_SCENE: Scene = Object.freeze({
  entities: [],
  own: undefined,
  beams: [],
  serverPositions: [],
  scores: [],
  names: new Map(),
  kills: [],
  chat: [],
});

/** What the arena keeps from one connection's events and inputs; a new connection starts over. */
class ConnectionState {
  readonly session: ArenaSession;
  /** Where each arena field sits in a snapshot row. */
  readonly columns: EntityColumns;
  /** The picked colour's column, when the server sends it. */
  readonly hueColumn: number;
  /** Own beams drawn at once and confirmed by the server, and others' beams. */
  readonly beams = new BeamShots();
  readonly flashes: { targetId: number; serverTimeMs: number; receivedAtMs: number }[] = [];
  readonly kills: KillNotice[] = [];
  readonly chat: ChatLine[] = [];
  lastBeamSequence = Number.NEGATIVE_INFINITY;

  constructor(session: ArenaSession) {
    this.session = session;
    const fields = session.connection.welcome.entityFields;
    this.columns = entityColumns(fields);
    this.hueColumn = fields.indexOf("hue");
  }
}

/**
 * The arena's browser client for the SDK: WASD moves, the mouse aims, a click or space fires, a
 * right click or F fires the hit-scan beam (drawn at once, confirmed by the server's `beam`
 * event), Enter chats and C picks a colour. The own player is predicted with the shared
 * `movePlayer`; the renderer draws the world, the scoreboard, the minimap, the kill and chat
 * feeds and, when the net-debug overlay asks, the server's positions and the lag compensation
 * rings. The SDK does everything else.
 */
export class ArenaClient implements ClientGame<ArenaInput, ArenaPlayer> {
  readonly name = "arena";
  readonly input = ARENA_INPUT;
  readonly commands = ARENA_COMMANDS;
  readonly positionFields = { x: "x", y: "y", angle: "angle" };
  readonly controls = "WASD move · mouse aim · click/space fire · right click/F beam · " +
    "Enter chat · C colour";
  readonly prediction = ARENA_PREDICTION;
  readonly debugViews = ["serverPositions", "lagCompensation"] as const;
  #sampler: InputSampler | undefined;
  #view: CanvasView | undefined;
  #state: ConnectionState | undefined;
  #scene: Scene = EMPTY_SCENE;

  /** What the newest frame drew (the test hook reads it). */
  get scene(): Scene {
    return this.#scene;
  }

  /** The mouse aims relative to the canvas; Enter opens the chat line, C picks a colour. */
  mount(page: GamePage): void {
    this.#sampler = new InputSampler(page.canvas);
    this.#view = new CanvasView(page.canvas);
    new ChatBox(document.body, (name, args) => page.sendCommand(name, args));
  }

  /** Keys and mouse come from the sampler, which also latches presses shorter than a tick. */
  sampleInput(): ArenaInput {
    const sampled = this.#sampler?.sample(this.#view?.ownScreenPosition) ??
      { buttons: 0, aim: 0 };
    return sanitizeInput(sampled, sampled);
  }

  inputValues(input: ArenaInput): number[] {
    return arenaInputValues(input);
  }

  /**
   * Draw the own beam at once when this input fires it (held, alive, cooled down as the server
   * counts it), ending where the client draws the first target: the server's `beam` event later
   * confirms the hit.
   */
  inputSent(input: ArenaInput, tickTimeMs: number, session: ArenaSession): void {
    if ((input.buttons & Buttons.BEAM) === 0) return;
    const state = this.#stateOf(session);
    const sequence = session.lastSequence;
    // The server's cooldown counted in its ticks, one input each: 500 ms is 15 at 30 Hz.
    const cooldownInputs = Math.round(ARENA.beamCooldownMs / session.tickIntervalMs);
    if (sequence - state.lastBeamSequence < cooldownInputs) return;
    const columns = state.columns;
    const row = session.ownRow;
    if (row === undefined || row[columns.hp]! <= 0) return;
    state.lastBeamSequence = sequence;
    const origin = session.prediction.hasState
      ? session.prediction.position
      : { x: row[columns.x]!, y: row[columns.y]! };
    const targets: BeamTarget[] = [];
    for (const entity of session.interpolation.entities()) {
      const kind = entity.row[columns.kind];
      const alive = entity.row[columns.hp]! > 0;
      if (entity.id === session.playerId || kind === ENTITY_KIND.PROJECTILE || !alive) continue;
      const radius = kind === ENTITY_KIND.NPC ? ARENA.npcRadius : ARENA.playerRadius;
      targets.push({ id: entity.id, x: entity.x, y: entity.y, radius });
    }
    state.beams.fire(origin, input.aim, targets, tickTimeMs);
  }

  event(event: EventMessage, atMs: number, session: ArenaSession): void {
    const state = this.#stateOf(session);
    switch (event.type) {
      case "hit":
        state.flashes.push({
          targetId: event.target,
          serverTimeMs: event.tick * session.tickIntervalMs,
          receivedAtMs: atMs,
        });
        break;
      case "beam": {
        const own = event.actor === session.playerId;
        const shooter = own ? null : session.interpolation.sample(event.actor);
        state.beams.confirm(event, own, atMs, shooter ?? undefined);
        break;
      }
      case "chat":
        state.chat.push({ name: nameOf(state, event.actor), text: event.text, atMs });
        if (state.chat.length > CHAT_LINES) state.chat.shift();
        break;
      case "kill":
        state.kills.push({
          attacker: nameOf(state, event.actor),
          target: nameOf(state, event.target),
          atMs,
        });
        if (state.kills.length > KILL_LINES) state.kills.shift();
        break;
    }
  }

  render(
    ctx: CanvasRenderingContext2D,
    frame: ClientFrame<ArenaPlayer>,
    session: ArenaSession,
  ): void {
    this.#scene = this.#sceneOf(frame, this.#stateOf(session));
    const view = this.#view ?? (this.#view = new CanvasView(ctx.canvas));
    view.draw(this.#scene, {
      showServerPositions: frame.debug.showServerPositions,
      showLagCompensation: frame.debug.showLagCompensation,
      overlays: frame.overlays,
    });
  }

  #stateOf(session: ArenaSession): ConnectionState {
    if (this.#state?.session !== session) this.#state = new ConnectionState(session);
    return this.#state;
  }

  /** Everything one frame shows, from the SDK's frame and this connection's events. */
  #sceneOf(frame: ClientFrame<ArenaPlayer>, state: ConnectionState): Scene {
    const { session, columns, hueColumn } = state;
    const nowMs = frame.nowMs;
    const renderTimeMs = session.interpolation.renderTimeMs ?? 0;
    const flashes = state.flashes;
    while (flashes.length > 0 && flashes[0]!.receivedAtMs < nowMs - 1000) flashes.shift();
    while (state.kills.length > 0 && state.kills[0]!.atMs < nowMs - KILL_FEED_MS) {
      state.kills.shift();
    }
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
    const hueOf = (row: readonly number[]) => hueColumn < 0 ? 0 : row[hueColumn]!;
    const entities: SceneEntity[] = [];
    const projectiles: SceneEntity[] = [];
    for (const entity of frame.others) {
      const row = entity.row;
      const sceneEntity: SceneEntity = {
        id: entity.id,
        kind: row[columns.kind]!,
        x: entity.x,
        y: entity.y,
        angle: entity.angle,
        hp: row[columns.hp]!,
        score: row[columns.score]!,
        own: false,
        flash: flashOf(entity.id, false),
        hue: hueOf(row),
      };
      if (sceneEntity.kind === ENTITY_KIND.PROJECTILE) projectiles.push(sceneEntity);
      else entities.push(sceneEntity);
    }
    let own: SceneEntity | undefined;
    const body = frame.own;
    const ownRow = frame.ownRow;
    if (body !== undefined) {
      own = {
        id: session.playerId,
        kind: ENTITY_KIND.PLAYER,
        x: frame.ownPosition.x,
        y: frame.ownPosition.y,
        // Predicted, the aim is the newest input's, not a round trip old.
        angle: body.angle,
        hp: body.hp,
        score: ownRow === undefined ? 0 : ownRow[columns.score]!,
        own: true,
        flash: flashOf(session.playerId, true),
        hue: ownRow === undefined ? 0 : hueOf(ownRow),
      };
      entities.push(own);
    }
    entities.push(...projectiles);
    return {
      entities,
      own,
      beams: state.beams.views(nowMs),
      serverPositions: serverPositions(
        session.history.latest?.entities ?? new Map(),
        columns,
        session.playerId,
      ),
      scores: scores(state),
      names: session.names,
      kills: state.kills,
      chat: state.chat,
    };
  }
}

/** Every player in the room by score, best first (not only those in view). */
function scores(state: ConnectionState): ScoreLine[] {
  const { session, columns } = state;
  const latest = session.history.latest;
  if (latest === undefined) return [];
  if (latest.global !== null) return scoreLines(latest.global, session.playerId);
  // No global section (a server that sends none): the players in view.
  const lines: ScoreLine[] = [];
  for (const [id, row] of latest.entities) {
    if (row[columns.kind] !== ENTITY_KIND.PLAYER) continue;
    lines.push({ id, score: row[columns.score]!, own: id === session.playerId });
  }
  return lines.sort((a, b) => b.score - a.score || a.id - b.id);
}

function nameOf(state: ConnectionState, id: number): string {
  const name = state.session.names.get(id);
  if (name !== undefined) return name;
  const row = state.session.history.latest?.entities.get(id);
  return row?.[state.columns.kind] === ENTITY_KIND.PLAYER ? `player ${id}` : "NPC";
}
