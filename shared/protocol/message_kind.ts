/**
 * Wire codes of every message kind. Codes stay under 128 so a kind takes one byte; client → server
 * kinds live in 1..63 and server → client kinds in 64..127, so a decoder can reject a message sent
 * the wrong way before it reads anything else.
 */
export const MessageKind = {
  JOIN: 1,
  INPUT: 2,
  ACK: 3,
  PING: 4,
  COMMAND: 5,
  WELCOME: 64,
  SNAPSHOT: 65,
  EVENT: 66,
  PONG: 67,
  ERROR: 68,
} as const;

/** One of the wire codes in {@linkcode MessageKind}. */
export type MessageKind = typeof MessageKind[keyof typeof MessageKind];

/** Kinds a client may send. */
export type ClientMessageKind =
  | typeof MessageKind.JOIN
  | typeof MessageKind.INPUT
  | typeof MessageKind.ACK
  | typeof MessageKind.PING
  | typeof MessageKind.COMMAND;

/** Kinds a server may send. */
export type ServerMessageKind = Exclude<MessageKind, ClientMessageKind>;

const NAMES: Record<number, string> = {};
for (const [name, code] of Object.entries(MessageKind)) NAMES[code] = name.toLowerCase();

/** Lower-case name of a kind for error messages and logs, e.g. `snapshot`; `kind 99` if unknown. */
export function messageKindName(kind: number): string {
  return NAMES[kind] ?? `kind ${kind}`;
}

/** Whether `kind` is a code a client may send. */
export function isClientMessageKind(kind: number): kind is ClientMessageKind {
  return kind >= MessageKind.JOIN && kind <= MessageKind.COMMAND;
}

/** Whether `kind` is a code a server may send. */
export function isServerMessageKind(kind: number): kind is ServerMessageKind {
  return kind >= MessageKind.WELCOME && kind <= MessageKind.ERROR;
}
