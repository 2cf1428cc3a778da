import { isTextEntry } from "./is_text_entry.ts";

/** The numbers the HUD shows; `undefined` fields show as a dash. */
export interface HudStats {
  /** Smoothed round-trip time from ping/pong, ms. */
  pingMs: number | undefined;
  /** Server tick of the newest snapshot. */
  serverTick: number | undefined;
  /** Snapshots applied per second. */
  snapshotsPerSecond: number | undefined;
  /** Received, kilobytes (1000 bytes) per second, the unit `/stats` and the README use. */
  kilobytesPerSecondDown: number | undefined;
  /** Sent, kilobytes (1000 bytes) per second. */
  kilobytesPerSecondUp: number | undefined;
  /** Length of the newest reconciliation correction, world units. */
  predictionError: number | undefined;
  /** Interpolation delay, ms. */
  interpolationDelayMs: number | undefined;
  /** Room id and player count. */
  room: string | undefined;
  /** The transport in use: `WebTransport` or `WebSocket`. */
  transport: string | undefined;
}

const FIELDS: [key: keyof HudStats, label: string, format: (value: number | string) => string][] = [
  ["pingMs", "Ping", (value) => `${Math.round(Number(value))} ms`],
  ["serverTick", "Tick", (value) => String(value)],
  ["snapshotsPerSecond", "Snapshots", (value) => `${Number(value).toFixed(0)}/s`],
  ["kilobytesPerSecondDown", "Down", (value) => `${Number(value).toFixed(1)} KB/s`],
  ["kilobytesPerSecondUp", "Up", (value) => `${Number(value).toFixed(1)} KB/s`],
  ["predictionError", "Pred. error", (value) => `${Number(value).toFixed(1)} u`],
  ["interpolationDelayMs", "Interp. delay", (value) => `${Math.round(Number(value))} ms`],
  ["room", "Room", (value) => String(value)],
  ["transport", "Transport", (value) => String(value)],
];

/** What the HUD shows beyond its numbers. */
export interface HudOptions {
  /** The link to the current room, or undefined while not in one. */
  inviteLink: () => string | undefined;
  /** The controls, one line (`WASD move · H hide HUD`). */
  controls: string;
}

/** The key that hides and shows the HUD, the scoreboard and the minimap. */
export const HUD_TOGGLE_KEY = "KeyH";

/**
 * The heads-up display: a small DOM panel over the canvas (DOM text stays sharp and is readable
 * by tests). Each value sits in an element with id `hud-<field>`, e.g. `hud-pingMs`. **H** hides
 * it (and, through {@linkcode Hud.visible}, the scoreboard and minimap) to free a small window.
 * Its "copy invite link" button copies the address of the player's room.
 */
export class Hud {
  readonly #element: HTMLElement;
  readonly #values = new Map<keyof HudStats, HTMLElement>();
  readonly #invite: HTMLButtonElement;

  /**
   * @param element the panel; its content is replaced
   * @param options the link to the current room (undefined while not in one) and the controls'
   * help line
   */
  constructor(element: HTMLElement, options: HudOptions) {
    const { inviteLink, controls } = options;
    this.#element = element;
    element.replaceChildren();
    for (const [key, label] of FIELDS) {
      const row = document.createElement("div");
      const name = document.createElement("span");
      name.className = "hud-label";
      name.textContent = label;
      const value = document.createElement("span");
      value.id = `hud-${key}`;
      value.className = "hud-value";
      value.textContent = "–";
      row.append(name, value);
      element.append(row);
      this.#values.set(key, value);
    }
    this.#invite = document.createElement("button");
    this.#invite.type = "button";
    this.#invite.id = "hud-invite";
    this.#invite.className = "hud-invite";
    this.#invite.textContent = "Copy invite link";
    this.#invite.addEventListener("click", async () => {
      // Hand the keyboard back to the game.
      this.#invite.blur();
      const link = inviteLink();
      if (link === undefined) return;
      const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(location.hostname);
      this.#invite.textContent = !await copyText(link)
        ? link
        : loopback
        ? `Copied, but ${location.hostname} is this machine: use its network address`
        : "Copied: send it to a friend";
      setTimeout(() => this.#invite.textContent = "Copy invite link", 3000);
    });
    element.append(this.#invite);
    const help = document.createElement("div");
    help.className = "hud-help";
    help.textContent = controls;
    element.append(help);
    globalThis.addEventListener("keydown", (event) => {
      if (event.code !== HUD_TOGGLE_KEY || event.repeat || isTextEntry(event.target)) return;
      element.hidden = !element.hidden;
    });
  }

  /** Whether the HUD (and with it the scoreboard and minimap) is shown. */
  get visible(): boolean {
    return !this.#element.hidden;
  }

  /** Show new values. */
  update(stats: HudStats): void {
    for (const [key, , format] of FIELDS) {
      const value = stats[key];
      const text = value === undefined ? "–" : format(value);
      const element = this.#values.get(key);
      if (element !== undefined && element.textContent !== text) element.textContent = text;
    }
  }
}

/**
 * Put `text` on the clipboard; false when the browser refuses. The clipboard API exists only on
 * secure pages (https or localhost), so a friend's LAN address falls back to `execCommand`.
 */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard !== undefined) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied: try the old way.
  }
  const field = document.createElement("textarea");
  field.value = text;
  field.style.position = "fixed";
  field.style.opacity = "0";
  document.body.append(field);
  field.select();
  const copied = document.execCommand("copy");
  field.remove();
  return copied;
}
