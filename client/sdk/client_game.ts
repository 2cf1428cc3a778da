import type { CommandSpec, InputLayout } from "../../shared/protocol/mod.ts";
import type { InterpolatedEntity } from "../netcode/interpolation_buffer.ts";
import type { PredictionModel } from "./prediction.ts";
import type { GameSession } from "./game_session.ts";

/** What a game's client module draws from, each frame. */
export interface ClientFrame<Body> {
  /** Local time of the frame, ms. */
  nowMs: number;
  /** Everything but the own player, interpolated between snapshots. */
  others: readonly InterpolatedEntity[];
  /** The own player as predicted (drawn where `ownPosition` says), or undefined before it exists. */
  own: Body | undefined;
  /** Where to draw the own player: the prediction with its correction fading out. */
  ownPosition: { x: number; y: number };
  /** The newest snapshot's global numbers (phases, scores). */
  global: readonly number[];
}

/**
 * One game's client: the parts the SDK cannot know. The SDK (`client/sdk/`) connects, joins,
 * reconnects, decodes and buffers snapshots, interpolates the others, predicts the own player
 * with `prediction`, samples and sends `sampleInput` every tick and draws every frame with
 * `render`.
 */
export interface ClientGame<Input, Body extends { x: number; y: number }> {
  /** The game's name on the server, e.g. `racing`. */
  readonly name: string;
  /** The game's input declaration (the same object the server uses). */
  readonly input: InputLayout;
  /** The commands the client may send (checked before sending). */
  readonly commands?: Readonly<Record<string, CommandSpec>>;
  /** Which snapshot columns hold the position and the facing (for interpolation). */
  readonly positionFields: { x: string; y: string; angle: string };
  /** This tick's input from the keys held now (`KeyboardEvent.code`s). */
  sampleInput(keys: ReadonlySet<string>): Input;
  /** The input as the values of its declaration's fields, in order. */
  inputValues(input: Input): number[];
  /** Own-player prediction with the game's shared rules. */
  readonly prediction: PredictionModel<Input, Body>;
  /** A key went down: return a command to send for it (e.g. Enter → `ready`), if any. */
  commandForKey?(code: string): { name: string; args: (string | number | boolean)[] } | undefined;
  /** Draw one frame. */
  render(
    ctx: CanvasRenderingContext2D,
    frame: ClientFrame<Body>,
    session: GameSession<Input, Body>,
  ): void;
}
