/**
 * WebSocket close codes the server uses (RFC 6455 §7.4.1 plus our application range from 4000).
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  /** The client speaks another protocol version than the server. */
  VERSION_MISMATCH: 4000,
  /** The join named a room that does not exist. */
  ROOM_NOT_FOUND: 4001,
  /** The room has no free seat. */
  ROOM_FULL: 4002,
  /** The game refused the join (its own reason follows). */
  JOIN_REFUSED: 4003,
  /** A message came before the join, or a second join came. */
  NOT_JOINED: 4004,
  /** The client stopped reading; its queue grew past the limit. */
  SLOW_CLIENT: 4005,
  /** The room closed (its game failed or the room was disposed). */
  ROOM_CLOSED: 4006,
  /** A reconnect token was forged, expired, used for another room, or its seat is gone. */
  BAD_TOKEN: 4007,
  /** No room can be created now: the server is at its room cap, or this address created too many. */
  ROOM_LIMIT: 4008,
  /** A seat from matchmaking was forged, expired, already used, or is for another process. */
  SEAT_REFUSED: 4009,
} as const;

/** One of the codes in {@linkcode CloseCode}. */
export type CloseCode = typeof CloseCode[keyof typeof CloseCode];

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
