import { CloseCode } from "../../shared/protocol/mod.ts";
import { FixedRateTicker } from "../game/fixed_rate_ticker.ts";
import { Backoff } from "../net/backoff.ts";
import { JoinRefusedError } from "../net/game_connection.ts";
import { MatchmakeError } from "../net/matchmake.ts";
import { RoomConnector, transportLabel } from "../net/room_connector.ts";
import type { TransportPreference } from "../net/transport_choice.ts";
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
export interface GameRunner {
  /** The current session, while connected. */
  readonly session: GameSession<unknown, { x: number; y: number }> | undefined;
}

const PING_INTERVAL_MS = 2000;
/** A connection that lasted this long counts as a success and resets the backoff. */
const STABLE_CONNECTION_MS = 5000;
/** How long to wait for matchmaking and then the welcome, ms. */
const JOIN_TIMEOUT_MS = 5000;

/**
 * Run `game` in the page: matchmake and join the process that owns the room, over WebTransport
 * when it can (else WebSocket), as the arena client does (with backoff after a drop, back to the
 * same room through `/matchmake`, which finds its owner again or a new one),
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
  let backoff = new Backoff();
  const connector = new RoomConnector(settings);
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
    const base = {
      game: game.name,
      input: game.input,
      name: settings.name,
      timeoutMs: JOIN_TIMEOUT_MS,
    };
    // No seat token is kept: every reconnect goes through /matchmake, to the room's owner.
    connector.open(base, room, undefined).then(
      (connection) => {
        const joined = new GameSession(connection, game, simulator);
        session = joined;
        if (overlay !== undefined) apply(overlay.switches);
        room = connection.welcome.roomId;
        const joinedAtMs = performance.now();
        ticker = new FixedRateTicker(joined.tickIntervalMs);
        ticker.start(performance.now());
        joined.ping();
        const pinger = setInterval(() => joined.ping(), PING_INTERVAL_MS);
        show("");
        const closed = (code: number, reason: string) => {
          clearInterval(pinger);
          simulator.clear();
          session = undefined;
          ticker = undefined;
          if (performance.now() - joinedAtMs >= STABLE_CONNECTION_MS) backoff = new Backoff();
          retry(code, reason);
        };
        connection.handlers.onClose = closed;
        if (connection.closeCode !== null) closed(connection.closeCode, connection.closeReason);
      },
      (error: unknown) => {
        if (error instanceof MatchmakeError) {
          if (error.status === 404) retry(CloseCode.ROOM_NOT_FOUND, error.message);
          // Full (409) or a bad request (400): asking again will not help.
          else if (error.status === 409 || error.status === 400) show(error.message);
          else retry(0, error.message);
        } else if (error instanceof JoinRefusedError) {
          retry(error.code, error.message.replace(/^Join refused \(\d+\): /, ""));
        } else {
          retry(0, error instanceof Error ? error.message : String(error));
        }
      },
    );
  };
  const retry = (code: number, reason: string) => {
    if (
      code === CloseCode.ROOM_FULL || code === CloseCode.JOIN_REFUSED ||
      code === CloseCode.VERSION_MISMATCH
    ) {
      show(reason);
      return;
    }
    // The room we were in is gone (its owner stopped): join as first asked.
    if (code === CloseCode.ROOM_NOT_FOUND) room = settings.room;
    const lost = connector.seatLost(code);
    if (lost?.now === true) {
      connect();
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
      `${session.snapshotsApplied} snapshots · ${(bytesPerSecond / 1024).toFixed(1)} KiB/s in · ` +
      transportLabel(session.connection);
  };
  connect();
  requestAnimationFrame(draw);
  return {
    get session() {
      return session as GameSession<unknown, { x: number; y: number }> | undefined;
    },
  };
}
