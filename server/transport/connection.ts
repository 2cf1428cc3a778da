import {
  type ClientMessage,
  CloseCode,
  encodeBatch,
  FrameDecoder,
  FrameError,
  FrameErrorReason,
  MessageKind,
  PROTOCOL_VERSION,
} from "../../shared/protocol/mod.ts";
import type { RoomRegistry } from "../rooms/registry.ts";
import type { Room, RoomClient } from "../rooms/room.ts";
import { closeReason } from "./close_reason.ts";
import type { ServerCounters } from "./server_counters.ts";

/** Settings of a {@linkcode Connection}. */
export interface ConnectionOptions {
  /** Where joins go. */
  registry: RoomRegistry;
  /** Process-wide counters. */
  counters: ServerCounters;
  /** Milliseconds since the server started, for pongs. */
  serverTimeMs: () => number;
  /** Told once when the socket has ended. */
  onEnded?: () => void;
  /**
   * Messages a second a client may send on average.
   * @default 120
   */
  maxMessagesPerSecond?: number;
  /**
   * Messages a client may send in a burst above the average.
   * @default 240
   */
  messageBurst?: number;
}

/**
 * One client's WebSocket session: decodes what it sends, enforces the join-first order and the
 * message rate, and forwards inputs to its room. Any bad input ends in a close with a code and a
 * reason; nothing thrown here reaches the socket's event loop.
 */
export class Connection implements RoomClient {
  readonly #socket: WebSocket;
  readonly #options: ConnectionOptions;
  readonly #decoder = new FrameDecoder();
  #room: Room | undefined;
  #playerId = 0;
  #closed = false;
  #tokens: number;
  #lastRefillMs = performance.now();

  /** @param socket an upgraded, not yet open socket; @param options where to send joins */
  constructor(socket: WebSocket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#tokens = options.messageBurst ?? 240;
    socket.binaryType = "arraybuffer";
    options.counters.connectionsOpened++;
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = () => this.#ended();
    socket.onerror = () => {};
  }

  /** Bytes queued on the socket. */
  get bufferedAmount(): number {
    return this.#socket.readyState === WebSocket.OPEN ? this.#socket.bufferedAmount : 0;
  }

  /** Send one message if the socket is open. */
  send(bytes: Uint8Array): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    this.#options.counters.bytesOut += bytes.length;
    this.#options.counters.messagesOut++;
    this.#socket.send(bytes);
  }

  /** Close with a code and a reason (shortened to the 123 bytes a close frame allows). */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leaveRoom();
    const state = this.#socket.readyState;
    if (state === WebSocket.OPEN || state === WebSocket.CONNECTING) {
      try {
        this.#socket.close(code, closeReason(reason));
      } catch {
        // The socket died between the state check and the close; nothing more to tell it.
      }
    }
  }

  #receive(data: unknown): void {
    if (this.#closed) return;
    try {
      this.#handle(data);
    } catch (error) {
      if (error instanceof FrameError) {
        this.#options.counters.countDecodeError(error.reason);
        this.#refuse(error.closeCode, error.message);
        return;
      }
      console.error("Connection handler failed", error);
      this.#refuse(CloseCode.INTERNAL_ERROR, "Internal server error");
    }
  }

  #handle(data: unknown): void {
    const counters = this.#options.counters;
    counters.messagesIn++;
    if (!(data instanceof ArrayBuffer)) {
      throw new FrameError(
        FrameErrorReason.NOT_BINARY,
        "Cannot decode message: text messages are not accepted, send binary frames",
      );
    }
    counters.bytesIn += data.byteLength;
    if (!this.#takeRateToken()) {
      counters.kicked("rate_limited");
      this.close(CloseCode.POLICY_VIOLATION, "Too many messages: rate limit exceeded");
      return;
    }
    for (const message of this.#decoder.decodeClientBatch(new Uint8Array(data))) {
      if (this.#closed) return;
      this.#dispatch(message);
    }
  }

  #dispatch(message: ClientMessage): void {
    switch (message.kind) {
      case MessageKind.JOIN:
        this.#join(message);
        return;
      case MessageKind.PING:
        this.send(encodeBatch([{
          kind: MessageKind.PONG,
          clientTimeMs: message.clientTimeMs,
          serverTimeMs: this.#options.serverTimeMs(),
        }]));
        return;
      case MessageKind.INPUT:
        if (this.#room === undefined) return this.#notJoined("input");
        if (!this.#room.queueInput(this.#playerId, message)) {
          this.#options.counters.kicked("bad_sequence");
          this.#refuse(
            CloseCode.INVALID_PAYLOAD,
            `Input sequence ${message.sequence} jumps too far ahead`,
          );
        }
        return;
      case MessageKind.ACK:
        if (this.#room === undefined) return this.#notJoined("ack");
        this.#room.acknowledge(this.#playerId, message.tick);
        return;
    }
  }

  #join(message: Extract<ClientMessage, { kind: typeof MessageKind.JOIN }>): void {
    if (this.#room !== undefined) {
      this.#refuse(CloseCode.NOT_JOINED, "Already joined: send one join per connection");
      return;
    }
    if (message.protocolVersion !== PROTOCOL_VERSION) {
      this.#refuse(
        CloseCode.VERSION_MISMATCH,
        `Protocol version ${message.protocolVersion} is not supported; server speaks ${PROTOCOL_VERSION}`,
      );
      return;
    }
    const name = message.name.trim() || "player";
    const result = this.#options.registry.join(
      { game: message.game, room: message.room, name },
      this,
    );
    if (!result.ok) {
      this.#refuse(result.code, result.reason);
      return;
    }
    this.#room = result.room;
    this.#playerId = result.playerId;
  }

  #notJoined(what: string): void {
    this.#refuse(CloseCode.NOT_JOINED, `Cannot accept ${what} before join`);
  }

  /** Tell the client why in an error frame, then close with the same code. */
  #refuse(code: number, reason: string): void {
    this.send(encodeBatch([{ kind: MessageKind.ERROR, code, reason: reason.slice(0, 256) }]));
    this.close(code, reason);
  }

  #takeRateToken(): boolean {
    const nowMs = performance.now();
    const perSecond = this.#options.maxMessagesPerSecond ?? 120;
    const burst = this.#options.messageBurst ?? 240;
    this.#tokens = Math.min(
      burst,
      this.#tokens + ((nowMs - this.#lastRefillMs) * perSecond) / 1000,
    );
    this.#lastRefillMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }

  #leaveRoom(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.leave(this.#playerId);
  }

  #ended(): void {
    this.#closed = true;
    this.#options.onEnded?.();
    this.#options.counters.connectionsClosed++;
    this.#leaveRoom();
  }
}
