import type { MessageKind } from "./message_kind.ts";

/** Version of the frame layout and message semantics; first byte of every frame. */
export const PROTOCOL_VERSION = 3;

/** WebSocket subprotocol a client must offer; the server answers with the same. */
export const SUBPROTOCOL = `game.v${PROTOCOL_VERSION}`;

/**
 * An input's aim travels as a whole number of these steps per radian (a zigzag varint in the
 * frame header): 0.006° is finer than any pointer aims, and an input needs no msgpack body.
 */
export const AIM_STEPS_PER_RADIAN = 10_000;

/** The aim as the server will see it; a client that predicts with its aim should use this. */
export function quantizeAim(aim: number): number {
  return Math.round(aim * AIM_STEPS_PER_RADIAN) / AIM_STEPS_PER_RADIAN;
}

/** Limits every decoder enforces; the spec in PROTOCOL.md lists the same numbers. */
export const LIMITS = {
  /** Largest WebSocket message a client may send. */
  maxClientMessageBytes: 4096,
  /** Largest WebSocket message a server may send. */
  maxServerMessageBytes: 4 * 1024 * 1024,
  /** Most frames in one WebSocket message. */
  maxFramesPerMessage: 64,
  /** Longest player name on the wire, in UTF-16 code units (an emoji may take 2 to 11). */
  maxNameChars: 64,
  /** Longest player name the server keeps, in user-perceived characters (grapheme clusters). */
  maxNameGraphemes: 24,
  /** Longest room id or game name. */
  maxRoomIdChars: 64,
  /** Longest reconnect token. */
  maxTokenChars: 512,
  /** Longest error reason or event text. */
  maxTextChars: 256,
  /** Most entities in one snapshot. */
  maxEntities: 65_536,
  /** Most numbers in a snapshot's global section. */
  maxGlobalValues: 65_536,
  /** Most fields per entity. */
  maxEntityFields: 32,
  /** Largest magnitude of an input's aim, radians. */
  maxAimRadians: 1000,
  /**
   * Largest magnitude of a ping's client time, ms: half the 2^53 a pong may carry, so the server
   * can always echo it advanced by the time it held the pong.
   */
  maxPingTimeMs: 2 ** 52,
  /** Largest magnitude of a time the server sends (a pong's two times), ms. */
  maxTimeMs: 2 ** 53,
} as const;

/** Client → server: enter a room. */
export interface JoinMessage {
  kind: typeof MessageKind.JOIN;
  /** {@linkcode PROTOCOL_VERSION} the client was built with. */
  protocolVersion: number;
  /** Game to play when joining any room or creating one, e.g. `arena`. */
  game: string;
  /** Room id, or `any` for the server to choose (join-or-create). */
  room: string;
  /**
   * Display name. The server removes control and direction characters, collapses white space,
   * normalises to NFC and keeps 24 user-perceived characters; a name left empty is refused.
   */
  name: string;
  /** Token from an earlier welcome to resume a dropped seat, or `""`. */
  reconnectToken: string;
  /**
   * Seat reserved by `POST /matchmake` (its `seat`); `room` is then the room id it names. Absent or
   * `""`: no seat (a direct join).
   */
  seat?: string;
}

/** Client → server: the buttons held and the aim for one client tick. */
export interface InputMessage {
  kind: typeof MessageKind.INPUT;
  /** Increases by one per input; the server applies each once, in order. */
  sequence: number;
  /** The server tick the client believed it was at; informational. */
  clientTick: number;
  /** Game-defined bit field of held buttons. */
  buttons: number;
  /** Aim angle in radians. */
  aim: number;
  /**
   * The whole server tick of the time the client was drawing the other entities at when it
   * sampled this input (its interpolation's render time, never past its newest snapshot), or 0
   * before it drew any: the server judges the input's shots against the world of that moment
   * (lag compensation).
   * @default 0
   */
  viewTick?: number;
  /**
   * How far the drawing was from `viewTick` towards the next tick, in 1/256 of a tick (0..255).
   * @default 0
   */
  viewAlpha?: number;
}

/** An input's {@linkcode InputMessage.viewAlpha} counts this many steps per tick. */
export const VIEW_ALPHA_STEPS = 256;

/** Client → server: the newest snapshot tick the client has received and applied. */
export interface AckMessage {
  kind: typeof MessageKind.ACK;
  tick: number;
}

/** Client → server: round-trip probe, echoed by a pong. */
export interface PingMessage {
  kind: typeof MessageKind.PING;
  /** Client clock when sent, in ms; echoed unchanged. */
  clientTimeMs: number;
}

/** Server → client: the join succeeded. */
export interface WelcomeMessage {
  kind: typeof MessageKind.WELCOME;
  /** Entity id of the client's own player. */
  playerId: number;
  roomId: string;
  game: string;
  /** Simulation ticks per second. */
  tickRateHz: number;
  /** A snapshot is sent every this many ticks. */
  snapshotEveryTicks: number;
  /** Server tick at the time of the welcome. */
  tick: number;
  /** Present this token in a later join to resume the seat after a drop. */
  reconnectToken: string;
  /** Names of the entity columns, in snapshot order; the first is always `id`. */
  entityFields: string[];
  /** Per column: quantization steps per unit (a value travels as `round(value × scale)`). */
  entityScales: number[];
  /** Per column: period in steps of a wrapping value (an angle), or 0. */
  entityWraps: number[];
  /** Columns that change on most ticks: bit `c − 1` for column `c`. */
  entityHotMask: number;
  /** Per column: index of the column holding its change per tick (it is predicted), or 0. */
  entityVelocities: number[];
}

/** Server → client: the authoritative state the client may see at one tick. */
export interface SnapshotMessage {
  kind: typeof MessageKind.SNAPSHOT;
  tick: number;
  /** Tick this snapshot is relative to, or 0 for a full snapshot. */
  baselineTick: number;
  /** Newest input sequence of this client the server has applied. */
  lastInputSequence: number;
  /**
   * The entities the client may see, coded against the snapshot of `baselineTick` (or in full
   * when it is 0) as PROTOCOL.md describes; `SnapshotHistory` decodes them.
   */
  entities: Uint8Array;
  /** Game-wide numbers (e.g. the scoreboard), or `null` when unchanged since the baseline. */
  global: number[] | null;
}

/** Server → client: something that happened, e.g. a hit, a chat line, a player joining. */
export interface EventMessage {
  kind: typeof MessageKind.EVENT;
  tick: number;
  /** Short event name, e.g. `joined`, `left`, `hit`, `kill`, `chat`. */
  type: string;
  /** Entity that caused it, or 0. */
  actor: number;
  /** Entity it happened to, or 0. */
  target: number;
  /** A number the event carries (damage, score), or 0. */
  value: number;
  /** Text the event carries (a name, a chat line), or `""`. */
  text: string;
}

/** Server → client: answer to a ping. */
export interface PongMessage {
  kind: typeof MessageKind.PONG;
  /**
   * The ping's `clientTimeMs` advanced by how long the server held the answer for the room's next
   * tick message (unchanged before the join): receipt time minus it is the network round trip.
   */
  clientTimeMs: number;
  /** Server clock when answered, in ms since the server started. */
  serverTimeMs: number;
}

/** Server → client: a request failed; sent just before a close with the same code. */
export interface ErrorMessage {
  kind: typeof MessageKind.ERROR;
  /** A close code from `CloseCode`. */
  code: number;
  reason: string;
}

/** Anything a client sends. */
export type ClientMessage = JoinMessage | InputMessage | AckMessage | PingMessage;

/** Anything a server sends. */
export type ServerMessage =
  | WelcomeMessage
  | SnapshotMessage
  | EventMessage
  | PongMessage
  | ErrorMessage;

/** Any message. */
export type Message = ClientMessage | ServerMessage;
