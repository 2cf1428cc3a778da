/**
 * The client SDK: everything a game's browser client needs that is not the game. A game
 * supplies a {@linkcode ClientGame} module (its input declaration and input sampling, its shared
 * move function for prediction, its renderer, and optional hooks for events and sent inputs)
 * and calls {@linkcode runGame}; the SDK does matchmaking, the connection (WebTransport or
 * WebSocket) and reconnects (to the same seat while the server keeps it), snapshot decoding and
 * history, interpolation of the others, own-player prediction and reconciliation, the input loop
 * at the server's tick rate, commands, the HUD, the screens and the net-debug overlay (F3:
 * prediction and interpolation switches, a simulated worse network). `client/games/racing/` is
 * the small worked example, `client/games/arena/` the full one; lower-level pieces
 * (`NetSimulator`, `InterpolationBuffer`) are exported for games that need more.
 * @module
 */
export type { ClientCommand, ClientFrame, ClientGame, GamePage } from "./client_game.ts";
export { type FrameView, GameSession, type GameSessionOptions } from "./game_session.ts";
export {
  type ColumnLookup,
  type PendingInput,
  type Point,
  Prediction,
  type PredictionModel,
  type PredictionOptions,
} from "./prediction.ts";
export { type GameElements, type GameRunner, type GameSettings, runGame } from "./run_game.ts";
export { FixedRateTicker } from "./fixed_rate_ticker.ts";
export { GameConnection } from "../net/game_connection.ts";
export { NetSimulator } from "../net/net_simulator.ts";
export { type InterpolatedEntity, InterpolationBuffer } from "../netcode/interpolation_buffer.ts";
export { type DebugSwitches, DEFAULT_DEBUG_SWITCHES } from "../ui/debug_overlay.ts";
