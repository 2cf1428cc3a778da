import {
  cleanText,
  ClientFrames,
  CloseCode,
  encodeBatch,
  FrameDecoder,
  FrameEncoder,
  FrameError,
  FrameErrorReason,
  type JoinMessage,
  LIMITS,
  MessageKind,
  PROTOCOL_VERSION,
  VIEW_ALPHA_STEPS,
} from "../../shared/protocol/mod.ts";
import type { RegistryJoinResult, RoomRegistry } from "../rooms/registry.ts";
import type { Room, RoomClient } from "../rooms/room.ts";
import type { Channel, ClientSocket, TransportName } from "./client_socket.ts";
import { type Clock, realClock, type TimerHandle } from "../tick/clock.ts";
import { closeReason } from "./close_reason.ts";
import {
  type ConnectionLimits,
  MessageRateLimiter,
  resolveConnectionLimits,
} from "./connection_limits.ts";
import type { PongHolder, PongHolds } from "./pong_holds.ts";
import type { ReconnectTokenCheck } from "./reconnect_token.ts";
import { KickReason, type ServerCounters } from "./server_counters.ts";

const PONGS = new FrameEncoder(64);
/**
 * The batch being handled, one for every connection: a batch is decoded and acted on in one go
 * (nothing it triggers decodes another), and memory all connections share stays in the CPU's
 * cache where a batch per connection would not.
 */
const FRAMES = new ClientFrames();

/** What a {@linkcode Connection} needs to check a reconnect token (a `ReconnectTokens`). */
export interface ReconnectTokenVerifier {
  /** Check `token` and that it names `roomId`. */
  verify(token: string, roomId: string): Promise<ReconnectTokenCheck>;
}

/** What a {@linkcode Connection} needs to admit a join presenting a matchmaking seat. */
export interface SeatVerifier {
  /** Check and consume `seat`: the room and game it names, joined (created) next. */
  admit(
    seat: string,
  ): Promise<
    { ok: true; roomId: string; game: string } | { ok: false; code: CloseCode; reason: string }
  >;
}

/** Settings of a {@linkcode Connection}. */
export interface ConnectionOptions {
  /** Where joins go. */
  registry: RoomRegistry;
  /** Process-wide counters. */
  counters: ServerCounters;
  /** Milliseconds since the server started, for pongs. */
  serverTimeMs: () => number;
  /** Where a seated client's pong waits for its room's next message (one for the server). */
  pongHolds: PongHolds;
  /** Told once when the socket has ended. */
  onEnded?: () => void;
  /**
   * The peer's address key, counted against the per-address room creation rate.
   * @default ""
   */
  address?: string;
  /**
   * Rate, size-of-burst and silence limits.
   * @default resolveConnectionLimits()
   */
  limits?: ConnectionLimits;
  /** Checks reconnect tokens; without it a join carrying a token is refused with 4007. */
  reconnectTokens?: ReconnectTokenVerifier;
  /** Admits matchmaking seats; without it a join carrying a seat is refused with 4008. */
  seats?: SeatVerifier;
  /**
   * Runs the join and silence deadlines; tests drive a manual clock. (The message rate and the
   * held pong's wait are measured on `performance.now()`, as the socket's events arrive.)
   * @default realClock
   */
  clock?: Clock;
}

/** How a {@linkcode Connection.close} treats the seat of a joined client. */
export interface CloseOptions {
  /**
   * Keep the seat for the room's reconnect grace period (the client may come back), instead of
   * removing the player now.
   * @default false
   */
  keepSeat?: boolean;
}

/**
 * One client's session over a WebSocket or a WebTransport session (a {@linkcode ClientSocket}):
 * decodes what it sends, enforces the join-first order, the message rate and the join and
 * silence deadlines, and forwards inputs to its room. Any bad input ends in a close with a code
 * and a reason; nothing thrown here reaches the socket's event loop.
 */
export class Connection implements RoomClient, PongHolder {
  readonly #socket: ClientSocket;
  readonly #options: ConnectionOptions;
  readonly #limits: ConnectionLimits;
  readonly #decoder = new FrameDecoder();
  #room: Room | undefined;
  #playerId = 0;
  /** A join is being checked (a reconnect token is verified asynchronously). */
  #joining = false;
  #closed = false;
  #ended = false;
  readonly #rate: MessageRateLimiter;
  readonly #clock: Clock;
  /** When the last message arrived, on {@linkcode ConnectionOptions.clock}. */
  #lastMessageMs: number;
  /** See {@linkcode Connection.queuedBytes}. */
  #queuedAtLastLook = 0;
  #sentSinceLastLook = 0;
  /** A ping to answer in the room's next message (see {@linkcode Connection.addOwnFrames}). */
  #holdsPing = false;
  /** Newest input sequence handed to the room by this connection (see `#handle`). */
  #newestInputSequence = 0;
  #heldPingClientTimeMs = 0;
  #heldPingAtMs = 0;
  #joinTimer: TimerHandle | undefined;
  #silenceTimer: TimerHandle | undefined;

  /** @param socket an upgraded, not yet open socket; @param options where to send joins */
  constructor(socket: ClientSocket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#limits = options.limits ?? resolveConnectionLimits();
    this.#rate = new MessageRateLimiter(this.#limits, performance.now());
    this.#clock = options.clock ?? realClock;
    this.#lastMessageMs = this.#clock.now();
    // An input in the batch of its join is read with the input fields of the game it names.
    this.#decoder.inputLayoutOf = (game) => options.registry.inputLayout(game);
    options.counters.opened(socket.transport);
    socket.listen({
      message: (data, channel) => this.#receive(data, channel),
      invalid: (error) => this.#invalid(error),
      end: (code) => this.#end(code),
    });
    this.#joinTimer = this.#clock.setTimer(() => {
      this.#joinTimer = undefined;
      this.#options.counters.kicked(KickReason.JOIN_TIMEOUT);
      this.close(
        CloseCode.POLICY_VIOLATION,
        `No join within ${this.#limits.joinTimeoutMs} ms of connecting`,
      );
    }, this.#limits.joinTimeoutMs);
  }

  /** Which transport the client uses. */
  get transport(): TransportName {
    return this.#socket.transport;
  }

  /** Bytes queued on the socket. */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  /**
   * Bytes queued on the socket, asked of it only when they may be over `limit`: the queue grows
   * only by what this connection sends, so while the last figure plus everything sent since stays
   * within `limit`, that sum bounds it. A reading client is asked once every `limit` bytes, not
   * once a tick (asking costs a call into Deno, and the room asks for every client every tick).
   */
  queuedBytes(limit: number): number {
    const bound = this.#queuedAtLastLook + this.#sentSinceLastLook;
    if (bound <= limit) return bound;
    this.#queuedAtLastLook = this.bufferedAmount;
    this.#sentSinceLastLook = 0;
    return this.#queuedAtLastLook;
  }

  /** Send one message if the socket is open (see {@linkcode RoomClient.send}). */
  send(bytes: Uint8Array, latestOnlyBytes = 0): void {
    if (this.#closed) return;
    const sent = this.#socket.send(bytes, latestOnlyBytes);
    if (sent === 0) return;
    this.#sentSinceLastLook += sent;
    this.#options.counters.bytesOut += sent;
    this.#options.counters.messagesOut++;
  }

  /** Close with a code and a reason (shortened to the 123 bytes a close frame allows). */
  close(code: CloseCode, reason: string, options: CloseOptions = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    this.#releaseSeat(options.keepSeat ?? false);
    this.#socket.close(code, closeReason(reason));
  }

  #receive(data: Uint8Array | string, channel: Channel): void {
    if (this.#closed) return;
    const nowMs = performance.now();
    // The real clock's now() is this same performance.now(): one read per message, not two.
    this.#lastMessageMs = this.#clock === realClock ? nowMs : this.#clock.now();
    try {
      this.#handle(data, channel, nowMs);
    } catch (error) {
      if (error instanceof FrameError) {
        this.#invalid(error);
        return;
      }
      console.error("Connection handler failed", error);
      this.#refuse(CloseCode.INTERNAL_ERROR, "Internal server error");
    }
  }

  #invalid(error: FrameError): void {
    if (this.#closed) return;
    this.#options.counters.countDecodeError(error.reason);
    this.#refuse(error.closeCode, error.message);
  }

  #handle(data: Uint8Array | string, channel: Channel, nowMs: number): void {
    const counters = this.#options.counters;
    counters.messagesIn++;
    if (typeof data !== "string") counters.bytesIn += data.byteLength;
    // The rate applies before any decoding, so a flood costs the server as little as possible.
    const admitted = this.#rate.take(nowMs);
    if (admitted === "kick") {
      counters.kicked(KickReason.RATE_LIMITED);
      this.#refuse(
        CloseCode.POLICY_VIOLATION,
        `Too many messages: over ${this.#limits.maxMessagesPerSecond} a second for too long`,
      );
      return;
    }
    if (admitted === "drop") {
      counters.messagesThrottled++;
      return;
    }
    if (typeof data === "string") {
      throw new FrameError(
        FrameErrorReason.NOT_BINARY,
        "Cannot decode message: text messages are not accepted, send binary frames",
      );
    }
    const frames = this.#decoder.decodeClientFrames(data, FRAMES);
    for (let index = 0; index < frames.count; index++) {
      if (this.#closed) return;
      const kind = frames.kinds[index];
      if (channel === "datagram" && kind === MessageKind.JOIN) {
        throw new FrameError(
          FrameErrorReason.UNKNOWN_KIND,
          "Cannot accept join in a datagram: send it on the session's stream",
        );
      }
      // A WebTransport client repeats the two inputs before each new one (on the stream too, when
      // a batch does not go as a datagram): a repeat this session already handed to the room is
      // expected, not a stale input.
      if (
        kind === MessageKind.INPUT && this.#socket.transport === "webtransport" &&
        this.#room !== undefined &&
        frames.inputSequence(index) <= this.#newestInputSequence
      ) continue;
      this.#dispatch(frames, index, nowMs);
    }
  }

  /** Act on frame `index` of `frames`. */
  #dispatch(frames: ClientFrames, index: number, nowMs: number): void {
    switch (frames.kinds[index]) {
      case MessageKind.JOIN: {
        const join = frames.joins[index];
        if (join !== undefined) this.#join(join);
        return;
      }
      case MessageKind.PING:
        this.#ping(frames.pingClientTimeMs(index), nowMs);
        return;
      case MessageKind.INPUT: {
        const unread = frames.stoppedAtUnjoinedInput && index === frames.count - 1;
        if (this.#room === undefined || unread) return this.#notJoined("input");
        const sequence = frames.inputSequence(index), viewTick = frames.inputViewTick(index);
        const viewTime = viewTick + frames.inputViewAlpha(index) / VIEW_ALPHA_STEPS;
        const result = this.#room.queueInput(
          this.#playerId,
          sequence,
          viewTime,
          frames.fields,
          frames.inputValuesAt(index),
        );
        this.#newestInputSequence = Math.max(this.#newestInputSequence, sequence);
        if (result === "sequence_gap") {
          this.#options.counters.kicked(KickReason.BAD_SEQUENCE);
          this.#refuse(CloseCode.INVALID_PAYLOAD, `Input sequence ${sequence} jumps too far ahead`);
        } else if (result === "future_view") {
          this.#options.counters.kicked(KickReason.BAD_VIEW_TICK);
          this.#refuse(
            CloseCode.INVALID_PAYLOAD,
            `Input view tick ${viewTick} is ahead of the room's tick ${this.#room.tick}`,
          );
        }
        return;
      }
      case MessageKind.COMMAND: {
        const command = frames.commands[index];
        if (this.#room === undefined || command === undefined) return this.#notJoined("command");
        const refusal = this.#room.queueCommand(this.#playerId, command.name, command.args);
        if (refusal !== null) {
          this.#options.counters.kicked(KickReason.BAD_COMMAND);
          this.#refuse(refusal.code, refusal.reason);
        }
        return;
      }
      case MessageKind.ACK:
        if (this.#room === undefined) return this.#notJoined("ack");
        this.#room.acknowledge(this.#playerId, frames.ackTick(index));
        return;
    }
  }

  /**
   * Answer a ping. A seated client's pong waits for the room's next message (a tick, at most
   * `MAX_PONG_HOLD_MS`): a message of its own would cost as much as a snapshot. Its
   * echo is advanced by the wait, so the client's `receipt − clientTimeMs` is still the network
   * round trip.
   */
  #ping(clientTimeMs: number, nowMs: number): void {
    if (this.#room === undefined) {
      this.#sendPong(clientTimeMs);
      return;
    }
    // A second ping within one tick: the first is answered now rather than forgotten.
    this.sendHeldPong();
    this.#holdsPing = true;
    this.#heldPingClientTimeMs = clientTimeMs;
    this.#heldPingAtMs = nowMs;
    // A room that sends rarely (or a paused clock) must not hold the pong for long.
    this.#options.pongHolds.hold(this);
  }

  /** When the held ping arrived (see {@linkcode PongHolds}). */
  get heldPingAtMs(): number {
    return this.#heldPingAtMs;
  }

  /** The pong owed, if any, added to the room's message (see {@linkcode RoomClient}). */
  addOwnFrames(out: FrameEncoder): void {
    if (!this.#holdsPing) return;
    out.add({
      kind: MessageKind.PONG,
      clientTimeMs: this.#takeHeldPing(),
      serverTimeMs: this.#options.serverTimeMs(),
    });
  }

  /** Send the pong owed, if any, in a message of its own. */
  sendHeldPong(): void {
    if (this.#holdsPing) this.#sendPong(this.#takeHeldPing());
  }

  /** Stop holding the ping; returns its echo, advanced by the time it was held. */
  #takeHeldPing(): number {
    this.#forgetHeldPing();
    return this.#heldPingClientTimeMs + (performance.now() - this.#heldPingAtMs);
  }

  #forgetHeldPing(): void {
    this.#holdsPing = false;
    this.#options.pongHolds.release(this);
  }

  #sendPong(clientTimeMs: number): void {
    // One encoder for every connection's pongs: send() copies, so its buffer is free again.
    PONGS.add({ kind: MessageKind.PONG, clientTimeMs, serverTimeMs: this.#options.serverTimeMs() });
    this.send(PONGS.view());
    PONGS.reset();
  }

  #join(message: JoinMessage): void {
    if (this.#room !== undefined || this.#joining) {
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
    if (message.reconnectToken !== "") {
      this.#joining = true;
      this.#resume(message).catch((error) => {
        console.error("Reconnect failed", error);
        this.#refuse(CloseCode.INTERNAL_ERROR, "Internal server error");
      });
      return;
    }
    // Other players see the name: no control or direction characters, a bounded length.
    const name = cleanText(message.name, { maxGraphemes: LIMITS.maxNameGraphemes });
    if (name === "") {
      this.#refuse(
        CloseCode.JOIN_REFUSED,
        "Name refused: nothing is left of it once control and direction characters are removed",
      );
      return;
    }
    if (message.seat !== undefined && message.seat !== "") {
      this.#joining = true;
      this.#admit(message.seat, name).catch((error) => {
        console.error("Seat admission failed", error);
        this.#refuse(CloseCode.INTERNAL_ERROR, "Internal server error");
      });
      return;
    }
    this.#seated(
      this.#options.registry.join({
        game: message.game,
        room: message.room,
        name,
        creator: this.#options.address ?? "",
      }, this),
    );
  }

  /** Check and consume the seat (the directory may be remote), then join the room it names. */
  async #admit(seat: string, name: string): Promise<void> {
    const admission = this.#options.seats === undefined
      ? { ok: false as const, code: CloseCode.SEAT_REFUSED, reason: "Seats are not accepted here" }
      : await this.#options.seats.admit(seat);
    this.#joining = false;
    if (this.#closed) return;
    if (!admission.ok) {
      this.#refuse(admission.code, admission.reason);
      return;
    }
    this.#seated(
      this.#options.registry.join({
        game: admission.game,
        room: admission.roomId,
        name,
        creator: this.#options.address ?? "",
      }, this),
    );
  }

  /** Check the token (WebCrypto is asynchronous), then ask for the seat it names. */
  async #resume(message: JoinMessage): Promise<void> {
    const verifier = this.#options.reconnectTokens;
    const check: ReconnectTokenCheck = verifier === undefined
      ? { ok: false, reason: "Reconnect tokens are not accepted by this server" }
      : await verifier.verify(message.reconnectToken, message.room);
    this.#joining = false;
    if (this.#closed) return;
    if (!check.ok) {
      this.#options.counters.kicked(KickReason.BAD_TOKEN);
      this.#refuse(CloseCode.BAD_TOKEN, check.reason);
      return;
    }
    const { roomId, playerId } = check.claims;
    this.#seated(this.#options.registry.resume(roomId, playerId, this, message.reconnectToken));
  }

  #seated(result: RegistryJoinResult): void {
    if (!result.ok) {
      if (result.code === CloseCode.BAD_TOKEN) this.#options.counters.kicked(KickReason.BAD_TOKEN);
      this.#refuse(result.code, result.reason);
      return;
    }
    this.#room = result.room;
    this.#playerId = result.playerId;
    this.#decoder.inputLayout = result.room.game.input;
    this.#clearTimer(this.#joinTimer);
    this.#joinTimer = undefined;
    this.#armSilenceTimer(this.#limits.messageTimeoutMs);
  }

  /** One timer for the whole session, re-armed for the time left, not reset on every message. */
  #armSilenceTimer(delayMs: number): void {
    this.#silenceTimer = this.#clock.setTimer(() => {
      const silentMs = this.#clock.now() - this.#lastMessageMs;
      if (silentMs < this.#limits.messageTimeoutMs) {
        this.#armSilenceTimer(this.#limits.messageTimeoutMs - silentMs);
        return;
      }
      this.#silenceTimer = undefined;
      this.#options.counters.kicked(KickReason.SILENT);
      this.close(
        CloseCode.POLICY_VIOLATION,
        `No complete message for ${this.#limits.messageTimeoutMs} ms`,
        { keepSeat: true },
      );
    }, delayMs);
  }

  #notJoined(what: string): void {
    this.#refuse(CloseCode.NOT_JOINED, `Cannot accept ${what} before join`);
  }

  /** Tell the client why in an error frame, then close with the same code. */
  #refuse(code: CloseCode, reason: string): void {
    this.send(encodeBatch([{ kind: MessageKind.ERROR, code, reason: reason.slice(0, 256) }]));
    this.close(code, reason);
  }

  #releaseSeat(keepSeat: boolean): void {
    const room = this.#room;
    this.#room = undefined;
    if (room === undefined) return;
    if (keepSeat) room.detach(this.#playerId);
    else room.leave(this.#playerId);
  }

  #clearTimer(timer: TimerHandle | undefined): void {
    if (timer !== undefined) this.#clock.clearTimer(timer);
  }

  #stopTimers(): void {
    this.#clearTimer(this.#joinTimer);
    this.#clearTimer(this.#silenceTimer);
    if (this.#holdsPing) this.#forgetHeldPing();
    this.#joinTimer = undefined;
    this.#silenceTimer = undefined;
  }

  #end(code: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stopTimers();
    this.#options.onEnded?.();
    this.#options.counters.closed(this.#socket.transport);
    if (this.#closed) return;
    this.#closed = true;
    // A client that says goodbye (1000) leaves now; any other end may be a dropped network, so
    // the seat waits for a reconnect.
    this.#releaseSeat(code !== CloseCode.NORMAL);
  }
}
