import { Unpackr } from "msgpackr";
import type {
  RecordedArgValue,
  RecordedKeyframe,
  RecordedOp,
  RecordedTick,
  RecordingHeader,
} from "./format.ts";
import { StateHasher } from "./state_hasher.ts";

/**
 * Where a command handler's messages go in a replay: nowhere (a replay re-simulates the state;
 * nobody is connected to tell).
 */
export interface ReplayMessages {
  toPlayer(playerId: number, event: unknown): void;
  toRoom(event: unknown): void;
}

/** A command of a replayed game: its name and the handler the room ran. */
export interface ReplayableCommand<State> {
  readonly name: string;
  handle(
    state: State,
    playerId: number,
    args: Readonly<Record<string, RecordedArgValue>>,
    messages: ReplayMessages,
  ): void;
}

/**
 * What a replay needs of a game: the hooks of the room runtime's `Game` that change or read the
 * state. Any `Game` fits; it is restated here so browser code needs nothing of the server.
 */
export interface ReplayableGame<State, InputName extends string = string> {
  readonly name: string;
  readonly version?: string;
  createState(roomId: string, seed: number): State;
  join(state: State, name: string): number;
  leave(state: State, playerId: number): void;
  /** The game's commands; a recorded command the game does not declare stops the replay. */
  readonly commands?: readonly ReplayableCommand<State>[];
  applyInput(
    state: State,
    playerId: number,
    input: Readonly<Record<InputName, number>> & { readonly viewTime?: number },
    dtMs: number,
    events: unknown[],
    rewind?: never,
  ): void;
  step(state: State, dtMs: number, events: unknown[]): void;
  writeEntities(state: State, out: number[]): void;
  writeGlobal?(state: State, out: number[]): void;
  hashState?(state: State, hash: StateHasher): void;
  cloneState?(state: State): State;
}

/**
 * What the room's lag compensation answered an input, rebuilt for a replay: the server's replay
 * feeds it the same world frames the room kept (`server/recording/replay_rewind.ts`). Without
 * one, inputs get no rewind and a game that uses it judges them against the present.
 */
export interface ReplayRewind<State> {
  /**
   * The rewind to hand the game with `input` (its fields by the header's names) of `playerId`,
   * applied in the tick after `tick`.
   */
  prepare(playerId: number, input: Readonly<Record<string, number>>, tick: number): unknown;
  /** Tick `tick` was stepped; `framed` when the room kept its world frame. */
  stepped(state: State, tick: number, framed: boolean): void;
}

/** A recorded join gave the player another id than the live room did: the runs have parted. */
export class ReplayDivergenceError extends Error {
  /** The tick being replayed. */
  readonly tick: number;

  /** @param tick the tick; @param message what differed */
  constructor(tick: number, message: string) {
    super(message);
    this.name = "ReplayDivergenceError";
    this.tick = tick;
  }
}

const STATE_UNPACKR = new Unpackr({ structuredClone: true });

/** Handler messages in a replay are dropped: they change no state. */
const NO_MESSAGES: ReplayMessages = { toPlayer() {}, toRoom() {} };

/**
 * Re-simulates a recording: from the state the header's seed creates (or from a keyframe's
 * saved state), it performs each recorded tick's joins, leaves, commands and inputs in the recorded
 * order
 * and steps the game, exactly as the room did.
 */
export class Replayer<State> {
  /** The game being replayed. */
  readonly game: ReplayableGame<State>;
  /** The recording's header. */
  readonly header: RecordingHeader;
  /** The replayed state; replaced by {@linkcode Replayer.loadKeyframe}. */
  state: State;
  /** The tick the state is at. */
  tick = 0;
  readonly #hasher = new StateHasher();
  readonly #rewind: ReplayRewind<State> | undefined;
  readonly #commands: ReadonlyMap<string, ReplayableCommand<State>>;
  readonly #events: unknown[] = [];
  /** The input handed to the game, its fields named by the header's `inputFields`. */
  readonly #input: Record<string, number> = {};

  /**
   * @param game the rules; @param header the recording's header
   * @param rewind the room's lag compensation rebuilt, for games that declare it
   */
  constructor(
    game: ReplayableGame<State>,
    header: RecordingHeader,
    rewind?: ReplayRewind<State>,
  ) {
    this.game = game;
    this.header = header;
    this.#rewind = rewind;
    this.#commands = new Map((game.commands ?? []).map((command) => [command.name, command]));
    this.state = game.createState(header.roomId, header.seed);
  }

  /** Continue from a keyframe's saved state (the keyframe must have one). */
  loadKeyframe(keyframe: RecordedKeyframe): void {
    if (keyframe.state === null) {
      throw new TypeError(`Cannot load keyframe ${keyframe.tick}: it holds no game state`);
    }
    this.state = STATE_UNPACKR.unpack(keyframe.state) as State;
    this.tick = keyframe.tick;
  }

  /** Perform operations that are not a whole tick (a crash's last tick) without stepping. */
  applyOps(ops: readonly RecordedOp[], dtMs: number): void {
    for (const op of ops) this.#apply(op, dtMs);
  }

  /**
   * Replay one recorded tick and return the hash of the resulting state.
   * @throws {ReplayDivergenceError} when a join seats another id than the recording says, or a
   * recorded command is one the game does not declare
   */
  step(recorded: RecordedTick): number {
    this.applyOps(recorded.ops, recorded.dtMs);
    this.#events.length = 0;
    this.game.step(this.state, recorded.dtMs, this.#events);
    this.tick = recorded.tick;
    this.#rewind?.stepped(this.state, recorded.tick, recorded.framed);
    return this.hash();
  }

  /** The 32-bit hash of the current state, 0 when the game declares no hash. */
  hash(): number {
    if (this.game.hashState === undefined) return 0;
    this.#hasher.reset();
    this.game.hashState(this.state, this.#hasher);
    return this.#hasher.digest();
  }

  #apply(op: RecordedOp, dtMs: number): void {
    const game = this.game, state = this.state;
    switch (op.kind) {
      case "join": {
        const id = game.join(state, op.name);
        if (id !== op.playerId) {
          throw new ReplayDivergenceError(
            this.tick + 1,
            `Replay diverged before tick ${this.tick + 1}: ${
              JSON.stringify(op.name)
            } joined as player ${id}, the recording says ${op.playerId}`,
          );
        }
        break;
      }
      case "leave":
        game.leave(state, op.playerId);
        break;
      case "command": {
        const command = this.#commands.get(op.name);
        if (command === undefined) {
          throw new ReplayDivergenceError(
            this.tick + 1,
            `Replay diverged before tick ${
              this.tick + 1
            }: the recording runs command ${op.name}, which ${game.name} does not declare`,
          );
        }
        command.handle(state, op.playerId, op.args, NO_MESSAGES);
        break;
      }
      case "input": {
        const input = this.#input;
        const fields = this.header.inputFields;
        for (let field = 0; field < fields.length; field++) {
          input[fields[field]!] = op.values[field]!;
        }
        this.#events.length = 0;
        const rewind = this.#rewind?.prepare(op.playerId, input, this.tick) as never;
        game.applyInput(state, op.playerId, input, dtMs, this.#events, rewind);
        break;
      }
    }
  }
}
