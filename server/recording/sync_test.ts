import { StateHasher } from "../../shared/recording/state_hasher.ts";
import type { Game, GameCommand, GameEvent, GameMessages } from "../rooms/game.ts";
import { diffStates } from "./state_diff.ts";

/** A tick ran twice from the same state and gave two different states: the game is not deterministic. */
export class SyncTestError extends Error {
  /** The tick (the room's tick counter after it) that differed. */
  readonly tick: number;
  /** Paths into the state that differ, as {@linkcode diffStates} names them. */
  readonly differences: readonly string[];

  /** @param tick the tick; @param differences what differed */
  constructor(tick: number, differences: readonly string[]) {
    super(
      `Sync test failed at tick ${tick}: running it twice from the same state gave different states: ${
        differences.join("; ") || "the hashes differ"
      }`,
    );
    this.name = "SyncTestError";
    this.tick = tick;
    this.differences = differences;
  }
}

interface TickRun<State> {
  /** A copy of the state before the tick's first input or step, which runs the tick again. */
  saved: State | undefined;
  tick: number;
}

/** A deep copy of a state: the game's own clone, else `structuredClone`. */
export function cloneGameState<State>(game: Game<State>, state: State): State {
  return game.cloneState !== undefined ? game.cloneState(state) : structuredClone(state);
}

/** The game's hash of `state`, or `null` when it declares none. */
export function hashGameState<State>(game: Game<State>, state: State): number | null {
  if (game.hashState === undefined) return null;
  const hasher = new StateHasher();
  game.hashState(state, hasher);
  return hasher.digest();
}

/**
 * The game in sync-test mode, for developers (GGPO's SyncTestBackend): every tick is run twice
 * from a copy of the state saved before it (the same commands, the same inputs with the same
 * rewinds, the same step)
 * and the two results are compared. A `Math.random()`, a `Date.now()` or an iteration over an unordered structure in
 * the rules makes them differ: the tick throws a {@linkcode SyncTestError} naming the tick and
 * the fields, which closes the room with 1011. Costs a clone and a second simulation per tick.
 */
export function withSyncTest<State>(game: Game<State>): Game<State> {
  const runs = new WeakMap<object, TickRun<State>>();
  const runOf = (state: State): TickRun<State> => {
    const key = state as object;
    let run = runs.get(key);
    if (run === undefined) {
      run = { saved: undefined, tick: 0 };
      runs.set(key, run);
    }
    run.saved ??= cloneGameState(game, state);
    return run;
  };
  const scratch: GameEvent[] = [];
  const silent: GameMessages = { toPlayer() {}, toRoom() {} };
  const commands = game.commands?.map((command): GameCommand<State> => ({
    ...command,
    handle(state, playerId, args, messages) {
      // Commands run first in a tick: this saves the state from before the tick, as an input
      // or the step would, and the copy runs the same command with the same arguments.
      const saved = runOf(state).saved as State;
      command.handle(state, playerId, args, messages);
      command.handle(saved, playerId, args, silent);
    },
  }));
  return {
    ...game,
    ...(commands === undefined ? {} : { commands }),
    applyInput(state, playerId, input, dtMs, events, rewind) {
      const saved = runOf(state).saved as State;
      // The copy takes each input right after the state does, while the runtime's rewind is
      // still prepared for it.
      const copy = { ...input };
      game.applyInput(state, playerId, input, dtMs, events, rewind);
      scratch.length = 0;
      game.applyInput(saved, playerId, copy, dtMs, scratch, rewind);
    },
    step(state, dtMs, events) {
      const run = runOf(state);
      const saved = run.saved as State;
      game.step(state, dtMs, events);
      run.tick++;
      scratch.length = 0;
      game.step(saved, dtMs, scratch);
      run.saved = undefined;
      const first = hashGameState(game, state), second = hashGameState(game, saved);
      if (first !== null && first === second) return;
      const differences = diffStates(state, saved);
      if (differences.length > 0 || first !== second) {
        throw new SyncTestError(run.tick, differences);
      }
    },
  };
}
