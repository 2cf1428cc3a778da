import type { Scene } from "../scene.ts";
import type { Camera } from "./camera.ts";

/** One frame to draw: where, what, and from which point of view. */
export interface FrameView {
  /** A context whose transform maps CSS pixels (scaled by the device pixel ratio). */
  ctx: CanvasRenderingContext2D;
  scene: Scene;
  camera: Camera;
}
