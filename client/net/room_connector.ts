/**
 * How a browser client reaches its room, shared by the arena client and the client SDK: resume
 * the seat on the process that owns the room, or else ask `/matchmake` for a seat and connect to
 * the process it names, over WebTransport when that process offers it (else WebSocket).
 * @module
 */
import { CloseCode } from "../../shared/protocol/mod.ts";
import {
  type GameConnection,
  type GameConnectionOptions,
  JoinRefusedError,
} from "./game_connection.ts";
import { matchmake } from "./matchmake.ts";
import {
  openGameConnection,
  type TransportDocument,
  type TransportPreference,
} from "./transport_choice.ts";

/** Where a {@linkcode RoomConnector} matchmakes and what transport the player asked for. */
export interface RoomConnectorOptions {
  /** `http://host/matchmake` of the process that served the page. */
  matchmakeUrl: string;
  /** What `?transport=` asked for. */
  transport: TransportPreference;
}

/** What every join sends besides where: the game, the player's name, its input layout. */
export type JoinBase = Omit<GameConnectionOptions, "url" | "room" | "seat" | "reconnectToken">;

/**
 * Opens connections to the process that owns the room. It remembers that process (from the last
 * matchmaking) so a reconnect with a seat token goes straight back to it; once the owner cannot
 * be reached, or it refuses the seat, the next attempt goes through `/matchmake` again.
 */
export class RoomConnector {
  readonly #matchmakeUrl: string;
  readonly #transport: TransportPreference;
  /** WebSocket URL of the process that owns our room, from the last matchmaking. */
  #ownerUrl: string | undefined;

  /** @param options where to matchmake and the transport asked for */
  constructor(options: RoomConnectorOptions) {
    this.#matchmakeUrl = options.matchmakeUrl;
    this.#transport = options.transport;
  }

  /** Whether a reconnect can go straight to the owner (else it will matchmake). */
  get knowsOwner(): boolean {
    return this.#ownerUrl !== undefined;
  }

  /** Forget the owner: the next {@linkcode RoomConnector.open} matchmakes. */
  forgetOwner(): void {
    this.#ownerUrl = undefined;
  }

  /**
   * Resume the seat of `reconnectToken` in `room` on the owner, or else matchmake for `room` (an
   * id, a name, `any` or `new`) and join with the seat it gives.
   * @throws {MatchmakeError} when matchmaking refuses or fails
   * @throws {JoinRefusedError} when the process refuses the join or cannot be reached
   */
  async open(
    base: JoinBase,
    room: string,
    reconnectToken: string | undefined,
  ): Promise<GameConnection> {
    const ownerUrl = this.#ownerUrl;
    if (reconnectToken !== undefined && ownerUrl !== undefined) {
      try {
        return await this.#openOver({ ...base, url: ownerUrl, room, reconnectToken });
      } catch (error) {
        // An application refusal (4xxx) is the caller's to handle; an owner that cannot be
        // reached (it stopped or crashed) sends the next attempt through matchmaking.
        if (!(error instanceof JoinRefusedError) || error.code < 4000) this.#ownerUrl = undefined;
        throw error;
      }
    }
    const ticket = await matchmake(this.#matchmakeUrl, base.game, room, base.timeoutMs);
    this.#ownerUrl = ticket.url;
    return await this.#openOver({
      ...base,
      url: ticket.url,
      room: ticket.roomId,
      seat: ticket.seat,
    });
  }

  /**
   * After a close with `code`: whether the seat is gone, so the client must matchmake afresh
   * (and the owner is forgotten). `now` says to go at once (a stale token); otherwise with the
   * backoff (a refused seat: a cluster that keeps answering wrong is not asked in a tight loop).
   */
  seatLost(code: number): { now: boolean } | undefined {
    if (code !== CloseCode.BAD_TOKEN && code !== CloseCode.SEAT_REFUSED) return undefined;
    this.#ownerUrl = undefined;
    return { now: code === CloseCode.BAD_TOKEN };
  }

  /**
   * Connect to the process at `options.url` over WebTransport when it offers it (its
   * `/transport` document) and the browser has it, else, or after 1.5 s, over its WebSocket.
   */
  #openOver(options: GameConnectionOptions): Promise<GameConnection> {
    const owner = new URL(options.url.replace(/^ws/, "http"));
    return openGameConnection(options, {
      preference: this.#transport,
      hostname: owner.hostname,
      document: () =>
        fetch(new URL("/transport", owner)).then((response) =>
          response.ok ? response.json() as Promise<TransportDocument> : null
        ),
    });
  }
}

/** The HUD's name of a connection's transport. */
export function transportLabel(connection: GameConnection): string {
  return connection.transport === "webtransport" ? "WebTransport" : "WebSocket";
}
