import { type ArenaInput, Buttons, quantizeAim } from "../../../shared/game/arena/mod.ts";
import { isTextEntry } from "../../ui/is_text_entry.ts";

/** Keyboard codes (layout-independent `KeyboardEvent.code`) of each button. */
const KEY_BUTTONS: Record<string, number> = {
  KeyW: Buttons.UP,
  ArrowUp: Buttons.UP,
  KeyS: Buttons.DOWN,
  ArrowDown: Buttons.DOWN,
  KeyA: Buttons.LEFT,
  ArrowLeft: Buttons.LEFT,
  KeyD: Buttons.RIGHT,
  ArrowRight: Buttons.RIGHT,
  Space: Buttons.FIRE,
  KeyF: Buttons.BEAM,
};

/**
 * Tracks the keys and the mouse and turns them into one {@linkcode ArenaInput} when the client
 * tick asks: WASD or the arrows move, the mouse aims, a click or space fires, a right click or F
 * fires the beam. A button pressed since the last sample counts as held in the next one even if it
 * was already released, so a click or tap quicker than a tick still reaches the server.
 */
export class InputSampler {
  readonly #held = new Set<string>();
  readonly #target: HTMLElement;
  #mouseDown = false;
  #rightDown = false;
  /** Buttons pressed since the last sample, held or not. */
  #pressed = 0;
  #pointerX: number | undefined;
  #pointerY: number | undefined;
  #aim = 0;
  readonly #abort = new AbortController();

  /** @param target the canvas: the mouse is read relative to it */
  constructor(target: HTMLElement) {
    this.#target = target;
    const signal = this.#abort.signal;
    // Capture phase on the window: game keys reach the game whatever control has focus, and
    // that control (a debug checkbox or slider) never sees them.
    globalThis.addEventListener("keydown", (event) => {
      const button = KEY_BUTTONS[event.code];
      if (button === undefined || isTextEntry(event.target)) return;
      // Arrows and space would scroll the page, toggle a focused checkbox or move a slider.
      event.preventDefault();
      this.#pressed |= button;
      this.#held.add(event.code);
    }, { signal, capture: true });
    globalThis.addEventListener("keyup", (event) => {
      this.#held.delete(event.code);
      // A checkbox or button toggles on the space key's release.
      if (event.code in KEY_BUTTONS && !isTextEntry(event.target)) event.preventDefault();
    }, { signal, capture: true });
    // Keys released while the window had no focus never send keyup.
    globalThis.addEventListener("blur", () => {
      this.#held.clear();
      this.#mouseDown = false;
      this.#rightDown = false;
    }, { signal });
    target.addEventListener("pointermove", (event) => this.#point(event), { signal });
    target.addEventListener("pointerdown", (event) => {
      this.#point(event);
      if (event.button === 0) {
        this.#mouseDown = true;
        this.#pressed |= Buttons.FIRE;
      } else if (event.button === 2) {
        this.#rightDown = true;
        this.#pressed |= Buttons.BEAM;
      }
    }, { signal });
    globalThis.addEventListener("pointerup", (event) => {
      if (event.button === 0) this.#mouseDown = false;
      if (event.button === 2) this.#rightDown = false;
    }, { signal });
    target.addEventListener("contextmenu", (event) => event.preventDefault(), { signal });
  }

  /**
   * The input for this tick; the aim is the angle from `origin` (the own player on screen, CSS
   * pixels) to the mouse, or the previous aim while the mouse has not moved.
   */
  sample(origin: { x: number; y: number } | undefined): ArenaInput {
    let buttons = this.#pressed;
    this.#pressed = 0;
    for (const code of this.#held) buttons |= KEY_BUTTONS[code]!;
    if (this.#mouseDown) buttons |= Buttons.FIRE;
    if (this.#rightDown) buttons |= Buttons.BEAM;
    if (origin !== undefined && this.#pointerX !== undefined && this.#pointerY !== undefined) {
      const dx = this.#pointerX - origin.x;
      const dy = this.#pointerY - origin.y;
      // Quantized as the wire carries it, so the predicted moves match the server's exactly.
      if (dx !== 0 || dy !== 0) this.#aim = quantizeAim(Math.atan2(dy, dx));
    }
    return { buttons, aim: this.#aim };
  }

  /** The newest aim, radians. */
  get aim(): number {
    return this.#aim;
  }

  /** Stop listening. */
  dispose(): void {
    this.#abort.abort();
  }

  #point(event: PointerEvent): void {
    const rect = this.#target.getBoundingClientRect();
    this.#pointerX = event.clientX - rect.left;
    this.#pointerY = event.clientY - rect.top;
  }
}
