import { CloseCode } from "../../shared/protocol/mod.ts";
import { FixedRateTicker } from "../game/fixed_rate_ticker.ts";
import { Backoff } from "../net/backoff.ts";
import { GameConnection } from "../net/game_connection.ts";
import { NetSimulator } from "../net/net_simulator.ts";
import { DebugOverlay, type DebugSwitches } from "../ui/debug_overlay.ts";
import type { ClientGame } from "./client_game.ts";
import { GameSession } from "./game_session.ts";

/** The page elements a game runs in. */
export interface GameElements {
  /** Drawn on every frame; sized to its CSS box. */
  canvas: HTMLCanvasElement;
  /** One line of numbers: round trip, snapshots, bandwidth. */
  hud: HTMLElement;
  /** A message over the game (connecting, disconnected); hidden while playing. */
  screen: HTMLElement;
  /**
   * The net-debug overlay (F3): prediction and interpolation switches, added latency, jitter
   * and loss. Without it, none.
   */
  debug?: HTMLElement;
}

/** Where and as whom to play. */
export interface GameSettings {
  /** WebSocket URL of the server. */
  url: string;
  /** Room to join, or `any`. */
  room: string;
  /** Display name. */
  name: string;
}

/** A running game client, for tests and tools. */
export interface GameRunner {
  /** The current session, while connected. */
  readonly session: GameSession<unknown, { x: number; y: number }> | undefined;
}

const PING_INTERVAL_MS = 2000;

/**
 * Run `game` in the page: connect and join (with backoff after a drop, back to the same room),
 * sample and send its input every server tick, send the commands its keys ask for, and draw a
 * frame on every animation frame with the game's renderer. Everything game-specific comes from
 * the {@linkcode ClientGame} module.
 */
export function runGame<Input, Body extends { x: number; y: number }>(
  game: ClientGame<Input, Body>,
  elements: GameElements,
  settings: GameSettings,
): GameRunner {
  const keys = new Set<string>();
  const backoff = new Backoff();
  const ctx = elements.canvas.getContext("2d");
  if (ctx === null) throw new TypeError("Cannot run the game: no 2D canvas context");
  let session: GameSession<Input, Body> | undefined;
  let ticker: FixedRateTicker | undefined;
  let room = settings.room;
  let bytesAtSecond = 0, secondStartMs = performance.now(), bytesPerSecond = 0;
  const simulator = new NetSimulator();
  const apply = (switches: Readonly<DebugSwitches>) => {
    simulator.conditions = { ...switches.conditions };
    if (session === undefined) return;
    session.predictionEnabled = switches.prediction;
    session.interpolationEnabled = switches.interpolation;
  };
  const overlay = elements.debug === undefined
    ? undefined
    : new DebugOverlay(elements.debug, apply);

  globalThis.addEventListener("keydown", (event) => {
    if (!keys.has(event.code)) {
      const command = game.commandForKey?.(event.code);
      if (command !== undefined) session?.sendCommand(command.name, command.args);
    }
    keys.add(event.code);
  });
  globalThis.addEventListener("keyup", (event) => keys.delete(event.code));
  globalThis.addEventListener("blur", () => keys.clear());

  const show = (text: string) => {
    elements.screen.textContent = text;
    elements.screen.hidden = text === "";
  };
  const connect = () => {
    show(`Connecting to ${game.name}…`);
    GameConnection.open({ ...settings, room, game: game.name, input: game.input }).then(
      (connection) => {
        const joined = new GameSession(connection, game, simulator);
        session = joined;
        if (overlay !== undefined) apply(overlay.switches);
        room = connection.welcome.roomId;
        ticker = new FixedRateTicker(joined.tickIntervalMs);
        ticker.start(performance.now());
        joined.ping();
        const pinger = setInterval(() => joined.ping(), PING_INTERVAL_MS);
        show("");
        connection.handlers.onClose = (code, reason) => {
          clearInterval(pinger);
          simulator.clear();
          session = undefined;
          ticker = undefined;
          retry(code, reason);
        };
      },
      (error: unknown) => retry(0, error instanceof Error ? error.message : String(error)),
    );
  };
  const retry = (code: number, reason: string) => {
    if (code === CloseCode.ROOM_FULL || code === CloseCode.JOIN_REFUSED) {
      show(reason);
      return;
    }
    const delayMs = backoff.next();
    show(`${reason || "Disconnected"}: reconnecting in ${Math.round(delayMs / 100) / 10} s`);
    setTimeout(connect, delayMs);
  };
  const draw = () => {
    requestAnimationFrame(draw);
    const nowMs = performance.now();
    const canvas = elements.canvas;
    if (canvas.width !== canvas.clientWidth || canvas.height !== canvas.clientHeight) {
      canvas.width = canvas.clientWidth;
      canvas.height = canvas.clientHeight;
    }
    if (session === undefined || ticker === undefined) return;
    for (const tickTimeMs of ticker.due(nowMs)) {
      session.sendInput(game.sampleInput(keys), tickTimeMs);
    }
    game.render(ctx, session.frame(nowMs), session);
    if (nowMs - secondStartMs >= 1000) {
      bytesPerSecond = session.connection.bytesIn - bytesAtSecond;
      bytesAtSecond = session.connection.bytesIn;
      secondStartMs = nowMs;
    }
    const rtt = session.rtt.smoothedMs;
    elements.hud.textContent =
      `${game.name} · ping ${rtt === undefined ? "–" : Math.round(rtt)} ms · ` +
      `${session.snapshotsApplied} snapshots · ${(bytesPerSecond / 1024).toFixed(1)} KiB/s in`;
  };
  connect();
  requestAnimationFrame(draw);
  return {
    get session() {
      return session as GameSession<unknown, { x: number; y: number }> | undefined;
    },
  };
}
