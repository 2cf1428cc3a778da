import { isTextEntry } from "./is_text_entry.ts";
import type { NetConditions } from "../net/net_simulator.ts";

/** The switches of the net-debug overlay. */
export interface DebugSwitches {
  /** Client-side prediction of the own player. */
  prediction: boolean;
  /** Entity interpolation of everything else. */
  interpolation: boolean;
  /** Outline the server's newest positions. */
  showServerPositions: boolean;
  /** After each beam, ring where the client saw the target and where the server judged it. */
  showLagCompensation: boolean;
  /** What the network simulator adds. */
  conditions: NetConditions;
}

/**
 * A debug view a renderer may draw: outlines at the server's newest positions, or where a shot's
 * target was seen and where the server's rewind judged it.
 */
export type DebugView = "serverPositions" | "lagCompensation";

/** The switches before the developer touches them: netcode on, no simulated network. */
export const DEFAULT_DEBUG_SWITCHES: Readonly<DebugSwitches> = Object.freeze({
  prediction: true,
  interpolation: true,
  showServerPositions: false,
  showLagCompensation: false,
  conditions: Object.freeze({ latencyMs: 0, jitterMs: 0, lossPercent: 0 }),
});

interface Slider {
  key: keyof NetConditions;
  label: string;
  max: number;
  step: number;
  unit: string;
}

const SLIDERS: Slider[] = [
  { key: "latencyMs", label: "Added latency (each way)", max: 500, step: 10, unit: "ms" },
  { key: "jitterMs", label: "Jitter (each way)", max: 200, step: 5, unit: "ms" },
  { key: "lossPercent", label: "Loss", max: 50, step: 1, unit: "%" },
];

/**
 * The net-debug overlay, toggled with F3 or the backquote key: switches for prediction,
 * interpolation and the debug views the renderer draws (server-position outlines, the lag
 * compensation view), sliders for the network simulator (one-way latency and jitter added in each
 * direction, loss of inputs and snapshots), and live netcode numbers.
 */
export class DebugOverlay {
  readonly #element: HTMLElement;
  readonly #stats: HTMLPreElement;
  readonly #switches: DebugSwitches = {
    ...DEFAULT_DEBUG_SWITCHES,
    conditions: { ...DEFAULT_DEBUG_SWITCHES.conditions },
  };
  readonly #onChange: (switches: DebugSwitches) => void;

  /**
   * @param element the panel
   * @param onChange told after every change
   * @param views the optional views the page's renderer draws: the overlay offers a switch for
   * each, and only for those
   */
  constructor(
    element: HTMLElement,
    onChange: (switches: DebugSwitches) => void,
    views: readonly DebugView[] = [],
  ) {
    this.#element = element;
    this.#onChange = onChange;
    element.hidden = true;
    const title = document.createElement("h2");
    title.textContent = "Net debug (F3)";
    element.replaceChildren(title);
    this.#checkbox("prediction", "Client-side prediction");
    this.#checkbox("interpolation", "Entity interpolation");
    if (views.includes("serverPositions")) {
      this.#checkbox("showServerPositions", "Show server positions");
    }
    if (views.includes("lagCompensation")) {
      this.#checkbox("showLagCompensation", "Show lag compensation (beam: client vs server)");
    }
    for (const slider of SLIDERS) this.#slider(slider);
    this.#stats = document.createElement("pre");
    element.append(this.#stats);
    globalThis.addEventListener("keydown", (event) => {
      if (event.code !== "F3" && event.code !== "Backquote") return;
      // A backquote typed into a chat line is text.
      if (event.code === "Backquote" && isTextEntry(event.target)) return;
      event.preventDefault();
      this.toggle();
    });
  }

  /** The current switches. */
  get switches(): Readonly<DebugSwitches> {
    return this.#switches;
  }

  /** Whether the overlay is shown. */
  get visible(): boolean {
    return !this.#element.hidden;
  }

  /** Show or hide. */
  toggle(): void {
    this.#element.hidden = !this.#element.hidden;
  }

  /** Replace the live numbers (only drawn while visible). */
  showStats(lines: readonly string[]): void {
    if (!this.visible) return;
    const text = lines.join("\n");
    if (this.#stats.textContent !== text) this.#stats.textContent = text;
  }

  #checkbox(
    key: "prediction" | "interpolation" | "showServerPositions" | "showLagCompensation",
    label: string,
  ): void {
    const row = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.checked = this.#switches[key];
    input.addEventListener("change", () => {
      this.#switches[key] = input.checked;
      // Hand the keyboard back to the game: space would toggle the box again.
      input.blur();
      this.#onChange(this.#switches);
    });
    row.append(input, ` ${label}`);
    this.#element.append(row);
  }

  #slider(slider: Slider): void {
    const row = document.createElement("label");
    row.className = "slider";
    const text = document.createElement("span");
    const input = document.createElement("input");
    input.type = "range";
    input.min = "0";
    input.max = String(slider.max);
    input.step = String(slider.step);
    input.value = "0";
    const show = () => text.textContent = `${slider.label}: ${input.value} ${slider.unit}`;
    show();
    input.addEventListener("input", () => {
      this.#switches.conditions = {
        ...this.#switches.conditions,
        [slider.key]: Number(input.value),
      };
      show();
      this.#onChange(this.#switches);
    });
    input.addEventListener("change", () => input.blur());
    row.append(text, input);
    this.#element.append(row);
  }
}
