import {
  addPlayer,
  applyBeamInput,
  applyPlayerInput,
  ARENA_COMMANDS,
  ARENA_RULES_VERSION,
  type ArenaEvent,
  type ArenaInput,
  type ArenaState,
  createArenaState,
  ENTITY_KIND,
  hashArenaState,
  removePlayer,
  setPlayerHue,
  stepArena,
} from "../../shared/game/arena/mod.ts";
import {
  assertReplayable,
  type Recording,
  type ReplayableGame,
} from "../../shared/recording/mod.ts";
import { entityColumns } from "../games/arena/entity_columns.ts";

/**
 * The arena as the replay page runs it: the same rules module (`shared/game/arena`) and the same
 * state hash as the server's adapter, which the page cannot import. Rows carry the columns the
 * renderer reads; the velocity columns (for the live client's extrapolation) stay 0. The beam is
 * judged against the present: the page has no lag compensation (the runtime's is server code),
 * so a beam that hit only where its shooter saw the target parts the replay from the recording
 * until the next keyframe.
 */
function arenaReplayGame(
  entityFields: readonly string[],
  npcCount: number,
): ReplayableGame<ArenaState, keyof ArenaInput> {
  const columns = entityColumns(entityFields);
  const stride = entityFields.length;
  const events: ArenaEvent[] = [];
  const row = (
    out: number[],
    id: number,
    kind: number,
    entity: { x: number; y: number; angle: number },
    hp: number,
    score: number,
  ) => {
    const at = out.length;
    for (let column = 0; column < stride; column++) out.push(0);
    out[at + columns.id] = id;
    out[at + columns.kind] = kind;
    out[at + columns.x] = entity.x;
    out[at + columns.y] = entity.y;
    out[at + columns.angle] = entity.angle;
    out[at + columns.hp] = hp;
    out[at + columns.score] = score;
  };
  return {
    name: "arena",
    version: ARENA_RULES_VERSION,
    createState: (_roomId, seed) => createArenaState(seed, { npcCount }),
    join: (state, name) => addPlayer(state, name).id,
    leave: (state, playerId) => {
      removePlayer(state, playerId);
    },
    // The commands that change the state, as the server's adapter runs them; chat changes none.
    commands: [
      { name: ARENA_COMMANDS.chat.name, handle() {} },
      {
        name: ARENA_COMMANDS.colour.name,
        handle(state, playerId, args) {
          if (typeof args.hue === "number") setPlayerHue(state, playerId, args.hue);
        },
      },
    ],
    applyInput(state, playerId, input, dtMs) {
      events.length = 0;
      applyPlayerInput(state, playerId, input, dtMs, events);
      applyBeamInput(state, playerId, input, undefined, events);
    },
    step(state, dtMs) {
      events.length = 0;
      stepArena(state, dtMs, events);
    },
    hashState: hashArenaState,
    writeEntities(state, out) {
      for (const npc of state.npcs) row(out, npc.id, ENTITY_KIND.NPC, npc, npc.hp, 0);
      for (const player of state.players.values()) {
        row(out, player.id, ENTITY_KIND.PLAYER, player, player.hp, player.score);
      }
      for (const shot of state.projectiles) {
        row(out, shot.id, ENTITY_KIND.PROJECTILE, shot, 0, shot.ownerId);
      }
    },
    writeGlobal(state, out) {
      for (const player of state.players.values()) out.push(player.id, player.score);
    },
  };
}

/**
 * The game a recording names, built with its recorded options.
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
  const npcCount = header.gameOptions.npcCount;
  const game = arenaReplayGame(header.entityFields, typeof npcCount === "number" ? npcCount : 20);
  assertReplayable(header, game);
  return game as ReplayableGame<unknown>;
}
