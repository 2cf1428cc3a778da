/** What the full-window message shows, if anything. */
export type ScreenState =
  | { kind: "playing" }
  | { kind: "connecting"; room: string; name: string }
  | { kind: "room_full"; reason: string }
  | { kind: "version_mismatch"; reason: string }
  | { kind: "refused"; reason: string }
  | {
    kind: "disconnected";
    reason: string;
    /** When the next attempt starts (or started, while it runs), `performance.now()` ms. */
    retryAtMs: number;
    attempt: number;
  };

/** What the screens' buttons do. */
export interface ScreenActions {
  /** Try to connect again now. */
  reconnect(): void;
  /** Leave for any room with space. */
  joinAnyRoom(): void;
  /** Reload the page (a new client build). */
  reload(): void;
}

/**
 * The full-window messages over the game: connecting, room full (4002), version mismatch
 * (4000/1002), refused, and disconnected with a reconnect countdown.
 */
export class Screens {
  readonly #element: HTMLElement;
  readonly #title: HTMLElement;
  readonly #message: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #actions: ScreenActions;
  #state: ScreenState = { kind: "playing" };

  /** @param element the overlay; @param actions what its buttons do */
  constructor(element: HTMLElement, actions: ScreenActions) {
    this.#element = element;
    this.#actions = actions;
    const panel = document.createElement("div");
    panel.className = "screen-panel";
    this.#title = document.createElement("h1");
    this.#message = document.createElement("p");
    this.#button = document.createElement("button");
    this.#button.type = "button";
    this.#button.addEventListener("click", () => this.#act());
    panel.append(this.#title, this.#message, this.#button);
    element.replaceChildren(panel);
    this.show(this.#state);
  }

  /** The state shown. */
  get state(): ScreenState {
    return this.#state;
  }

  /** Show `state`; `playing` hides the overlay. */
  show(state: ScreenState): void {
    this.#state = state;
    this.#element.dataset.screen = state.kind;
    this.#element.hidden = state.kind === "playing";
    this.refresh(performance.now());
  }

  /** Update time-dependent text (the reconnect countdown). */
  refresh(nowMs: number): void {
    const state = this.#state;
    switch (state.kind) {
      case "playing":
        return;
      case "connecting":
        this.#set(
          "Connecting…",
          `Joining ${state.room === "any" ? "a room" : `room ${state.room}`} as ${state.name}`,
          "",
        );
        return;
      case "room_full":
        this.#set("Room full", state.reason, "Join another room");
        return;
      case "version_mismatch":
        this.#set(
          "Version mismatch",
          `${state.reason}. The server runs another version of the game: reload to get it.`,
          "Reload",
        );
        return;
      case "refused":
        this.#set("Cannot join", state.reason, "Join any room");
        return;
      case "disconnected": {
        const seconds = (state.retryAtMs - nowMs) / 1000;
        const when = seconds > 0 ? `in ${seconds.toFixed(1)} s` : "now";
        this.#set(
          "Disconnected",
          `${state.reason}. Reconnecting ${when} (attempt ${state.attempt}).`,
          "Reconnect now",
        );
        return;
      }
    }
  }

  #set(title: string, message: string, button: string): void {
    if (this.#title.textContent !== title) this.#title.textContent = title;
    if (this.#message.textContent !== message) this.#message.textContent = message;
    this.#button.hidden = button === "";
    if (this.#button.textContent !== button) this.#button.textContent = button;
  }

  #act(): void {
    switch (this.#state.kind) {
      case "room_full":
      case "refused":
        this.#actions.joinAnyRoom();
        break;
      case "version_mismatch":
        this.#actions.reload();
        break;
      case "disconnected":
        this.#actions.reconnect();
        break;
    }
  }
}
