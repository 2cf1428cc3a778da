import type { CommandSpec, EventMessage, InputLayout } from "../../shared/protocol/mod.ts";
import type { InterpolatedEntity } from "../netcode/interpolation_buffer.ts";
import type { DebugSwitches, DebugView } from "../ui/debug_overlay.ts";
import type { GameSession } from "./game_session.ts";
import type { Point, PredictionModel } from "./prediction.ts";

/** What a game's client module draws from, each frame. */
export interface ClientFrame<Body> {
  /** Local time of the frame, ms. */
  nowMs: number;
  /** Everything but the own player, interpolated between snapshots (drawn in the past). */
  others: readonly InterpolatedEntity[];
  /**
   * The own player: the prediction's body, or (prediction switched off in the net-debug
   * overlay) the body of its interpolated row; undefined while it is not in the world.
   */
  own: Body | undefined;
  /** Where to draw the own player: the prediction with its correction fading out. */
  ownPosition: Point;
  /** The own player's row in the newest snapshot (the server's word on its other fields). */
  ownRow: readonly number[] | undefined;
  /** The newest snapshot's global numbers (phases, scores). */
  global: readonly number[];
  /** The net-debug overlay's switches (outline the server's positions, show lag compensation). */
  debug: Readonly<DebugSwitches>;
  /** Whether the HUD is shown (H hides it): draw the game's own overlays (minimap…) only then. */
  overlays: boolean;
}

/** A command the client sends: its declared name and positional arguments. */
export interface ClientCommand {
  name: string;
  args: (string | number | boolean)[];
}

/** What a game's client gets once, before the first connection, to set up its page. */
export interface GamePage {
  /** The game's canvas: listen to its pointer events here. */
  canvas: HTMLCanvasElement;
  /**
   * Send a command now, checked against the game's declaration first; a mistake (or no
   * connection) is logged to the console, not sent.
   */
  sendCommand(name: string, args: (string | number | boolean)[]): void;
}

/**
 * One game's client: the parts the SDK cannot know. The SDK (`client/sdk/`) connects, joins,
 * reconnects, decodes and buffers snapshots, interpolates the others, predicts the own player
 * with `prediction`, samples and sends `sampleInput` every server tick, and draws every frame
 * with `render`. The optional hooks let a game keep state of its own from events and inputs.
 */
export interface ClientGame<Input, Body extends Point> {
  /** The game's name on the server, e.g. `racing`. */
  readonly name: string;
  /** The game's input declaration (the same object the server uses). */
  readonly input: InputLayout;
  /** The commands the client may send (checked before sending). */
  readonly commands?: Readonly<Record<string, CommandSpec>>;
  /** Which snapshot columns hold the position and the facing (for interpolation). */
  readonly positionFields: { x: string; y: string; angle: string };
  /** The controls, one line under the HUD (`WASD move · Enter ready`). */
  readonly controls?: string;
  /** Own-player prediction with the game's shared rules. */
  readonly prediction: PredictionModel<Input, Body>;
  /**
   * The debug views `render` draws when `frame.debug` asks (server-position outlines, the lag
   * compensation view); the F3 overlay offers a switch for each.
   * @default []
   */
  readonly debugViews?: readonly DebugView[];
  /** Once, before connecting: listen to the canvas, add the game's own controls to the page. */
  mount?(page: GamePage): void;
  /**
   * This tick's input from the keys held now (`KeyboardEvent.code`s). It is sent as it is and
   * predicted with, so it must already be what the server will apply (quantized, wrapped).
   */
  sampleInput(keys: ReadonlySet<string>): Input;
  /** The input as the values of its declaration's fields, in order. */
  inputValues(input: Input): number[];
  /** A key went down: return a command to send for it (e.g. Enter → `ready`), if any. */
  commandForKey?(code: string): ClientCommand | undefined;
  /**
   * A tick's input was sent and predicted (the arena draws a shot at once here).
   * @param tickTimeMs the tick's scheduled local time, ms
   */
  inputSent?(input: Input, tickTimeMs: number, session: GameSession<Input, Body>): void;
  /**
   * A server event arrived, at local time `atMs` (after the net-debug overlay's simulated
   * delay). Each connection has its own session: state kept per connection starts over when
   * `session` changes.
   */
  event?(event: EventMessage, atMs: number, session: GameSession<Input, Body>): void;
  /** Draw one frame. */
  render(
    ctx: CanvasRenderingContext2D,
    frame: ClientFrame<Body>,
    session: GameSession<Input, Body>,
  ): void;
}
