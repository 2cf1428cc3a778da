import { CloseCode } from "../../shared/protocol/mod.ts";
import { Backoff } from "../net/backoff.ts";
import { type GameConnection, JoinRefusedError } from "../net/game_connection.ts";
import { MatchmakeError } from "../net/matchmake.ts";
import { NetSimulator } from "../net/net_simulator.ts";
import { RateMeter } from "../net/rate_meter.ts";
import { RoomConnector, transportLabel } from "../net/room_connector.ts";
import type { TransportPreference } from "../net/transport_choice.ts";
import { DebugOverlay, type DebugSwitches } from "../ui/debug_overlay.ts";
import { Hud } from "../ui/hud.ts";
import { Screens } from "../ui/screens.ts";
import type { ClientGame } from "./client_game.ts";
import { closeOutcome } from "./close_outcome.ts";
import { FixedRateTicker } from "./fixed_rate_ticker.ts";
import { GameSession } from "./game_session.ts";
import type { Point } from "./prediction.ts";
import { isTextEntry } from "../ui/is_text_entry.ts";

/** The page elements a game runs in. */
export interface GameElements {
  /** Drawn on every frame; sized to its CSS box at the device pixel ratio. */
  canvas: HTMLCanvasElement;
  /** The HUD panel: ping, tick, rates, prediction error, room, transport, invite link. */
  hud: HTMLElement;
  /** The full-window messages: connecting, disconnected (with a countdown), room full… */
  screen: HTMLElement;
  /** The net-debug overlay (F3): netcode switches, a simulated worse network, live numbers. */
  debug: HTMLElement;
}

/** Where and as whom to play. */
export interface GameSettings {
  /** `http://host/matchmake` of the server that served the page. */
  matchmakeUrl: string;
  /** What `?transport=` asked for: `ws`, `wt` or `auto` (WebTransport when it works). */
  transport: TransportPreference;
  /** Room to join, or `any`. */
  room: string;
  /** Display name. */
  name: string;
}

/** A running game client, for tests and tools. */
export interface GameRunner<Input = unknown, Body extends Point = Point> {
  /** The current session, while connected. */
  readonly session: GameSession<Input, Body> | undefined;
  /** Which screen is up (`playing` while in the game, `disconnected`, `room_full`…). */
  readonly screen: string;
  /** The waits chosen before each reconnect attempt since the last join, ms. */
  readonly retryDelaysMs: readonly number[];
  /** The client-side network condition simulator (set from the debug overlay). */
  readonly simulator: NetSimulator;
}

/** How often the HUD and the debug numbers are redrawn, ms: text changing at 60 Hz is unreadable. */
const HUD_INTERVAL_MS = 250;
/** How often a ping goes out, ms. */
const PING_INTERVAL_MS = 1000;
/** How long to wait for matchmaking and then the welcome, ms. */
const JOIN_TIMEOUT_MS = 5000;
/**
 * Inputs are polled from the animation frame; this timer keeps them (and their acks) going
 * while the tab is hidden and frames stop.
 */
const INPUT_FALLBACK_MS = 100;
/**
 * A connection that lasted this long counts as a success and resets the backoff; one dropped
 * sooner (a server that welcomes and then fails) keeps backing off.
 */
const STABLE_CONNECTION_MS = 5000;
/**
 * After a close with 1012 (the server is restarting, usually back within a second): first retry
 * after 200–400 ms, then 400–800 ms and so on, spread so a restart's players do not all return
 * in the same instant.
 */
const RESTART_BACKOFF = { initialMs: 200, jitter: 1 } as const;
/** Keys every game shares, after the game's own controls in the HUD's help line. */
const SDK_CONTROLS = "H hide HUD · F3 net debug";

/**
 * Run `game` in the page: matchmake and join the process that owns the room (over WebTransport
 * when it can, else WebSocket), sample and send its input every server tick, send the commands
 * its keys ask for, draw a frame on every animation frame with the game's renderer, show the
 * HUD, the screens and the net-debug overlay, and reconnect with exponential backoff when the
 * connection drops (to the same seat while the server keeps it, else through `/matchmake` to the
 * room's owner). Everything game-specific comes from the {@linkcode ClientGame} module.
 */
export function runGame<Input, Body extends Point>(
  game: ClientGame<Input, Body>,
  elements: GameElements,
  settings: GameSettings,
): GameRunner<Input, Body> {
  const client = new GameClient(game, elements, settings);
  client.start();
  return client;
}

/** The runner behind {@linkcode runGame}; each connection gets a fresh {@linkcode GameSession}. */
class GameClient<Input, Body extends Point> implements GameRunner<Input, Body> {
  readonly simulator = new NetSimulator();
  readonly #game: ClientGame<Input, Body>;
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #connector: RoomConnector;
  readonly #settings: GameSettings;
  readonly #hud: Hud;
  readonly #screens: Screens;
  readonly #overlay: DebugOverlay;
  readonly #keys = new Set<string>();
  #backoff = new Backoff();
  /**
   * Why the connection was lost, as the server said it: kept on screen through the failed
   * attempts of the outage, until a join succeeds.
   */
  #lostReason: string | undefined;
  #retryDelaysMs: number[] = [];
  readonly #down = new RateMeter();
  readonly #up = new RateMeter();
  readonly #snapshotRate = new RateMeter();
  #room: string;
  /** What a reconnect needs to take the same seat back, from the newest welcome. */
  #seat: { token: string; playerId: number; lastSequence: number } | undefined;
  #session: GameSession<Input, Body> | undefined;
  #ticker: FixedRateTicker | undefined;
  #inputTimer: ReturnType<typeof setInterval> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #hudAtMs = 0;
  #connecting = false;
  #joinedAtMs = 0;

  constructor(game: ClientGame<Input, Body>, elements: GameElements, settings: GameSettings) {
    this.#game = game;
    this.#settings = settings;
    this.#room = settings.room;
    this.#connector = new RoomConnector(settings);
    this.#canvas = elements.canvas;
    const ctx = elements.canvas.getContext("2d", { alpha: false });
    if (ctx === null) throw new TypeError("Cannot draw the game: the browser has no 2D canvas");
    this.#ctx = ctx;
    this.#hud = new Hud(elements.hud, {
      inviteLink: () => this.#inviteLink(),
      controls: game.controls === undefined ? SDK_CONTROLS : `${game.controls} · ${SDK_CONTROLS}`,
    });
    this.#screens = new Screens(elements.screen, {
      reconnect: () => this.#connect(),
      joinAnyRoom: () => {
        const params = new URLSearchParams(location.search);
        params.set("room", "any");
        location.search = params.toString();
      },
      reload: () => location.reload(),
    });
    this.#overlay = new DebugOverlay(
      elements.debug,
      (switches) => this.#applySwitches(switches),
      game.debugViews,
    );
    globalThis.addEventListener("keydown", (event) => {
      if (isTextEntry(event.target)) return;
      if (!this.#keys.has(event.code)) {
        const command = game.commandForKey?.(event.code);
        if (command !== undefined) this.#sendCommand(command.name, command.args);
      }
      this.#keys.add(event.code);
    });
    globalThis.addEventListener("keyup", (event) => this.#keys.delete(event.code));
    // Keys released while the window had no focus never send keyup.
    globalThis.addEventListener("blur", () => this.#keys.clear());
    game.mount?.({
      canvas: elements.canvas,
      sendCommand: (name, args) => this.#sendCommand(name, args),
    });
  }

  get session(): GameSession<Input, Body> | undefined {
    return this.#session;
  }

  get screen(): string {
    return this.#screens.state.kind;
  }

  get retryDelaysMs(): readonly number[] {
    return this.#retryDelaysMs;
  }

  /** Connect and start drawing. */
  start(): void {
    this.#connect();
    const frame = (nowMs: number) => {
      this.#frame(nowMs);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  #sendCommand(name: string, args: (string | number | boolean)[]): void {
    const session = this.#session;
    if (session === undefined) {
      console.warn(`Command ${name} not sent: not connected`);
      return;
    }
    try {
      session.sendCommand(name, args);
    } catch (error) {
      console.warn(`Command ${name} not sent:`, error);
    }
  }

  #connect(): void {
    if (this.#connecting || this.#session !== undefined) return;
    clearTimeout(this.#reconnectTimer);
    this.#connecting = true;
    const state = this.#screens.state;
    if (state.kind === "disconnected") {
      // Keep the reason up while this attempt runs.
      this.#screens.show({ ...state, retryAtMs: performance.now() });
    } else {
      this.#screens.show({ kind: "connecting", room: this.#room, name: this.#settings.name });
    }
    this.#open().then(
      (connection) => {
        this.#connecting = false;
        this.#joined(connection);
      },
      (error: unknown) => {
        this.#connecting = false;
        if (error instanceof MatchmakeError) {
          this.#matchmakeFailed(error);
        } else if (error instanceof JoinRefusedError) {
          this.#ended(error.code, error.message.replace(/^Join refused \(\d+\): /, ""));
        } else {
          this.#ended(0, error instanceof Error ? error.message : String(error));
        }
      },
    );
  }

  /**
   * Resume the seat on the process that owns the room, or else ask `/matchmake` (of the process
   * that served the page) for a seat and connect where it says.
   */
  async #open(): Promise<GameConnection> {
    const base = {
      game: this.#game.name,
      input: this.#game.input,
      name: this.#settings.name,
      timeoutMs: JOIN_TIMEOUT_MS,
    };
    try {
      return await this.#connector.open(base, this.#room, this.#seat?.token);
    } catch (error) {
      // The owner could not be reached: its seat is gone with it.
      if (!this.#connector.knowsOwner) this.#seat = undefined;
      throw error;
    }
  }

  #matchmakeFailed(error: MatchmakeError): void {
    switch (error.status) {
      case 409:
        this.#screens.show({ kind: "room_full", reason: error.message });
        return;
      case 400:
      case 404:
        this.#screens.show({ kind: "refused", reason: error.message });
        return;
      default:
        this.#retry(error.message);
    }
  }

  #joined(connection: GameConnection): void {
    const seat = this.#seat;
    const resumed = seat !== undefined && seat.playerId === connection.welcome.playerId;
    const session = new GameSession(connection, this.#game, {
      name: this.#settings.name,
      simulator: this.simulator,
      lastSequence: resumed ? seat.lastSequence : 0,
    });
    this.#session = session;
    // After a drop, come back to the same room (and seat, if the server keeps seats).
    this.#room = session.roomId;
    this.#lostReason = undefined;
    this.#retryDelaysMs = [];
    this.#showRoomInAddressBar(session.roomId);
    const token = connection.welcome.reconnectToken;
    this.#seat = token === ""
      ? undefined
      : { token, playerId: session.playerId, lastSequence: session.lastSequence };
    this.#joinedAtMs = performance.now();
    this.#applySwitches(this.#overlay.switches);
    connection.handlers.onClose = (code, reason) => {
      if (this.#session === session) this.#ended(code, reason);
    };
    if (connection.closeCode !== null) {
      this.#ended(connection.closeCode, connection.closeReason);
      return;
    }
    this.#screens.show({ kind: "playing" });
    session.ping();
    this.#pingTimer = setInterval(() => session.ping(), PING_INTERVAL_MS);
    const ticker = new FixedRateTicker(session.tickIntervalMs);
    this.#ticker = ticker;
    ticker.start(performance.now());
    this.#inputTimer = setInterval(() => this.#sendInputs(performance.now()), INPUT_FALLBACK_MS);
  }

  /**
   * Run the client ticks that are due: each samples the input and sends it. Polled once per
   * frame, just before drawing, so the prediction's newest step is always there to draw.
   */
  #sendInputs(nowMs: number): void {
    const session = this.#session;
    const ticker = this.#ticker;
    if (session === undefined || ticker === undefined) return;
    for (const tickTimeMs of ticker.due(nowMs)) {
      session.sendInput(this.#game.sampleInput(this.#keys), tickTimeMs);
    }
  }

  #ended(code: number, reason: string): void {
    clearInterval(this.#inputTimer);
    clearInterval(this.#pingTimer);
    this.#ticker = undefined;
    const session = this.#session;
    if (session !== undefined && this.#seat !== undefined) {
      this.#seat.lastSequence = session.lastSequence;
    }
    if (session !== undefined && performance.now() - this.#joinedAtMs >= STABLE_CONNECTION_MS) {
      this.#backoff = new Backoff();
    }
    if (code === CloseCode.SERVICE_RESTART && session !== undefined) {
      this.#backoff = new Backoff(RESTART_BACKOFF);
    }
    // A failed attempt says only that the server is not back yet: keep what it said at the drop.
    if (session !== undefined && reason !== "") this.#lostReason = reason;
    session?.close();
    this.#session = undefined;
    this.simulator.clear();
    const outcome = closeOutcome(code, reason, {
      inAnotherRoom: this.#room !== this.#settings.room,
      lostReason: this.#lostReason,
    });
    switch (outcome.kind) {
      case "screen":
        this.#screens.show({ kind: outcome.screen, reason: outcome.reason });
        return;
      case "retry":
        if (outcome.joinAsAsked) this.#room = this.#settings.room;
        this.#retry(outcome.reason);
        return;
      case "rematch": {
        this.#seat = undefined;
        const lost = this.#connector.seatLost(code);
        if (lost?.now === true) this.#connect();
        else this.#retry(outcome.reason);
        return;
      }
    }
  }

  #retry(reason: string): void {
    const delayMs = this.#backoff.next();
    this.#retryDelaysMs.push(delayMs);
    this.#screens.show({
      kind: "disconnected",
      reason,
      retryAtMs: performance.now() + delayMs,
      attempt: this.#backoff.attempts,
    });
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }

  /** Put the joined room in the address bar, so the page's own address is the invite. */
  #showRoomInAddressBar(roomId: string): void {
    const params = new URLSearchParams(location.search);
    if (params.get("room") === roomId) return;
    params.set("room", roomId);
    history.replaceState(history.state, "", `${location.pathname}?${params}${location.hash}`);
  }

  /** The link a friend opens to join this room (under their own name, in the same game). */
  #inviteLink(): string | undefined {
    const session = this.#session;
    if (session === undefined) return undefined;
    const params = new URLSearchParams({ room: session.roomId });
    const game = new URLSearchParams(location.search).get("game");
    if (game !== null) params.set("game", game);
    return `${location.origin}${location.pathname}?${params}`;
  }

  #applySwitches(switches: Readonly<DebugSwitches>): void {
    this.simulator.conditions = { ...switches.conditions };
    const session = this.#session;
    if (session === undefined) return;
    session.prediction.enabled = switches.prediction;
    session.interpolation.enabled = switches.interpolation;
  }

  #frame(nowMs: number): void {
    this.#sendInputs(nowMs);
    this.#fitCanvas();
    const session = this.#session;
    if (session === undefined) {
      const ctx = this.#ctx;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#0b0f1a";
      ctx.fillRect(0, 0, this.#canvas.width, this.#canvas.height);
    } else {
      const frame = session.frame(nowMs, {
        debug: this.#overlay.switches,
        overlays: this.#hud.visible,
      });
      this.#game.render(this.#ctx, frame, session);
      this.#down.update(nowMs, session.connection.bytesIn);
      this.#up.update(nowMs, session.connection.bytesOut);
      this.#snapshotRate.update(nowMs, session.snapshotsApplied);
    }
    if (nowMs - this.#hudAtMs < HUD_INTERVAL_MS) return;
    this.#hudAtMs = nowMs;
    this.#screens.refresh(nowMs);
    this.#updateHud(session);
  }

  /** Size the canvas to its CSS box at the device pixel ratio (sharp on HiDPI screens). */
  #fitCanvas(): void {
    const canvas = this.#canvas;
    const ratio = globalThis.devicePixelRatio || 1;
    const pixelWidth = Math.round(canvas.clientWidth * ratio);
    const pixelHeight = Math.round(canvas.clientHeight * ratio);
    // Resizing clears the canvas, so only when the size really changed.
    if (canvas.width !== pixelWidth || canvas.height !== pixelHeight) {
      canvas.width = pixelWidth;
      canvas.height = pixelHeight;
    }
  }

  #updateHud(session: GameSession<Input, Body> | undefined): void {
    if (session === undefined) {
      this.#hud.update({
        pingMs: undefined,
        serverTick: undefined,
        snapshotsPerSecond: undefined,
        kilobytesPerSecondDown: undefined,
        kilobytesPerSecondUp: undefined,
        predictionError: undefined,
        interpolationDelayMs: undefined,
        room: undefined,
        transport: undefined,
      });
      return;
    }
    const players = session.names.size;
    const interpolation = session.interpolation;
    const prediction = session.prediction;
    this.#hud.update({
      pingMs: session.rtt.smoothedMs,
      serverTick: session.serverTick,
      snapshotsPerSecond: this.#snapshotRate.perSecond,
      kilobytesPerSecondDown: kilobytes(this.#down.perSecond),
      kilobytesPerSecondUp: kilobytes(this.#up.perSecond),
      predictionError: prediction.takePeakCorrection(),
      interpolationDelayMs: interpolation.enabled ? interpolation.delayMs : 0,
      room: `${session.roomId} · ${players} player${players === 1 ? "" : "s"}`,
      transport: transportLabel(session.connection),
    });
    const conditions = this.simulator.conditions;
    this.#overlay.showStats([
      `player ${session.playerId} in ${session.roomId}`,
      `pending inputs    ${prediction.pendingInputs.length}`,
      `last correction   ${prediction.lastCorrection.toFixed(2)} u${
        prediction.lastCorrectionSnapped ? " (snapped)" : ""
      }`,
      `interp delay      ${interpolation.delayMs.toFixed(0)} ms`,
      `arrival jitter    ${interpolation.jitterMs.toFixed(1)} ms`,
      `extrapolating     ${interpolation.extrapolatingMs.toFixed(0)} ms`,
      `snapshots kept    ${interpolation.length}`,
      `simulated         +${conditions.latencyMs}±${conditions.jitterMs} ms each way, ${conditions.lossPercent}% loss`,
      `dropped by sim    ${this.simulator.dropped}`,
      `bytes in/out      ${session.connection.bytesIn} / ${session.connection.bytesOut}`,
    ]);
  }
}

function kilobytes(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / 1000;
}
