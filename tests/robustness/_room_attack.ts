/**
 * A room-creation attack from one address: connect, join room `new`, close, as fast as the server
 * answers, a bounded number of times. Shared by `room_creation_test.ts` and
 * `tests/bench/room_attack.ts`.
 * @module
 */
import {
  CloseCode,
  encodeBatch,
  FrameDecoder,
  MessageKind,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
} from "../../shared/protocol/mod.ts";

/** What the attack achieved. */
export interface RoomAttackResult {
  /** Joins welcomed: each created a room. */
  created: number;
  /** Joins refused with 4008 (room cap or creation rate). */
  refused: number;
  /** Other answers: other close codes, timeouts. */
  other: number;
  /** Wall time of the attack, ms. */
  elapsedMs: number;
}

/** Settings of {@linkcode attackRooms}. */
export interface RoomAttackOptions {
  /** Game to create rooms of. */
  game: string;
  /** Connect–join–close loops in all. */
  loops: number;
  /** Loops at once (stay under the per-address connection limit). @default 8 */
  concurrency?: number;
  /** Longest wait for one loop's answer, ms. @default 3000 */
  timeoutMs?: number;
}

/** One loop: `"created"`, `"refused"` or `"other"`. */
function createOnce(
  wsUrl: string,
  join: Uint8Array,
  timeoutMs: number,
): Promise<keyof Omit<RoomAttackResult, "elapsedMs">> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, SUBPROTOCOL);
    socket.binaryType = "arraybuffer";
    const decoder = new FrameDecoder();
    let answer: "created" | "refused" | "other" | undefined;
    const finish = (outcome: "created" | "refused" | "other") => {
      answer ??= outcome;
      clearTimeout(timer);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    };
    const timer = setTimeout(() => finish("other"), timeoutMs);
    socket.onopen = () => socket.send(join);
    socket.onmessage = (event) => {
      try {
        const messages = decoder.decodeServerBatch(new Uint8Array(event.data as ArrayBuffer));
        if (messages.some((message) => message.kind === MessageKind.WELCOME)) finish("created");
      } catch {
        finish("other");
      }
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      finish(event.code === CloseCode.ROOM_LIMIT ? "refused" : "other");
      resolve(answer ?? "other");
    };
  });
}

/** A join of room `new` of `game`: each one creates a room. */
export function newRoomJoin(game: string): Uint8Array {
  return encodeBatch([{
    kind: MessageKind.JOIN,
    protocolVersion: PROTOCOL_VERSION,
    game,
    room: "new",
    name: "mallory",
    reconnectToken: "",
  }]);
}

/** Run the attack against `wsUrl`; every loop ends before this resolves. */
export async function attackRooms(
  wsUrl: string,
  options: RoomAttackOptions,
): Promise<RoomAttackResult> {
  const join = newRoomJoin(options.game);
  const result: RoomAttackResult = { created: 0, refused: 0, other: 0, elapsedMs: 0 };
  const startMs = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < options.loops) {
      next++;
      result[await createOnce(wsUrl, join, options.timeoutMs ?? 3000)]++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  result.elapsedMs = performance.now() - startMs;
  return result;
}
