import { ARENA_INTEREST } from "../../../../shared/game/arena/mod.ts";

/** A point on screen, CSS pixels from the canvas's top-left corner. */
export interface ScreenPoint {
  x: number;
  y: number;
}

/**
 * Widest and tallest view, world units. The server sends each player only the entities within
 * its area of interest ({@linkcode ARENA_INTEREST}); a larger view would show entities popping in
 * at its edges. A little under, as the camera follows the predicted position.
 */
const MAX_VIEW_WIDTH = 2 * ARENA_INTEREST.halfWidth - 100;
const MAX_VIEW_HEIGHT = 2 * ARENA_INTEREST.halfHeight - 60;

/**
 * Maps world units to the canvas's CSS pixels: the followed point sits in the middle of the view
 * and the zoom fits about 760 world units into the smaller side of the window, but never more
 * than the server's area of interest.
 *
 * @example Usage
 * ```ts
 * import { Camera } from "./camera.ts";
 * import assert from "node:assert/strict";
 *
 * const camera = new Camera();
 * camera.resize(800, 760);
 * camera.follow(1000, 1000);
 * assert.deepEqual(camera.toScreen(1000, 1000), { x: 400, y: 380 });
 * ```
 */
export class Camera {
  /** World point in the middle of the view. */
  centerX = 0;
  /** World point in the middle of the view. */
  centerY = 0;
  /** CSS pixels per world unit. */
  scale = 1;
  /** View width, CSS pixels. */
  width = 0;
  /** View height, CSS pixels. */
  height = 0;

  /** Set the view size in CSS pixels; the zoom follows it. */
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.scale = Math.max(
      Math.min(width, height) / 760,
      width / MAX_VIEW_WIDTH,
      height / MAX_VIEW_HEIGHT,
      0.01,
    );
  }

  /** Centre the view on a world point. */
  follow(x: number, y: number): void {
    this.centerX = x;
    this.centerY = y;
  }

  /** Screen position of a world point. */
  toScreen(x: number, y: number): ScreenPoint {
    return {
      x: (x - this.centerX) * this.scale + this.width / 2,
      y: (y - this.centerY) * this.scale + this.height / 2,
    };
  }

  /** The world rectangle in view: left, top, right, bottom. */
  visibleWorld(): [left: number, top: number, right: number, bottom: number] {
    const halfWidth = this.width / 2 / this.scale;
    const halfHeight = this.height / 2 / this.scale;
    return [
      this.centerX - halfWidth,
      this.centerY - halfHeight,
      this.centerX + halfWidth,
      this.centerY + halfHeight,
    ];
  }
}
