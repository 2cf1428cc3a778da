/**
 * RFC 6455 §5.2 frame codec for tests. The encoder can also write frames that break the RFC on
 * purpose (reserved bits, unknown opcodes, unmasked client frames, a length that lies), so tests
 * can misbehave towards the server.
 * @module
 */

/** WebSocket opcodes (RFC 6455 §11.8). A frame may carry any 4-bit value; these are the known ones. */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** One of the known opcodes in {@linkcode Opcode}. */
export type Opcode = typeof Opcode[keyof typeof Opcode];

/** One frame as it is on the wire; `payload` is always the unmasked application data. */
export interface WsFrame {
  /** Last frame of a message. */
  fin: boolean;
  /** Reserved bit 1 (only meaningful with a negotiated extension). */
  rsv1: boolean;
  /** Reserved bit 2. */
  rsv2: boolean;
  /** Reserved bit 3. */
  rsv3: boolean;
  /** 4-bit opcode, known ({@linkcode Opcode}) or not. */
  opcode: number;
  /** Unmasked payload bytes. */
  payload: Uint8Array;
  /** 4-byte masking key, or `null` for an unmasked frame. */
  mask: Uint8Array | null;
}

/** Options of {@linkcode encodeFrame}, mostly for writing deliberately wrong frames. */
export interface EncodeFrameOptions {
  /**
   * Payload length written in the header, even if it differs from the bytes written after it.
   * A bigint reaches the full 64 bits, including the most significant bit the RFC forbids.
   * @default {payload.length}
   */
  announcedLength?: number | bigint;
  /**
   * Size of the length field: 7 bits, or 7 + 16 or 7 + 64 bits even where a shorter form fits
   * (the RFC demands the shortest).
   * @default {the shortest form that holds the announced length}
   */
  lengthBits?: 7 | 16 | 64;
}

/** Options of {@linkcode decodeFrame}. */
export interface DecodeFrameOptions {
  /**
   * Check the per-frame rules of RFC 6455 §5.2 and §5.5: no reserved bits, a known opcode, control
   * frames unfragmented and at most 125 bytes. Off, only the length field is checked.
   * @default {true}
   */
  strict?: boolean;
  /**
   * Largest payload accepted; a frame announcing more is rejected before its bytes arrive.
   * @default {67108864}
   */
  maxPayloadBytes?: number;
}

/** A frame decoded by {@linkcode decodeFrame} and the bytes it took. */
export interface DecodedFrame {
  /** The frame, its payload unmasked and copied out of the input. */
  frame: WsFrame;
  /** Header plus payload bytes, to advance the read offset by. */
  bytesUsed: number;
}

/** What broke the WebSocket protocol; see {@linkcode WsProtocolError}. */
export type WsProtocolErrorReason =
  | "reserved_bits"
  | "unknown_opcode"
  | "bad_control_frame"
  | "bad_length"
  | "too_big"
  | "masked_frame"
  | "bad_continuation"
  | "invalid_utf8"
  | "bad_close_payload";

/** Bytes from the other side break RFC 6455; `reason` says how. */
export class WsProtocolError extends Error {
  /** The rule that was broken. */
  readonly reason: WsProtocolErrorReason;

  /** @param message sentence case, no final period */
  constructor(reason: WsProtocolErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WsProtocolError";
    this.reason = reason;
  }
}

const KNOWN_OPCODES: ReadonlySet<number> = new Set(Object.values(Opcode));
const MAX_CONTROL_PAYLOAD_BYTES = 125;
const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * Encode one frame. The payload is masked with `frame.mask` when it is not `null`.
 *
 * @example RFC 6455 §5.7: a single-frame unmasked text message
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeFrame, Opcode } from "./ws_peer.ts";
 *
 * const bytes = encodeFrame({
 *   fin: true, rsv1: false, rsv2: false, rsv3: false,
 *   opcode: Opcode.TEXT, payload: new TextEncoder().encode("Hello"), mask: null,
 * });
 * assert.deepEqual([...bytes], [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
 * ```
 */
export function encodeFrame(frame: WsFrame, options: EncodeFrameOptions = {}): Uint8Array {
  const { opcode, payload, mask } = frame;
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf) {
    throw new RangeError(`Cannot encode frame: opcode ${opcode} does not fit 4 bits`);
  }
  if (mask !== null && mask.length !== 4) {
    throw new RangeError(`Cannot encode frame: masking key has ${mask.length} bytes, needs 4`);
  }
  const announced = BigInt(options.announcedLength ?? payload.length);
  if (announced < 0n || announced > MAX_UINT64) {
    throw new RangeError(`Cannot encode frame: length ${announced} does not fit 64 bits`);
  }
  const lengthBits = options.lengthBits ?? (announced <= 125n ? 7 : announced <= 0xffffn ? 16 : 64);
  const lengthFieldMax = lengthBits === 7 ? 125n : lengthBits === 16 ? 0xffffn : MAX_UINT64;
  if (announced > lengthFieldMax) {
    throw new RangeError(
      `Cannot encode frame: length ${announced} does not fit a ${lengthBits}-bit length field`,
    );
  }
  const extraLengthBytes = lengthBits === 7 ? 0 : lengthBits === 16 ? 2 : 8;
  const headerBytes = 2 + extraLengthBytes + (mask === null ? 0 : 4);
  const out = new Uint8Array(headerBytes + payload.length);
  const view = new DataView(out.buffer);
  out[0] = (frame.fin ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | (frame.rsv2 ? 0x20 : 0) |
    (frame.rsv3 ? 0x10 : 0) | opcode;
  const maskBit = mask === null ? 0 : 0x80;
  if (lengthBits === 7) {
    out[1] = maskBit | Number(announced);
  } else if (lengthBits === 16) {
    out[1] = maskBit | 126;
    view.setUint16(2, Number(announced));
  } else {
    out[1] = maskBit | 127;
    view.setBigUint64(2, announced);
  }
  if (mask === null) {
    out.set(payload, headerBytes);
  } else {
    out.set(mask, headerBytes - 4);
    applyMask(payload, mask, out, headerBytes);
  }
  return out;
}

/**
 * Decode one frame starting at `offset`. Returns `null` while the bytes hold only part of it.
 *
 * @throws {WsProtocolError} when the header breaks RFC 6455 (see {@linkcode DecodeFrameOptions})
 * @example RFC 6455 §5.7: a single-frame masked text message
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeFrame } from "./ws_peer.ts";
 *
 * const bytes = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
 * const decoded = decodeFrame(bytes);
 * assert.equal(new TextDecoder().decode(decoded?.frame.payload), "Hello");
 * assert.equal(decoded?.bytesUsed, 11);
 * assert.equal(decodeFrame(bytes.subarray(0, 10)), null);
 * ```
 */
export function decodeFrame(
  bytes: Uint8Array,
  offset = 0,
  options: DecodeFrameOptions = {},
): DecodedFrame | null {
  const available = bytes.length - offset;
  const byte0 = bytes[offset];
  const byte1 = bytes[offset + 1];
  if (byte0 === undefined || byte1 === undefined) return null;
  const frameHead = {
    fin: (byte0 & 0x80) !== 0,
    rsv1: (byte0 & 0x40) !== 0,
    rsv2: (byte0 & 0x20) !== 0,
    rsv3: (byte0 & 0x10) !== 0,
    opcode: byte0 & 0x0f,
  };
  const masked = (byte1 & 0x80) !== 0;
  const length7 = byte1 & 0x7f;
  if (options.strict ?? true) checkHead(byte0, byte1);

  const extraLengthBytes = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const headerBytes = 2 + extraLengthBytes + (masked ? 4 : 0);
  if (available < headerBytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, headerBytes);
  let length: bigint;
  if (length7 === 126) length = BigInt(view.getUint16(2));
  else if (length7 === 127) length = view.getBigUint64(2);
  else length = BigInt(length7);
  if (length >= 1n << 63n) {
    throw new WsProtocolError(
      "bad_length",
      `Cannot decode frame: 64-bit length ${length} has its most significant bit set`,
    );
  }
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (length > BigInt(maxPayloadBytes)) {
    throw new WsProtocolError(
      "too_big",
      `Cannot decode frame: payload of ${length} bytes is over the limit of ${maxPayloadBytes}`,
    );
  }
  const payloadBytes = Number(length);
  if (available < headerBytes + payloadBytes) return null;

  const payloadStart = offset + headerBytes;
  const wirePayload = bytes.subarray(payloadStart, payloadStart + payloadBytes);
  let mask: Uint8Array | null = null;
  let payload: Uint8Array;
  if (masked) {
    mask = bytes.slice(payloadStart - 4, payloadStart);
    payload = new Uint8Array(payloadBytes);
    applyMask(wirePayload, mask, payload, 0);
  } else {
    payload = wirePayload.slice();
  }
  return { frame: { ...frameHead, payload, mask }, bytesUsed: headerBytes + payloadBytes };
}

/** A fresh random 4-byte masking key, as a client must use for every frame (RFC 6455 §5.3). */
export function randomMask(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(4));
}

function checkHead(byte0: number, byte1: number): void {
  const opcode = byte0 & 0x0f;
  const name = `0x${opcode.toString(16)}`;
  if ((byte0 & 0x70) !== 0) {
    throw new WsProtocolError(
      "reserved_bits",
      `Cannot decode frame: reserved bits set without an extension: first byte 0x${
        byte0.toString(16)
      }`,
    );
  }
  if (!KNOWN_OPCODES.has(opcode)) {
    throw new WsProtocolError("unknown_opcode", `Cannot decode frame: unknown opcode ${name}`);
  }
  if (opcode >= 0x8 && (byte0 & 0x80) === 0) {
    throw new WsProtocolError(
      "bad_control_frame",
      `Cannot decode frame: control frame ${name} is fragmented`,
    );
  }
  if (opcode >= 0x8 && (byte1 & 0x7f) > MAX_CONTROL_PAYLOAD_BYTES) {
    throw new WsProtocolError(
      "bad_control_frame",
      `Cannot decode frame: control frame ${name} is over ${MAX_CONTROL_PAYLOAD_BYTES} bytes`,
    );
  }
}

function applyMask(source: Uint8Array, mask: Uint8Array, target: Uint8Array, at: number): void {
  for (let i = 0; i < source.length; i++) {
    target[at + i] = (source[i] ?? 0) ^ (mask[i & 3] ?? 0);
  }
}
