import {
  type ArenaInput,
  type ArenaPlayer,
  movePlayer,
  newPlayer,
} from "../../../shared/game/arena/mod.ts";
import type { PredictionModel } from "../../sdk/mod.ts";

/**
 * How the arena predicts its own player: a full {@linkcode ArenaPlayer} from the snapshot row
 * (so the shared `movePlayer` runs on it unchanged), moved by each input exactly as the server
 * moves it. `movePlayer` leaves a dead player where it is, so a dead player is never predicted.
 * Inputs reach it sanitized (see `sanitizeInput`), as the server applies them.
 */
export const ARENA_PREDICTION: PredictionModel<ArenaInput, ArenaPlayer> = {
  fromRow(row, column) {
    const player = newPlayer(0, "");
    player.x = row[column("x")]!;
    player.y = row[column("y")]!;
    player.angle = row[column("angle")]!;
    player.hp = row[column("hp")]!;
    return player;
  },
  move: movePlayer,
};
