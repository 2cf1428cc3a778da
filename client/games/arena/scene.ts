/**
 * What the client draws each frame, as plain data: the session builds it, the renderer and the
 * test hook read it.
 * @module
 */

/** One thing to draw, in world units. */
export interface SceneEntity {
  id: number;
  /** One of `ENTITY_KIND`. */
  kind: number;
  x: number;
  y: number;
  angle: number;
  hp: number;
  score: number;
  /** Whether this is the client's own player. */
  own: boolean;
  /** Strength of a hit flash, 1 just hit, 0 none. */
  flash: number;
  /**
   * The colour the player picked: hue in degrees plus 1, or 0 for its default colour.
   * @default 0
   */
  hue?: number;
}

/** A chat line, for the chat feed. */
export interface ChatLine {
  name: string;
  text: string;
  /** Local time it arrived, ms. */
  atMs: number;
}

export type { BeamView } from "./beam_shots.ts";
import type { BeamView } from "./beam_shots.ts";

/** A recent kill, for the kill feed. */
export interface KillNotice {
  attacker: string;
  target: string;
  /** Local time it arrived, ms. */
  atMs: number;
}

/** A scoreboard line. */
export interface ScoreLine {
  id: number;
  score: number;
  /** Whether this is the client's own player. */
  own: boolean;
}

/** What one frame shows; the renderer draws only this. */
export interface Scene {
  /** Everything, own player included, in draw order (projectiles last). */
  entities: SceneEntity[];
  /** The own player, if it is in the world. */
  own: SceneEntity | undefined;
  /** Recent beams: the own ones drawn at once, others' when the server tells. */
  beams: readonly BeamView[];
  /** The server's newest positions, drawn as outlines when the debug overlay asks. */
  serverPositions: SceneEntity[];
  /** Every player in the room by score, best first (not only those in view). */
  scores: ScoreLine[];
  /** Player id → display name. */
  names: ReadonlyMap<number, string>;
  kills: readonly KillNotice[];
  /** The newest chat lines, oldest first. */
  chat: readonly ChatLine[];
}
