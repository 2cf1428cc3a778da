import type { ArenaInput, ArenaPlayer } from "../../../shared/game/arena/mod.ts";
import type { GameRunner } from "../../sdk/mod.ts";
import { type ArenaClient, EMPTY_SCENE } from "./arena_client.ts";
import type { Scene } from "./scene.ts";

/** An entity as the newest frame drew it, world units. */
export interface RenderedEntity {
  id: number;
  /** One of `ENTITY_KIND`: 0 player, 1 NPC, 2 projectile. */
  kind: number;
  x: number;
  y: number;
}

/**
 * A small read-only view of the client for end-to-end tests (`window.__arena`). It is a test
 * hook, not an API: positions are what the newest frame drew (after prediction and
 * interpolation), so a test can check what a player actually sees.
 */
export interface ArenaDebugHook {
  /** Our player's id, `undefined` while not connected. */
  readonly playerId: number | undefined;
  /** Room joined, `undefined` while not connected. */
  readonly roomId: string | undefined;
  /** Where our player was drawn; NaN before it was. */
  ownPosition(): { x: number; y: number };
  /** Where entity `id` was drawn, or `null` if it was not. */
  entityPosition(id: number): { x: number; y: number } | null;
  /** Every entity the newest frame drew. */
  renderedEntities(): RenderedEntity[];
  /** Smoothed round-trip time, ms; `undefined` before the first pong. */
  readonly pingMs: number | undefined;
  /** Our player's hp as drawn; `undefined` while not in the world. */
  readonly ownHp: number | undefined;
  /**
   * Our recent beams: the entity the server judged hit (0 for a miss, `undefined` while not yet
   * confirmed).
   */
  beams(): { judgedTarget: number | undefined }[];
  /** The chat lines shown, as `name: text`. */
  chat(): string[];
  /** The colour entity `id` was drawn in (picked hue + 1, 0 for its default), or `null`. */
  hueOf(id: number): number | null;
  /** Whether a session is open. */
  readonly connected: boolean;
  /** The transport of the current session, `undefined` while not connected. */
  readonly transport: "websocket" | "webtransport" | undefined;
  /** Snapshots applied by the current session. */
  readonly snapshotsApplied: number;
  /** The screen shown: `playing`, `connecting`, `disconnected`, `room_full`… */
  readonly screen: string;
  /** The waits chosen before each reconnect attempt since the last join, ms. */
  readonly retryDelaysMs: readonly number[];
}

declare global {
  /** Test hook of the arena client (`window.__arena`); see {@linkcode ArenaDebugHook}. */
  var __arena: ArenaDebugHook | undefined;
}

/** Build the test hook over the SDK's runner of the arena and the arena's client module. */
export function createDebugHook(
  runner: GameRunner<ArenaInput, ArenaPlayer>,
  arena: ArenaClient,
): ArenaDebugHook {
  // Between connections nothing is drawn from the game.
  const scene = (): Scene => runner.session === undefined ? EMPTY_SCENE : arena.scene;
  return {
    get playerId() {
      return runner.session?.playerId;
    },
    get roomId() {
      return runner.session?.roomId;
    },
    ownPosition() {
      const own = scene().own;
      return own === undefined ? { x: Number.NaN, y: Number.NaN } : { x: own.x, y: own.y };
    },
    entityPosition(id) {
      const entity = scene().entities.find((candidate) => candidate.id === id);
      return entity === undefined ? null : { x: entity.x, y: entity.y };
    },
    renderedEntities() {
      return scene().entities.map(({ id, kind, x, y }) => ({ id, kind, x, y }));
    },
    get ownHp() {
      return scene().own?.hp;
    },
    beams() {
      return scene().beams.filter((beam) => beam.own).map((beam) => ({
        judgedTarget: beam.confirmedHit === undefined
          ? undefined
          : beam.confirmedHit
          ? beam.judged?.id ?? 0
          : 0,
      }));
    },
    chat() {
      return scene().chat.map((line) => `${line.name}: ${line.text}`);
    },
    hueOf(id) {
      const entity = scene().entities.find((candidate) => candidate.id === id);
      return entity === undefined ? null : entity.hue ?? 0;
    },
    get pingMs() {
      return runner.session?.rtt.smoothedMs;
    },
    get connected() {
      return runner.session?.connection.open ?? false;
    },
    get transport() {
      return runner.session?.connection.transport;
    },
    get snapshotsApplied() {
      return runner.session?.snapshotsApplied ?? 0;
    },
    get screen() {
      return runner.screen;
    },
    get retryDelaysMs() {
      return [...runner.retryDelaysMs];
    },
  };
}
