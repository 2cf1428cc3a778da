/**
 * A hand-written RFC 6455 WebSocket client for tests that must control every byte: it can speak
 * the protocol correctly, or break it on purpose ({@linkcode WsPeer.sendFrame},
 * {@linkcode WsPeer.sendRaw}) to see how the server copes. Only `ws://` to the local host.
 * @module
 */
import {
  decodeFrame,
  encodeFrame,
  type EncodeFrameOptions,
  Opcode,
  randomMask,
  type WsFrame,
  WsProtocolError,
} from "./_ws_frame.ts";
import { concatBytes, runHandshake } from "./_ws_handshake.ts";
import { BufferedConn, type Deadline, deadlineIn, withDeadline } from "./_ws_socket.ts";

export {
  type DecodedFrame,
  decodeFrame,
  type DecodeFrameOptions,
  encodeFrame,
  type EncodeFrameOptions,
  Opcode,
  randomMask,
  type WsFrame,
  WsProtocolError,
  type WsProtocolErrorReason,
} from "./_ws_frame.ts";
export { computeAcceptKey, concatBytes, HandshakeError } from "./_ws_handshake.ts";

/** Options of {@linkcode WsPeer.connect}. */
export interface WsPeerOptions {
  /** Subprotocols offered in `Sec-WebSocket-Protocol`. @default {[]} */
  protocols?: string[];
  /** `Origin` header. @default {none} */
  origin?: string;
  /**
   * Extra request headers. One named like a standard handshake header (without regard to case)
   * replaces it, or drops it when `null`: `{ Upgrade: "h2c" }` or `{ "Sec-WebSocket-Key": null }`
   * make a broken upgrade.
   * @default {{}}
   */
  headers?: Record<string, string | null>;
  /** Timeout of the handshake, and the default of every later wait and write. @default {5000} */
  timeoutMs?: number;
  /** Largest frame payload accepted from the server. @default {67108864} */
  maxPayloadBytes?: number;
  /**
   * Answer server pings with pongs, and a server close with a close, while
   * {@linkcode WsPeer.receive} runs. Off, the peer stays silent as a stuck or hostile client does
   * (and nothing it writes can land inside a frame it is sending slowly).
   * @default {true}
   */
  autoAnswer?: boolean;
}

/** What {@linkcode WsPeer.receive} returns: a whole message, a control frame, or the end. */
export type WsEvent =
  | { type: "binary"; data: Uint8Array }
  | { type: "text"; text: string }
  | { type: "ping" | "pong"; data: Uint8Array }
  /** `code` is null when the close frame had no payload. */
  | { type: "close"; code: number | null; reason: string }
  /** The TCP stream ended: closed or reset by the server, or dropped by `closeSocket()`. */
  | { type: "eof" };

/** A frame for {@linkcode WsPeer.sendFrame}; only the opcode is required. */
export type WsFrameInit = Partial<WsFrame> & Pick<WsFrame, "opcode">;

/** The close status {@linkcode WsPeer.readClose} found; `code` is null when the socket just ended. */
export interface WsCloseResult {
  /** Status code of the close frame; null when it had none or the socket just ended. */
  code: number | null;
  /** Reason text of the close frame; "" when it had none. */
  reason: string;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * One client connection. Reading is pulled by the test: server pings are answered with pongs, and
 * a server close with a close, only while {@linkcode WsPeer.receive} runs. Client frames are
 * masked with a fresh random key unless a frame says otherwise.
 *
 * @example Against a loopback echo server
 * ```ts
 * import { WsPeer } from "./ws_peer.ts";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
 *   (request) => {
 *     const { socket, response } = Deno.upgradeWebSocket(request, { protocol: "game.v2" });
 *     socket.onmessage = (event) => socket.send(event.data);
 *     return response;
 *   },
 * );
 * const peer = await WsPeer.connect(`ws://127.0.0.1:${server.addr.port}/ws`, {
 *   protocols: ["game.v2"],
 * });
 * await peer.sendText("hi");
 * assert.deepEqual(await peer.receive(1000), { type: "text", text: "hi" });
 * await peer.close(1000, "bye");
 * assert.equal((await peer.readClose(1000)).code, 1000);
 * controller.abort();
 * await server.finished;
 * ```
 */
export class WsPeer {
  /** The subprotocol the server chose; "" when it chose none. */
  readonly protocol: string;
  /** Headers of the server's 101 answer. */
  readonly responseHeaders: Headers;
  readonly #socket: BufferedConn;
  readonly #timeoutMs: number;
  readonly #maxPayloadBytes: number;
  readonly #autoAnswer: boolean;
  #closeSent = false;
  #fragments: { opcode: number; parts: Uint8Array[] } | null = null;

  private constructor(socket: BufferedConn, protocol: string, headers: Headers, options: {
    timeoutMs: number;
    maxPayloadBytes: number;
    autoAnswer: boolean;
  }) {
    this.#socket = socket;
    this.protocol = protocol;
    this.responseHeaders = headers;
    this.#timeoutMs = options.timeoutMs;
    this.#maxPayloadBytes = options.maxPayloadBytes;
    this.#autoAnswer = options.autoAnswer;
  }

  /**
   * Open a TCP connection and run the opening handshake.
   * @param url `ws://127.0.0.1:PORT/path` or `ws://localhost:PORT/path`
   * @throws {HandshakeError} when the server does not answer a valid 101
   * @throws {Deno.errors.TimedOut} when the handshake takes longer than `timeoutMs`
   */
  static async connect(url: string, options: WsPeerOptions = {}): Promise<WsPeer> {
    const target = new URL(url);
    if (target.protocol !== "ws:") {
      throw new TypeError(`Cannot connect: only ws:// URLs are supported, got ${target.protocol}`);
    }
    if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
      throw new TypeError(`Cannot connect: only the local host is allowed, got ${target.hostname}`);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = deadlineIn(timeoutMs);
    const connecting = Deno.connect({ hostname: target.hostname, port: Number(target.port || 80) });
    let conn: Deno.Conn;
    try {
      conn = await withDeadline(connecting, deadline, "Cannot connect");
    } catch (error) {
      connecting.then((late) => late.close(), () => {});
      throw error;
    }
    const socket = new BufferedConn(conn);
    try {
      const { protocol, headers } = await runHandshake(socket, target, options, deadline);
      return new WsPeer(socket, protocol, headers, {
        timeoutMs,
        maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
        autoAnswer: options.autoAnswer ?? true,
      });
    } catch (error) {
      await socket.close();
      throw error;
    }
  }

  /** Send one masked binary message. */
  sendBinary(data: Uint8Array): Promise<void> {
    return this.sendFrame({ opcode: Opcode.BINARY, payload: data });
  }

  /** Send one masked text message. */
  sendText(text: string): Promise<void> {
    return this.sendFrame({ opcode: Opcode.TEXT, payload: new TextEncoder().encode(text) });
  }

  /**
   * Send one message as `parts.length` frames: `opcode` on the first, continuation frames after,
   * FIN on the last. All frames go out in one write.
   */
  sendFragmented(opcode: number, parts: Uint8Array[]): Promise<void> {
    if (parts.length === 0) throw new RangeError("Cannot send fragmented message: no parts");
    const frames = parts.map((payload, index) =>
      encodeFrame({
        fin: index === parts.length - 1,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: index === 0 ? opcode : Opcode.CONTINUATION,
        payload,
        mask: randomMask(),
      })
    );
    return this.sendRaw(concatBytes(frames));
  }

  /** Send a ping with `payload` (at most 125 bytes for a well-behaved ping). */
  ping(payload: Uint8Array = new Uint8Array()): Promise<void> {
    return this.sendFrame({ opcode: Opcode.PING, payload });
  }

  /**
   * Send a close frame: empty without `code`, else the 2-byte code and the UTF-8 reason. Neither
   * is checked beyond fitting the frame, so a test can send codes the RFC forbids. Use
   * {@linkcode WsPeer.readClose} to wait for the answer.
   */
  close(code?: number, reason = ""): Promise<void> {
    let payload = new Uint8Array();
    if (code !== undefined) {
      if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
        throw new RangeError(`Cannot close: code ${code} does not fit 16 bits`);
      }
      const reasonBytes = new TextEncoder().encode(reason);
      payload = new Uint8Array(2 + reasonBytes.length);
      new DataView(payload.buffer).setUint16(0, code);
      payload.set(reasonBytes, 2);
    } else if (reason !== "") {
      throw new RangeError("Cannot close: a reason needs a code");
    }
    return this.sendFrame({ opcode: Opcode.CLOSE, payload });
  }

  /**
   * Send one frame, right or wrong. Defaults: FIN set, reserved bits clear, empty payload, a fresh
   * random mask (`mask: null` sends it unmasked). `options` can make the length field lie.
   */
  sendFrame(frame: WsFrameInit, options?: EncodeFrameOptions): Promise<void> {
    const bytes = encodeFrame({
      fin: frame.fin ?? true,
      rsv1: frame.rsv1 ?? false,
      rsv2: frame.rsv2 ?? false,
      rsv3: frame.rsv3 ?? false,
      opcode: frame.opcode,
      payload: frame.payload ?? new Uint8Array(),
      mask: frame.mask === undefined ? randomMask() : frame.mask,
    }, options);
    if (frame.opcode === Opcode.CLOSE) this.#closeSent = true;
    return this.sendRaw(bytes);
  }

  /** Write arbitrary bytes to the socket. */
  sendRaw(bytes: Uint8Array): Promise<void> {
    return this.#socket.write(bytes, deadlineIn(this.#timeoutMs), "Cannot send");
  }

  /**
   * Wait for the next message (fragments reassembled), control frame, or the end of the stream.
   * A server ping is answered with a pong before it is returned; a server close is answered with a
   * close echoing its code, unless this peer already sent one (or `autoAnswer` is off).
   * @throws {WsProtocolError} when the server breaks RFC 6455
   * @throws {Deno.errors.TimedOut} when nothing complete arrives within `timeoutMs`
   */
  receive(timeoutMs: number = this.#timeoutMs): Promise<WsEvent> {
    return this.#receive(deadlineIn(timeoutMs), "Cannot receive a WebSocket event");
  }

  /**
   * Skip data messages and control frames until a close frame (answered as in
   * {@linkcode WsPeer.receive}) or the end of the stream.
   * @throws {Deno.errors.TimedOut} when neither comes within `timeoutMs`
   */
  async readClose(timeoutMs: number = this.#timeoutMs): Promise<WsCloseResult> {
    const deadline = deadlineIn(timeoutMs);
    for (;;) {
      const event = await this.#receive(deadline, "Cannot read the close");
      if (event.type === "close") return { code: event.code, reason: event.reason };
      if (event.type === "eof") return { code: null, reason: "" };
    }
  }

  /** Drop the TCP connection without a close frame. Safe to call more than once. */
  closeSocket(): Promise<void> {
    return this.#socket.close();
  }

  /** Same as {@linkcode WsPeer.closeSocket}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.closeSocket();
  }

  async #receive(deadline: Deadline, what: string): Promise<WsEvent> {
    for (;;) {
      const decoded = decodeFrame(this.#socket.buffered, 0, {
        maxPayloadBytes: this.#maxPayloadBytes,
      });
      if (decoded === null) {
        if (!(await this.#socket.fill(deadline, what))) return { type: "eof" };
        continue;
      }
      this.#socket.consume(decoded.bytesUsed);
      const event = await this.#handleFrame(decoded.frame);
      if (event !== null) return event;
    }
  }

  async #handleFrame(frame: WsFrame): Promise<WsEvent | null> {
    if (frame.mask !== null) {
      throw new WsProtocolError("masked_frame", "Cannot receive: the server sent a masked frame");
    }
    switch (frame.opcode) {
      case Opcode.PING:
        if (!this.#closeSent && this.#autoAnswer) await this.#answer(Opcode.PONG, frame.payload);
        return { type: "ping", data: frame.payload };
      case Opcode.PONG:
        return { type: "pong", data: frame.payload };
      case Opcode.CLOSE:
        return await this.#handleClose(frame.payload);
      case Opcode.TEXT:
      case Opcode.BINARY:
        if (this.#fragments !== null) {
          throw new WsProtocolError(
            "bad_continuation",
            "Cannot receive: a new data frame started inside a fragmented message",
          );
        }
        if (frame.fin) return toMessage(frame.opcode, frame.payload);
        this.#fragments = { opcode: frame.opcode, parts: [frame.payload] };
        return null;
      case Opcode.CONTINUATION: {
        const fragments = this.#fragments;
        if (fragments === null) {
          throw new WsProtocolError(
            "bad_continuation",
            "Cannot receive: a continuation frame came outside a fragmented message",
          );
        }
        fragments.parts.push(frame.payload);
        if (!frame.fin) return null;
        this.#fragments = null;
        return toMessage(fragments.opcode, concatBytes(fragments.parts));
      }
      default:
        throw new WsProtocolError(
          "unknown_opcode",
          `Cannot receive: unknown opcode 0x${frame.opcode.toString(16)}`,
        );
    }
  }

  async #handleClose(payload: Uint8Array): Promise<WsEvent> {
    if (payload.length === 1) {
      throw new WsProtocolError("bad_close_payload", "Cannot receive: close payload of 1 byte");
    }
    const code = payload.length === 0
      ? null
      : new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint16(0);
    let reason: string;
    try {
      reason = UTF8.decode(payload.subarray(2));
    } catch (cause) {
      throw new WsProtocolError("invalid_utf8", "Cannot receive: close reason is not UTF-8", {
        cause,
      });
    }
    if (!this.#closeSent && this.#autoAnswer) {
      this.#closeSent = true;
      await this.#answer(Opcode.CLOSE, payload.subarray(0, code === null ? 0 : 2));
    }
    return { type: "close", code, reason };
  }

  /** Send an automatic answer; the server may already be gone, which is no error of the test. */
  async #answer(opcode: number, payload: Uint8Array): Promise<void> {
    try {
      await this.sendFrame({ opcode, payload });
    } catch {
      // The server closed first; the test sees that as eof on its next receive.
    }
  }
}

function toMessage(opcode: number, payload: Uint8Array): WsEvent {
  if (opcode === Opcode.BINARY) return { type: "binary", data: payload };
  try {
    return { type: "text", text: UTF8.decode(payload) };
  } catch (cause) {
    throw new WsProtocolError("invalid_utf8", "Cannot receive: text message is not UTF-8", {
      cause,
    });
  }
}
