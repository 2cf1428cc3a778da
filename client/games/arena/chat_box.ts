/**
 * The arena's chat and colour keys: Enter opens a one-line text box whose line is sent with
 * Enter (Escape closes it), and C picks the next colour. The game keys stay with the game while
 * the box is closed; while it is open they type (the input sampler ignores keys aimed at a text
 * field).
 */
export class ChatBox {
  readonly #input: HTMLInputElement;
  readonly #abort = new AbortController();
  #hue = 0;

  /**
   * @param parent where the text box goes
   * @param send called with a command to send: `chat` with the line, `colour` with a hue
   */
  constructor(
    parent: HTMLElement,
    send: (name: "chat" | "colour", args: (string | number)[]) => void,
  ) {
    const input = document.createElement("input");
    input.type = "text";
    input.id = "chat";
    input.maxLength = 120;
    input.placeholder = "Say something (Enter sends, Esc closes)";
    input.hidden = true;
    input.style.cssText = "position:fixed;left:12px;bottom:36px;width:320px;font:14px system-ui;" +
      "padding:6px 8px;border-radius:6px;border:1px solid #2c3760;background:#141a2c;color:#fff";
    parent.append(input);
    this.#input = input;
    const signal = this.#abort.signal;
    globalThis.addEventListener("keydown", (event) => {
      if (event.target === input) {
        if (event.code === "Enter") {
          const text = input.value.trim();
          if (text !== "") send("chat", [text]);
          this.close();
        } else if (event.code === "Escape") this.close();
        return;
      }
      if (event.code === "Enter" && input.hidden) {
        event.preventDefault();
        input.hidden = false;
        input.focus();
      } else if (event.code === "KeyC" && input.hidden) {
        this.#hue = (this.#hue + 47) % 360;
        send("colour", [this.#hue]);
      }
    }, { signal });
  }

  /** Hide and empty the text box. */
  close(): void {
    this.#input.value = "";
    this.#input.hidden = true;
    this.#input.blur();
  }

  /** Stop listening and remove the box. */
  dispose(): void {
    this.#abort.abort();
    this.#input.remove();
  }
}
