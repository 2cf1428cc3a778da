import { CloseCode } from "../../shared/protocol/mod.ts";

/**
 * What the client does after its connection closed, or a join failed, with a close code: show a
 * screen and wait for the player, try again after a backoff, or give up the seat and matchmake
 * afresh.
 */
export type CloseOutcome =
  | {
    kind: "screen";
    /** The full-window message: asking again would get the same answer. */
    screen: "version_mismatch" | "room_full" | "refused";
    reason: string;
  }
  | {
    kind: "retry";
    reason: string;
    /** The room we were in is gone: join the room first asked for (`?room=`), not it. */
    joinAsAsked: boolean;
  }
  | {
    /** The seat is gone (grace over, server restarted, reservation expired or reused). */
    kind: "rematch";
    reason: string;
  };

/** What {@linkcode closeOutcome} needs to know beyond the code. */
export interface CloseContext {
  /** Whether the room we were in is another than the one first asked for (`?room=any` → a room). */
  inAnotherRoom: boolean;
  /** What the server said when the connection dropped, kept through the failed attempts after. */
  lostReason?: string | undefined;
}

/**
 * Decide what follows a close with `code` (0 when the connection failed without one) and the
 * server's `reason`.
 *
 * @example Usage
 * ```ts
 * import { closeOutcome } from "./close_outcome.ts";
 * import { CloseCode } from "../../shared/protocol/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const full = closeOutcome(CloseCode.ROOM_FULL, "Room is full", { inAnotherRoom: false });
 * assert.deepEqual(full, { kind: "screen", screen: "room_full", reason: "Room is full" });
 * const restart = closeOutcome(CloseCode.SERVICE_RESTART, "Restarting", { inAnotherRoom: true });
 * assert.deepEqual(restart, { kind: "retry", reason: "Restarting", joinAsAsked: false });
 * ```
 */
export function closeOutcome(code: number, reason: string, context: CloseContext): CloseOutcome {
  switch (code) {
    case CloseCode.VERSION_MISMATCH:
    case CloseCode.PROTOCOL_ERROR:
      return { kind: "screen", screen: "version_mismatch", reason: reason || "Protocol error" };
    case CloseCode.ROOM_FULL:
      return { kind: "screen", screen: "room_full", reason };
    case CloseCode.ROOM_NOT_FOUND:
      // The room we were in is gone (a server restart): join as first asked. A room asked for
      // by name that does not exist will not appear by asking again.
      return context.inAnotherRoom
        ? { kind: "retry", reason: "The room closed", joinAsAsked: true }
        : { kind: "screen", screen: "refused", reason };
    case CloseCode.BAD_TOKEN:
    case CloseCode.SEAT_REFUSED:
      return { kind: "rematch", reason: reason || "The seat was refused" };
    case CloseCode.JOIN_REFUSED:
      return { kind: "screen", screen: "refused", reason };
    default:
      return {
        kind: "retry",
        reason: context.lostReason ?? (reason || `Connection closed (${code})`),
        joinAsAsked: false,
      };
  }
}
