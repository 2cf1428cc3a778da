import { ARENA } from "../../../shared/game/arena/mod.ts";

/** A possible beam target as the client draws it now. */
export interface BeamTarget {
  id: number;
  x: number;
  y: number;
  /** Hit radius; 0 cannot be hit. */
  radius: number;
}

/** A beam the scene draws, world units. */
export interface BeamView {
  fromX: number;
  fromY: number;
  toX: number;
  toY: number;
  /** Since it was fired (own) or announced (others), ms. */
  ageMs: number;
  /** Whether it is the own player's beam (predicted at once). */
  own: boolean;
  /** The server's verdict: `true` hit, `false` miss, `undefined` not yet heard. */
  confirmedHit: boolean | undefined;
  /**
   * For the lag compensation overlay: where the client drew the target it aimed at (`seen`) and
   * where the server's rewind put it (`judged`), when known.
   */
  seen: { id: number; x: number; y: number } | undefined;
  judged: { id: number; x: number; y: number; rewindMs: number } | undefined;
}

/** The server's `beam` event, as the arena sends it. */
export interface BeamEvent {
  /** The shooter. */
  actor: number;
  /** The entity hit, or 0. */
  target: number;
  /** How far back the server judged, ms. */
  value: number;
  /** `id x y` of the entity hit or passed closest, or `""`. */
  text: string;
}

/** How long a beam stays on screen, ms; the debug overlay's markers stay longer. */
const BEAM_SHOWN_MS = 2500;
/** Own beams not confirmed within this long are forgotten (the input was lost). */
const UNCONFIRMED_MS = 2000;

/**
 * The own player's beams, drawn the moment they are fired (prediction: a tracer and a muzzle
 * flash, ended where the client sees the first target), then matched in order with the server's
 * `beam` events, which confirm the hit or not and say where the server judged the target. Other
 * players' beams are drawn when their events arrive.
 *
 * @example Usage
 * ```ts
 * import { BeamShots } from "./beam_shots.ts";
 * import assert from "node:assert/strict";
 *
 * const beams = new BeamShots();
 * beams.fire({ x: 0, y: 0 }, 0, [{ id: 7, x: 100, y: 0, radius: 20 }], 1000);
 * assert.equal(beams.views(1000)[0]?.toX, 80);
 * beams.confirm({ actor: 1, target: 7, value: 150, text: "7 99.5 0" }, true, 1100);
 * assert.equal(beams.views(1100)[0]?.confirmedHit, true);
 * ```
 */
export class BeamShots {
  readonly #beams: (BeamView & { atMs: number })[] = [];

  /**
   * Draw an own beam now: from `origin` along `aim` to the first target it enters (as drawn), or
   * to the end of its range.
   */
  fire(
    origin: { x: number; y: number },
    aim: number,
    targets: Iterable<BeamTarget>,
    nowMs: number,
  ) {
    const dirX = Math.cos(aim), dirY = Math.sin(aim);
    let length: number = ARENA.beamRange;
    let seen: BeamView["seen"];
    for (const target of targets) {
      if (!(target.radius > 0)) continue;
      const offsetX = target.x - origin.x, offsetY = target.y - origin.y;
      const along = offsetX * dirX + offsetY * dirY;
      const across = Math.abs(offsetX * dirY - offsetY * dirX);
      if (across > target.radius || along < -target.radius) continue;
      const entry = Math.max(0, along - Math.sqrt(target.radius ** 2 - across ** 2));
      if (entry < length) {
        length = entry;
        seen = { id: target.id, x: target.x, y: target.y };
      }
    }
    this.#beams.push({
      fromX: origin.x,
      fromY: origin.y,
      toX: origin.x + dirX * length,
      toY: origin.y + dirY * length,
      ageMs: 0,
      own: true,
      confirmedHit: undefined,
      seen,
      judged: undefined,
      atMs: nowMs,
    });
  }

  /**
   * Take the server's `beam` event. For an own beam (`own`) it confirms the oldest unconfirmed
   * one; another player's beam is drawn from `shooter` (where it is drawn) to the target.
   */
  confirm(
    event: BeamEvent,
    own: boolean,
    nowMs: number,
    shooter?: { x: number; y: number },
  ): void {
    const [id, x, y] = event.text.split(" ").map(Number);
    const judged = id !== undefined && id > 0 && Number.isFinite(x) && Number.isFinite(y)
      ? { id, x: x ?? 0, y: y ?? 0, rewindMs: event.value }
      : undefined;
    if (own) {
      const beam = this.#beams.find((candidate) =>
        candidate.own && candidate.confirmedHit === undefined
      );
      if (beam !== undefined) {
        beam.confirmedHit = event.target !== 0;
        beam.judged = judged;
      }
      return;
    }
    if (shooter === undefined || event.target === 0 || judged === undefined) return;
    this.#beams.push({
      fromX: shooter.x,
      fromY: shooter.y,
      toX: judged.x,
      toY: judged.y,
      ageMs: 0,
      own: false,
      confirmedHit: true,
      seen: undefined,
      judged: undefined,
      atMs: nowMs,
    });
  }

  /** The beams to draw at `nowMs`; old ones are forgotten. */
  views(nowMs: number): BeamView[] {
    const beams = this.#beams;
    while (beams.length > 0) {
      const oldest = beams[0];
      if (oldest === undefined) break;
      const age = nowMs - oldest.atMs;
      const stale = age > BEAM_SHOWN_MS ||
        (oldest.own && oldest.confirmedHit === undefined && age > UNCONFIRMED_MS);
      if (!stale) break;
      beams.shift();
    }
    for (const beam of beams) beam.ageMs = nowMs - beam.atMs;
    return beams;
  }
}
