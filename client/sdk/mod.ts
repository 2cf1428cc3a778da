/**
 * The client SDK: everything a game's browser client needs that is not the game. A game
 * supplies a {@linkcode ClientGame} module (its input declaration and key mapping, its shared
 * move function for prediction, its renderer) and calls {@linkcode runGame}; the SDK does the
 * connection and reconnects, snapshot decoding and history, interpolation of the others,
 * own-player prediction and reconciliation, the input loop at the server's tick rate, commands,
 * the HUD's numbers, and the net-debug overlay (F3: prediction and interpolation switches, a
 * simulated worse network). `client/games/racing/` is the worked example; lower-level pieces
 * (`NetSimulator`, `InterpolationBuffer`) are exported for games that need more.
 * @module
 */
export type { ClientFrame, ClientGame } from "./client_game.ts";
export { GameSession } from "./game_session.ts";
export { Prediction, type PredictionModel, type PredictionOptions } from "./prediction.ts";
export { type GameElements, type GameRunner, type GameSettings, runGame } from "./run_game.ts";
export { GameConnection } from "../net/game_connection.ts";
export { NetSimulator } from "../net/net_simulator.ts";
export { InterpolationBuffer } from "../netcode/interpolation_buffer.ts";
export { FixedRateTicker } from "../game/fixed_rate_ticker.ts";
