import { arenaOptionsFrom, createArenaGame } from "../../server/games/arena.ts";
import {
  assertReplayable,
  type Recording,
  type ReplayableGame,
} from "../../shared/recording/mod.ts";

/**
 * The game a recording names, built with its recorded options: the page replays with the same
 * rules module the server ran (the arena adapter is plain TypeScript with no server imports).
 * @throws {RecordingVersionError} for another protocol or game version
 * @throws {TypeError} for a game this page cannot replay
 */
export function replayGameFor(recording: Recording): ReplayableGame<unknown> {
  const header = recording.header;
  if (header.game !== "arena") {
    throw new TypeError(
      `Cannot replay recording: it is of game ${header.game}, this page replays arena`,
    );
  }
  const game = createArenaGame(arenaOptionsFrom(header.gameOptions));
  assertReplayable(header, game);
  return game as ReplayableGame<unknown>;
}
