/** The numbers the HUD shows; `undefined` fields show as a dash. */
export interface HudStats {
  /** Smoothed round-trip time from ping/pong, ms. */
  pingMs: number | undefined;
  /** Server tick of the newest snapshot. */
  serverTick: number | undefined;
  /** Snapshots applied per second. */
  snapshotsPerSecond: number | undefined;
  /** Received, kilobits per second. */
  kbpsDown: number | undefined;
  /** Sent, kilobits per second. */
  kbpsUp: number | undefined;
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
  ["kbpsDown", "Down", (value) => `${Number(value).toFixed(1)} kbps`],
  ["kbpsUp", "Up", (value) => `${Number(value).toFixed(1)} kbps`],
  ["predictionError", "Pred. error", (value) => `${Number(value).toFixed(1)} u`],
  ["interpolationDelayMs", "Interp. delay", (value) => `${Math.round(Number(value))} ms`],
  ["room", "Room", (value) => String(value)],
  ["transport", "Transport", (value) => String(value)],
];

/**
 * The heads-up display: a small DOM panel over the canvas (DOM text stays sharp and is readable
 * by tests). Each value sits in an element with id `hud-<field>`, e.g. `hud-pingMs`.
 */
export class Hud {
  readonly #values = new Map<keyof HudStats, HTMLElement>();

  /** @param element the panel; its content is replaced */
  constructor(element: HTMLElement) {
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
    const help = document.createElement("div");
    help.className = "hud-help";
    help.textContent = "WASD move · mouse aim · click/space fire · F3 net debug";
    element.append(help);
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
