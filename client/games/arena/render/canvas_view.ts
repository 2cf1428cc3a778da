import { ARENA } from "../../../../shared/game/arena/mod.ts";
import type { Scene } from "../scene.ts";
import { Camera, type ScreenPoint } from "./camera.ts";
import { drawMinimap } from "./draw_minimap.ts";
import { drawScoreboard } from "./draw_scoreboard.ts";
import { drawWorld, type DrawWorldOptions } from "./draw_world.ts";

/**
 * The game canvas: fills the window, renders at the device pixel ratio (sharp on HiDPI screens)
 * and draws a {@linkcode Scene} with the camera on the own player.
 */
export class CanvasView {
  /** The camera of the newest frame. */
  readonly camera = new Camera();
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  #ownScreen: ScreenPoint | undefined;

  /** @param canvas the element to draw on; its CSS size is the window's */
  constructor(canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext("2d", { alpha: false });
    if (ctx === null) throw new TypeError("Cannot draw the game: the browser has no 2D canvas");
    this.#canvas = canvas;
    this.#ctx = ctx;
  }

  /** Where the own player was drawn in the newest frame (CSS pixels), for aiming. */
  get ownScreenPosition(): ScreenPoint | undefined {
    return this.#ownScreen;
  }

  /** Draw one frame; `overlays: false` leaves out the scoreboard and the minimap. */
  draw(scene: Scene, options: DrawWorldOptions & { overlays?: boolean } = {}): void {
    this.#fitToWindow();
    const camera = this.camera;
    const own = scene.own;
    if (own !== undefined) camera.follow(own.x, own.y);
    else camera.follow(ARENA.worldWidth / 2, ARENA.worldHeight / 2);
    this.#ownScreen = own === undefined ? undefined : camera.toScreen(own.x, own.y);
    const ctx = this.#ctx;
    const ratio = this.#canvas.width / Math.max(1, camera.width);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const frame = { ctx, scene, camera };
    drawWorld(frame, options);
    if (options.overlays === false) return;
    drawScoreboard(frame);
    drawMinimap(frame);
  }

  #fitToWindow(): void {
    const canvas = this.#canvas;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    const ratio = globalThis.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(height * ratio);
    // Resizing clears the canvas, so only when the size really changed.
    if (canvas.width !== pixelWidth || canvas.height !== pixelHeight) {
      canvas.width = pixelWidth;
      canvas.height = pixelHeight;
    }
    this.camera.resize(width, height);
  }
}
