import { ENTITY_KIND } from "../../shared/game/arena/mod.ts";
import type { Scene, SceneEntity } from "../games/arena/scene.ts";
import { scoreLines, serverPositions } from "../games/arena/scene_rows.ts";
import { CanvasView } from "../games/arena/render/canvas_view.ts";
import { DebugOverlay } from "../ui/debug_overlay.ts";
import { replayGameFor } from "./replay_games.ts";
import { REPLAY_SPEEDS, type ReplayFrame, ReplayPlayer } from "./replay_player.ts";

/** The page elements the replay viewer uses. */
export interface ReplayElements {
  canvas: HTMLCanvasElement;
  /** Text panel: room, tick, time, players. */
  info: HTMLElement;
  /** The net-debug overlay's panel. */
  debug: HTMLElement;
  /** Where the controls go: file, play/pause, speed, timeline, follow. */
  controls: HTMLElement;
}

/** One entity the newest frame drew, world units (the test hook's view). */
export interface DrawnEntity {
  id: number;
  kind: number;
  x: number;
  y: number;
}

/**
 * The `/replay` page: lists the server's recordings, loads one, and plays it with the game's
 * normal renderer and interpolation, with play/pause, speed, a timeline to seek on, a player to
 * follow and the net-debug overlay (F3).
 */
export class ReplayApp {
  readonly #view: CanvasView;
  readonly #info: HTMLElement;
  readonly #overlay: DebugOverlay;
  readonly #files = document.createElement("select");
  readonly #playButton = document.createElement("button");
  readonly #speed = document.createElement("select");
  readonly #timeline = document.createElement("input");
  readonly #tickLabel = document.createElement("span");
  readonly #follow = document.createElement("select");
  #player: ReplayPlayer | undefined;
  #followId = 0;
  #lastFrameMs = 0;
  #drawn: DrawnEntity[] = [];
  #status = "Loading the list of recordings…";
  #loadMs = 0;

  /** @param elements where to draw and put the controls */
  constructor(elements: ReplayElements) {
    this.#view = new CanvasView(elements.canvas);
    this.#info = elements.info;
    // The recording's own positions can be outlined; it has no beams to judge.
    this.#overlay = new DebugOverlay(elements.debug, (switches) => {
      if (this.#player !== undefined) this.#player.interpolation.enabled = switches.interpolation;
    }, ["serverPositions"]);
    this.#playButton.textContent = "Play";
    this.#playButton.addEventListener("click", () => this.toggle());
    for (const speed of REPLAY_SPEEDS) this.#speed.append(new Option(`${speed}×`, String(speed)));
    this.#speed.value = "1";
    this.#speed.addEventListener("change", () => this.setSpeed(Number(this.#speed.value)));
    this.#timeline.type = "range";
    this.#timeline.min = "0";
    this.#timeline.addEventListener("input", () => this.seek(Number(this.#timeline.value)));
    this.#follow.addEventListener("change", () => this.#followId = Number(this.#follow.value));
    this.#files.addEventListener("change", () => this.open(this.#files.value));
    elements.controls.replaceChildren(
      this.#files,
      this.#playButton,
      this.#speed,
      this.#timeline,
      this.#tickLabel,
      this.#follow,
    );
    globalThis.addEventListener("keydown", (event) => {
      if (event.code === "Space") {
        event.preventDefault();
        this.toggle();
      }
    });
  }

  /** The loaded player, once a recording is open. */
  get player(): ReplayPlayer | undefined {
    return this.#player;
  }

  /** What the newest frame drew. */
  get drawn(): readonly DrawnEntity[] {
    return this.#drawn;
  }

  /** A line saying what the page is doing (loading, an error). */
  get status(): string {
    return this.#status;
  }

  /** How long loading the open recording took (fetch and decode), ms. */
  get loadMs(): number {
    return this.#loadMs;
  }

  /** List the recordings, open `name` (or the newest) and start drawing. */
  async start(name: string | null): Promise<void> {
    const frame = (nowMs: number) => {
      this.#frame(nowMs);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const response = await fetch("/replays.json");
    if (!response.ok) {
      this.#status =
        `Cannot list recordings: ${response.status} (is the server run with --record?)`;
      return;
    }
    const { recordings } = await response.json() as { recordings: { name: string }[] };
    this.#files.replaceChildren(...recordings.map(({ name }) => new Option(name, name)));
    const chosen = name ?? recordings.at(-1)?.name;
    if (chosen === undefined) {
      this.#status = "No recordings yet: start the server with --record DIR and play a match";
      return;
    }
    await this.open(chosen);
  }

  /** Fetch and load recording `name`. */
  async open(name: string): Promise<void> {
    this.#status = `Loading ${name}…`;
    this.#files.value = name;
    const startedMs = performance.now();
    try {
      const response = await fetch(`/replays/file?name=${encodeURIComponent(name)}`);
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const player = await ReplayPlayer.load(bytes, replayGameFor);
      player.interpolation.enabled = this.#overlay.switches.interpolation;
      this.#player = player;
      this.#timeline.max = String(player.lastTick);
      this.#loadMs = performance.now() - startedMs;
      this.#status = "";
    } catch (error) {
      this.#status = `Cannot play ${name}: ${error instanceof Error ? error.message : error}`;
    }
  }

  /** Play or pause. */
  toggle(): void {
    const player = this.#player;
    if (player === undefined) return;
    if (player.playing) player.pause();
    else player.play();
  }

  /** Show `tick` (nearest keyframe, then forward); returns the time it took, ms. */
  seek(tick: number): number {
    return this.#player?.seek(tick) ?? 0;
  }

  /** Set the playback speed (0.25 to 4). */
  setSpeed(speed: number): void {
    const player = this.#player;
    if (player === undefined) return;
    player.speed = Math.min(4, Math.max(0.25, speed));
    this.#speed.value = String(player.speed);
  }

  /** Follow player `id` with the camera (0: the whole arena). */
  follow(id: number): void {
    this.#followId = id;
    this.#follow.value = String(id);
  }

  #frame(nowMs: number): void {
    const elapsedMs = this.#lastFrameMs === 0 ? 0 : Math.min(250, nowMs - this.#lastFrameMs);
    this.#lastFrameMs = nowMs;
    const player = this.#player;
    if (player === undefined) {
      this.#info.textContent = this.#status;
      return;
    }
    player.advance(elapsedMs);
    const scene = this.#scene(player);
    this.#view.draw(scene, { showServerPositions: this.#overlay.switches.showServerPositions });
    this.#drawn = scene.entities.map(({ id, kind, x, y }) => ({ id, kind, x, y }));
    this.#playButton.textContent = player.playing ? "Pause" : "Play";
    if (document.activeElement !== this.#timeline) this.#timeline.value = String(player.tick);
    this.#tickLabel.textContent = ` tick ${player.tick} / ${player.lastTick} `;
    this.#updateFollowList(player.frame);
    const seconds = player.tick * player.tickIntervalMs / 1000;
    const header = player.recording.header;
    this.#info.textContent = [
      `${header.roomId} · ${header.game} v${header.gameVersion} · ${seconds.toFixed(1)} s`,
      `${scene.scores.length} players · ${player.playing ? `${player.speed}×` : "paused"}`,
      player.crash === null ? "" : `crashed at the end: ${player.crash.split("\n")[0]}`,
      this.#status,
    ].filter((line) => line !== "").join("\n");
    const interpolation = player.interpolation;
    this.#overlay.showStats([
      `tick shown        ${player.tick} of ${player.lastTick}`,
      `tick simulated    ${player.newest.tick}`,
      `hash mismatches   ${player.hashMismatches}`,
      `interp delay      ${interpolation.delayMs.toFixed(0)} ms`,
      `extrapolating     ${interpolation.extrapolatingMs.toFixed(0)} ms`,
      `snapshots kept    ${interpolation.length}`,
      `last seek         ${player.lastSeekMs.toFixed(1)} ms`,
      `load              ${this.#loadMs.toFixed(0)} ms, ${player.recording.fileBytes} bytes`,
      `keyframes         ${player.recording.keyframes.length}${
        player.recording.indexRebuilt ? " (index rebuilt)" : ""
      }`,
    ]);
  }

  /** The scene: interpolated while playing, the shown tick's rows exactly while paused. */
  #scene(player: ReplayPlayer): Scene {
    const columns = player.columns;
    const frame = player.frame;
    const entities: SceneEntity[] = [];
    const projectiles: SceneEntity[] = [];
    let own: SceneEntity | undefined;
    const add = (id: number, x: number, y: number, angle: number, row: readonly number[]) => {
      const entity: SceneEntity = {
        id,
        kind: row[columns.kind] ?? ENTITY_KIND.NPC,
        x,
        y,
        angle,
        hp: row[columns.hp]!,
        score: row[columns.score]!,
        own: id === this.#followId,
        flash: 0,
      };
      if (entity.own) own = entity;
      if (entity.kind === ENTITY_KIND.PROJECTILE) projectiles.push(entity);
      else entities.push(entity);
    };
    if (player.playing && player.interpolation.enabled) {
      for (const entity of player.interpolation.entities()) {
        add(entity.id, entity.x, entity.y, entity.angle, entity.row);
      }
    } else {
      for (const [id, row] of frame.entities) {
        add(id, row[columns.x]!, row[columns.y]!, row[columns.angle]!, row);
      }
    }
    entities.push(...projectiles);
    return {
      entities,
      own,
      chat: [],
      // Beams are events; the replay re-simulates state and draws no events yet.
      beams: [],
      // The outlines have no own player: the followed one is drawn, not predicted.
      serverPositions: serverPositions(player.newest.entities, columns),
      scores: scoreLines(frame.global ?? [], this.#followId),
      names: player.names,
      kills: [],
    };
  }

  #updateFollowList(frame: ReplayFrame): void {
    const player = this.#player;
    if (player === undefined) return;
    const ids: number[] = [];
    for (const [id, row] of frame.entities) {
      if (row[player.columns.kind] === ENTITY_KIND.PLAYER) ids.push(id);
    }
    const key = ids.join(",");
    if (this.#follow.dataset.ids === key) return;
    this.#follow.dataset.ids = key;
    this.#follow.replaceChildren(
      new Option("Whole arena", "0"),
      ...ids.map((id) =>
        new Option(`Follow ${player.names.get(id) ?? `player ${id}`}`, String(id))
      ),
    );
    this.#follow.value = String(ids.includes(this.#followId) ? this.#followId : 0);
  }
}
