import type { GameConnection } from "../../client/net/game_connection.ts";

/**
 * Resolve once the server has handled everything this connection sent before: a ping is
 * answered in order, so its pong proves the earlier messages were processed.
 */
export function roundTrip(connection: GameConnection, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const previous = connection.handlers.onPong;
    const timer = setTimeout(() => reject(new Error("No pong in time")), timeoutMs);
    connection.handlers.onPong = (pong, at) => {
      connection.handlers.onPong = previous;
      clearTimeout(timer);
      previous?.(pong, at);
      resolve();
    };
    connection.ping();
  });
}
