/**
 * The close codes of this protocol: every code the server closes a socket with, and the `code`
 * of an error frame, is one of these. Signatures that send a code take the type, not a number.
 * @module
 */

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
  /** Out of order: a message came before the join, or a second join on the same connection. */
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

/** One of the codes in {@linkcode CloseCode}: what the server may close a socket with. */
export type CloseCode = typeof CloseCode[keyof typeof CloseCode];
