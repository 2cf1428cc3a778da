import { SUBPROTOCOL } from "../../shared/protocol/mod.ts";

/** The transports a client can use. */
export type TransportName = "websocket" | "webtransport";

/** How a batch should travel: reliably and in order, or as an unreliable datagram. */
export type Channel = "reliable" | "datagram";

/** What a wire tells its connection. */
export interface WireEvents {
  /** The wire is open: batches may be sent. */
  open(): void;
  /** One frame batch arrived. */
  message(bytes: Uint8Array): void;
  /** The wire closed (or never opened) with a code and a reason. */
  close(code: number, reason: string): void;
}

/**
 * One client's transport under a `GameConnection`: a WebSocket ({@linkcode WebSocketWire}) or a
 * WebTransport session (`WebTransportWire`). Batches are whole frame batches either way.
 */
export interface Wire {
  /** Which transport this is. */
  readonly transport: TransportName;
  /** Whether batches can be sent now. */
  readonly open: boolean;
  /** Send one batch; `datagram` is a wish a WebSocket ignores. */
  send(bytes: Uint8Array<ArrayBuffer>, channel: Channel): void;
  /** Close with a code and a reason. */
  close(code: number, reason: string): void;
}

/** A browser (or Deno) WebSocket as a {@linkcode Wire}: one message per batch. */
export class WebSocketWire implements Wire {
  /** This is a WebSocket. */
  readonly transport = "websocket";
  readonly #socket: WebSocket;

  /** Connect to `url` (e.g. `ws://127.0.0.1:8000/ws`) and report to `events`. */
  constructor(url: string, events: WireEvents) {
    const socket = new WebSocket(url, SUBPROTOCOL);
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onopen = () => events.open();
    socket.onmessage = (event: MessageEvent) => {
      if (event.data instanceof ArrayBuffer) events.message(new Uint8Array(event.data));
    };
    socket.onclose = (event: CloseEvent) => events.close(event.code, event.reason);
    socket.onerror = () => {};
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Send the batch as one message. */
  send(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.open) this.#socket.send(bytes);
  }

  /** Close the socket. */
  close(code: number, reason: string): void {
    const state = this.#socket.readyState;
    if (state === WebSocket.OPEN || state === WebSocket.CONNECTING) {
      this.#socket.close(code, reason);
    }
  }
}
