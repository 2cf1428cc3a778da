/** What `POST /matchmake` answers: where to connect and the seat to present in the join. */
export interface MatchTicket {
  /** WebSocket URL of the process that owns the room. */
  url: string;
  /** The room's id (`<name>.<processId>`): the join's `room`. */
  roomId: string;
  /** Short-lived signed reservation: the join's `seat`. */
  seat: string;
}

/** Matchmaking refused or failed; `status` is the HTTP status (0: no answer). */
export class MatchmakeError extends Error {
  /** HTTP status: 409 full, 503 directory down or no process, 0 unreachable. */
  readonly status: number;

  /** @param status HTTP status or 0; @param message the server's reason */
  constructor(status: number, message: string) {
    super(message);
    this.name = "MatchmakeError";
    this.status = status;
  }
}

/**
 * Ask the server at `matchmakeUrl` (e.g. `http://127.0.0.1:8000/matchmake`) for a seat in `room`
 * (`any`, `new`, a name or a room id) of `game`.
 * @throws {MatchmakeError} when refused, unreachable or not answered within `timeoutMs`
 */
export async function matchmake(
  matchmakeUrl: string,
  game: string,
  room: string,
  timeoutMs = 5000,
): Promise<MatchTicket> {
  let response: Response;
  try {
    response = await fetch(matchmakeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ game, room }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new MatchmakeError(0, `Cannot reach ${matchmakeUrl}: ${detail}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new MatchmakeError(response.status, `Matchmaking answered ${response.status}, not JSON`);
  }
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  if (!response.ok) {
    const error = typeof fields.error === "string" ? fields.error : `status ${response.status}`;
    throw new MatchmakeError(response.status, error);
  }
  const { url, roomId, seat } = fields;
  if (typeof url !== "string" || typeof roomId !== "string" || typeof seat !== "string") {
    throw new MatchmakeError(response.status, "Matchmaking answered without url, roomId and seat");
  }
  return { url, roomId, seat };
}
