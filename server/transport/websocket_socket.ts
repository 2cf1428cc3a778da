import type { ClientSocket, ClientSocketEvents } from "./client_socket.ts";

/** A server-side WebSocket as a {@linkcode ClientSocket}: one message per frame batch. */
export class WebSocketSocket implements ClientSocket {
  /** This is a WebSocket. */
  readonly transport = "websocket";
  readonly #socket: WebSocket;

  /** @param socket an upgraded, not yet open socket */
  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
  }

  /** Bytes queued on the socket. */
  get bufferedAmount(): number {
    return this.#socket.readyState === WebSocket.OPEN ? this.#socket.bufferedAmount : 0;
  }

  /** Forward messages and the close. */
  listen(events: ClientSocketEvents): void {
    const socket = this.#socket;
    socket.onmessage = (event) => {
      const data: unknown = event.data;
      events.message(
        data instanceof ArrayBuffer ? new Uint8Array(data) : String(data),
        "reliable",
      );
    };
    // Deno fires close twice when its idle ping times out (1001, then 1005); the connection
    // counts it once.
    socket.onclose = (event) => events.end(event.code);
    socket.onerror = () => {};
  }

  /** Send the whole batch as one message. */
  send(bytes: Uint8Array): number {
    try {
      this.#socket.send(bytes);
    } catch {
      // The peer's close (or Deno's idle timeout) began and its close event is yet to come.
      return 0;
    }
    return bytes.length;
  }

  /** Close unless already closed. */
  close(code: number, reason: string): void {
    const state = this.#socket.readyState;
    if (state !== WebSocket.OPEN && state !== WebSocket.CONNECTING) return;
    try {
      this.#socket.close(code, reason);
    } catch {
      // The socket died between the state check and the close; nothing more to tell it.
    }
  }
}
