import {
  type ClientMessage,
  type EventMessage,
  FrameDecoder,
  FrameEncoder,
  FrameError,
  type InputLayout,
  MessageKind,
  type PongMessage,
  PROTOCOL_VERSION,
  type SnapshotMessage,
  type WelcomeMessage,
} from "../../shared/protocol/mod.ts";
import { type TransportName, WebSocketWire, type Wire, type WireEvents } from "./wire.ts";
import { type WebTransportTarget, WebTransportWire } from "./webtransport_wire.ts";

/** The server refused the join or closed before welcoming; carries its code and reason. */
export class JoinRefusedError extends Error {
  /** Close or error code, e.g. 4002 for a full room. */
  readonly code: number;

  /** @param code close code; @param reason the server's reason */
  constructor(code: number, reason: string) {
    super(`Join refused (${code}): ${reason}`);
    this.name = "JoinRefusedError";
    this.code = code;
  }
}

/** Settings of {@linkcode GameConnection.open}. */
export interface GameConnectionOptions {
  /** WebSocket URL, e.g. `ws://127.0.0.1:8000/ws`. */
  url: string;
  /**
   * Connect over WebTransport to this target instead of the WebSocket at `url`: reliable
   * messages on a stream, inputs and snapshots as datagrams.
   */
  webTransport?: WebTransportTarget | undefined;
  /** Game to join, e.g. `arena`. */
  game: string;
  /**
   * Room id, `any` or `new`.
   * @default "any"
   */
  room?: string;
  /** Display name. */
  name: string;
  /** Token from an earlier welcome, to resume a seat. */
  reconnectToken?: string;
  /** The game's input fields (its `defineInput`), needed to send input frames. */
  input?: InputLayout;
  /** Seat from `POST /matchmake` (see `matchmake.ts`); `room` is then its room id. */
  seat?: string;
  /**
   * Give up if no welcome arrives in this time.
   * @default 5000
   */
  timeoutMs?: number;
}

/** Callbacks of a {@linkcode GameConnection}; set the ones you need. */
export interface GameConnectionHandlers {
  onSnapshot?: ((snapshot: SnapshotMessage, receivedAtMs: number) => void) | undefined;
  onEvent?: ((event: EventMessage) => void) | undefined;
  onPong?: ((pong: PongMessage, receivedAtMs: number) => void) | undefined;
  onClose?: ((code: number, reason: string) => void) | undefined;
}

/**
 * A client's session with the server over a WebSocket or a WebTransport session: joins, then
 * batches what the client sends into one message per flush and decodes every message it gets.
 * The browser client, the bots and the tests all speak through this class.
 */
export class GameConnection {
  /** What the server said when it seated us. */
  readonly welcome: WelcomeMessage;
  /** Callbacks; replace at any time. */
  handlers: GameConnectionHandlers = {};
  /** Bytes received (WebSocket payload). */
  bytesIn = 0;
  /** Messages received. */
  messagesIn = 0;
  /** Bytes sent. */
  bytesOut = 0;
  /** Messages sent. */
  messagesOut = 0;
  /** Messages that failed to decode (each also closes the connection). */
  decodeErrors = 0;
  /** Close code once closed, else `null`. */
  closeCode: number | null = null;
  /** Close reason once closed. */
  closeReason = "";
  readonly #wire: Wire;
  readonly #encoder = new FrameEncoder(512);
  readonly #decoder: FrameDecoder;
  /** The last inputs sent, repeated in each datagram (see {@linkcode GameConnection.queue}). */
  readonly #recentInputs: ClientMessage[] = [];
  #inputQueued = false;
  /** The next flush holds a message that must not be lost (see {@linkcode GameConnection.queue}). */
  #reliableQueued = false;
  /** Code of the first error frame received, if any. */
  #errorCode: number | null = null;
  /** Time source for receive stamps; replaced by tests and the network simulator. */
  clock: () => number = () => performance.now();

  private constructor(
    wire: Wire,
    decoder: FrameDecoder,
    welcome: WelcomeMessage,
    input: InputLayout | undefined,
  ) {
    this.#encoder.inputLayout = input;
    this.#wire = wire;
    this.#decoder = decoder;
    this.welcome = welcome;
  }

  /** The transport in use. */
  get transport(): TransportName {
    return this.#wire.transport;
  }

  /** Connect, join and resolve once welcomed; rejects with {@linkcode JoinRefusedError}. */
  static open(options: GameConnectionOptions): Promise<GameConnection> {
    return new Promise((resolve, reject) => {
      const decoder = new FrameDecoder();
      let connection: GameConnection | undefined;
      let refusal: JoinRefusedError | undefined;
      const earlyEvents: EventMessage[] = [];
      const timer = setTimeout(() => {
        if (connection !== undefined) return;
        reject(new JoinRefusedError(0, `No welcome within ${options.timeoutMs ?? 5000} ms`));
        wire.close(1000, "No welcome");
      }, options.timeoutMs ?? 5000);
      const events: WireEvents = {
        open: () => {
          const join: ClientMessage = {
            kind: MessageKind.JOIN,
            protocolVersion: PROTOCOL_VERSION,
            game: options.game,
            room: options.room ?? "any",
            name: options.name,
            reconnectToken: options.reconnectToken ?? "",
            seat: options.seat ?? "",
          };
          const encoder = new FrameEncoder(128);
          encoder.add(join);
          wire.send(encoder.finish(), "reliable");
        },
        message: (bytes) => {
          if (connection !== undefined) {
            connection.#receive(bytes);
            return;
          }
          let messages;
          try {
            messages = decoder.decodeServerBatch(bytes);
          } catch (error) {
            reject(error);
            wire.close(1000, "Bad welcome");
            return;
          }
          for (const message of messages) {
            if (message.kind === MessageKind.ERROR) {
              refusal = new JoinRefusedError(message.code, message.reason);
            } else if (message.kind === MessageKind.WELCOME && connection === undefined) {
              connection = new GameConnection(wire, decoder, message, options.input);
              connection.bytesIn += bytes.byteLength;
              connection.messagesIn++;
            } else if (message.kind === MessageKind.EVENT) {
              earlyEvents.push(message);
            }
          }
          if (connection !== undefined) {
            clearTimeout(timer);
            connection.#earlyEvents = earlyEvents;
            resolve(connection);
          }
        },
        close: (code, reason) => {
          if (connection !== undefined) {
            connection.#closed(code, reason);
            return;
          }
          clearTimeout(timer);
          reject(refusal ?? new JoinRefusedError(code, reason || "Connection closed"));
        },
      };
      const wire: Wire = options.webTransport === undefined
        ? new WebSocketWire(options.url, events)
        : new WebTransportWire(options.webTransport, events);
    });
  }

  #earlyEvents: EventMessage[] = [];

  /** Events that came with the welcome (who is already in the room); each is returned once. */
  takeEarlyEvents(): EventMessage[] {
    const events = this.#earlyEvents;
    this.#earlyEvents = [];
    return events;
  }

  /** Whether the connection is open. */
  get open(): boolean {
    return this.#wire.open;
  }

  /**
   * Add a message to the next flush. Over WebTransport, where a flush is one datagram that may be
   * lost, the first input of a flush brings the two inputs sent before it, so no input is lost
   * to one dropped datagram (the server applies each sequence once); a flush that holds anything
   * but inputs, acks and pings (a command) goes on the reliable stream instead.
   */
  queue(message: ClientMessage): void {
    if (
      message.kind !== MessageKind.INPUT && message.kind !== MessageKind.ACK &&
      message.kind !== MessageKind.PING
    ) this.#reliableQueued = true;
    if (message.kind === MessageKind.INPUT && this.#wire.transport === "webtransport") {
      if (!this.#inputQueued) {
        for (const earlier of this.#recentInputs) this.#encoder.add(earlier);
      }
      this.#inputQueued = true;
      this.#recentInputs.push(message);
      if (this.#recentInputs.length > 2) this.#recentInputs.shift();
    }
    this.#encoder.add(message);
  }

  /**
   * Send everything queued as one message: over WebTransport a datagram, or a batch on the stream
   * when it holds a message that must arrive (see {@linkcode GameConnection.queue}).
   */
  flush(): void {
    if (this.#encoder.frameCount === 0) return;
    const channel = this.#reliableQueued ? "reliable" : "datagram";
    this.#inputQueued = false;
    this.#reliableQueued = false;
    const bytes = this.#encoder.finish();
    if (!this.#wire.open) return;
    this.bytesOut += bytes.length;
    this.messagesOut++;
    this.#wire.send(bytes, channel);
  }

  /** Queue and flush a ping stamped with the local clock. */
  ping(): void {
    this.queue({ kind: MessageKind.PING, clientTimeMs: this.clock() });
    this.flush();
  }

  /**
   * Close the connection, normally by default. A client may only send 1000 or 3000–4999 (the
   * WebSocket API throws on any other), so a protocol code such as 1007 becomes 1000 and only the
   * reason says why.
   */
  close(code = 1000, reason = "Client left"): void {
    if (!this.#wire.open) return;
    // A WebSocket accepts only 1000 and 3000..4999 from a client.
    const allowed = code === 1000 || (code >= 3000 && code <= 4999);
    this.#wire.close(allowed ? code : 1000, reason);
  }

  /** Wait until the socket has closed; resolves with the code. */
  closed(): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => {
      const previous = this.handlers.onClose;
      this.handlers.onClose = (code, reason) => {
        previous?.(code, reason);
        resolve(code);
      };
    });
  }

  #receive(data: Uint8Array): void {
    this.bytesIn += data.byteLength;
    this.messagesIn++;
    const receivedAtMs = this.clock();
    let messages;
    try {
      messages = this.#decoder.decodeServerBatch(data);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.decodeErrors++;
      this.close(error.closeCode, error.message.slice(0, 100));
      return;
    }
    for (const message of messages) {
      switch (message.kind) {
        case MessageKind.SNAPSHOT:
          this.handlers.onSnapshot?.(message, receivedAtMs);
          break;
        case MessageKind.EVENT:
          this.handlers.onEvent?.(message);
          break;
        case MessageKind.PONG:
          this.handlers.onPong?.(message, receivedAtMs);
          break;
        case MessageKind.ERROR:
          // The first error says why; a transport may repeat it before it closes.
          if (this.#errorCode === null) {
            this.#errorCode = message.code;
            this.closeReason = message.reason;
          }
          break;
      }
    }
  }

  #closed(code: number, reason: string): void {
    // An error frame's code wins: a WebTransport session may end as "connection lost" after it.
    const closeCode = this.#errorCode ?? code;
    this.closeCode = closeCode;
    this.closeReason = this.#errorCode === null ? reason || this.closeReason : this.closeReason;
    this.handlers.onClose?.(closeCode, this.closeReason);
  }
}
