import type { RecordingHeader, ReplayRewind } from "../../shared/recording/mod.ts";
import type { Game, PlayerInput } from "../rooms/game.ts";
import { LagCompensation } from "../rooms/lag_compensation.ts";
import { SnapshotBuilder } from "../rooms/snapshots/snapshot_builder.ts";

/**
 * The room's lag compensation, rebuilt for a replay of `game`: the same world frames (the
 * game's rows, quantized by the same snapshot builder, on the ticks the recording says the room
 * kept one) and the same limits on each input's view time, so a rewound hit replays as it
 * happened. `undefined` for a game without `lagCompensation`.
 */
export function replayRewind<State>(
  game: Game<State>,
  header: RecordingHeader,
): ReplayRewind<State> | undefined {
  const options = game.lagCompensation;
  if (options === undefined) return undefined;
  const snapshots = new SnapshotBuilder(game.entitySchema, game.interest);
  const lag = new LagCompensation(snapshots, snapshots.wire, header.dtMs, options);
  const maxRewindTicks = (options.maxRewindMs ?? 250) / header.dtMs;
  const every = header.snapshotEveryTicks;
  const rows: number[] = [];
  const global: number[] = [];
  let lastFramedTick = 0;
  return {
    prepare(playerId, input, tick) {
      // As Room.step does it, from the view time the input was queued with.
      const newestTick = tick - (tick % every);
      const oldest = newestTick - maxRewindTicks;
      const claimed = (input as Partial<PlayerInput>).viewTime ?? 0;
      lag.prepare(playerId, claimed > 0 && claimed < oldest ? oldest : claimed, newestTick);
      return lag;
    },
    stepped(state, tick, framed) {
      // A replay that runs a tick twice (to explain a divergence) frames it once.
      if (!framed || tick <= lastFramedTick) return;
      lastFramedTick = tick;
      rows.length = 0;
      game.writeEntities(state, rows);
      let written: number[] | null = null;
      if (game.writeGlobal !== undefined) {
        global.length = 0;
        game.writeGlobal(state, global);
        written = global;
      }
      snapshots.beginTick(tick, rows, written);
    },
  };
}
