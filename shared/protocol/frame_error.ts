import { CloseCode } from "./close_code.ts";

/** Why a frame was rejected; each reason maps to one close code. */
export const FrameErrorReason = {
  /** Fewer bytes than the layout needs. */
  TRUNCATED: "truncated",
  /** Bytes left over after the last frame or inside a body. */
  TRAILING_BYTES: "trailing_bytes",
  /** A format version this build does not speak. */
  UNSUPPORTED_VERSION: "unsupported_version",
  /** A kind code that is unknown or not allowed in this direction. */
  UNKNOWN_KIND: "unknown_kind",
  /** A varint that is overlong or does not fit 32 bits. */
  BAD_VARINT: "bad_varint",
  /** A body that is not valid msgpack. */
  BAD_MSGPACK: "bad_msgpack",
  /** A field with the wrong type, out of range, NaN or infinite. */
  BAD_FIELD: "bad_field",
  /** The message, a string or an array is over its limit. */
  TOO_BIG: "too_big",
  /** A text message where binary is expected. */
  NOT_BINARY: "not_binary",
} as const;

/** One of the reasons in {@linkcode FrameErrorReason}. */
export type FrameErrorReason = typeof FrameErrorReason[keyof typeof FrameErrorReason];

const CLOSE_CODE_BY_REASON: Record<FrameErrorReason, CloseCode> = {
  truncated: CloseCode.INVALID_PAYLOAD,
  trailing_bytes: CloseCode.INVALID_PAYLOAD,
  unsupported_version: CloseCode.PROTOCOL_ERROR,
  unknown_kind: CloseCode.PROTOCOL_ERROR,
  bad_varint: CloseCode.INVALID_PAYLOAD,
  bad_msgpack: CloseCode.INVALID_PAYLOAD,
  bad_field: CloseCode.INVALID_PAYLOAD,
  too_big: CloseCode.MESSAGE_TOO_BIG,
  not_binary: CloseCode.UNSUPPORTED_DATA,
};

/**
 * A message that cannot be decoded. The server answers it by closing the socket with
 * {@linkcode FrameError.closeCode}; it is never thrown past a socket handler.
 */
export class FrameError extends Error {
  /** What class of bad input this is. */
  readonly reason: FrameErrorReason;

  /** @param reason the class of bad input; @param message sentence case, no final period */
  constructor(reason: FrameErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FrameError";
    this.reason = reason;
  }

  /** The WebSocket close code that answers this error. */
  get closeCode(): CloseCode {
    return CLOSE_CODE_BY_REASON[this.reason];
  }
}
