import {
  addPlayer,
  applyPlayerInput,
  ARENA,
  type ArenaEvent,
  type ArenaState,
  createArenaState,
  ENTITY_KIND,
  removePlayer,
  seedFromString,
  stepArena,
} from "../../shared/game/arena/mod.ts";
import type { Game, GameEvent } from "../rooms/game.ts";

/** Snapshot columns of the arena; the client reads rows in this order. */
export const ARENA_ENTITY_FIELDS = ["id", "kind", "x", "y", "angle", "hp", "score"] as const;

/** Settings of {@linkcode createArenaGame}. */
export interface ArenaGameOptions {
  /**
   * Players per room.
   * @default 64
   */
  maxPlayers?: number;
  /**
   * Wandering NPCs per room.
   * @default 20
   */
  npcCount?: number;
}

/**
 * The arena demo game as a room-runtime {@linkcode Game}: the rules live in `shared/game/arena`
 * (the client predicts with them); this adapter only maps them onto the runtime's hooks. Copy this
 * file to plug in a game of your own.
 */
export function createArenaGame(options: ArenaGameOptions = {}): Game<ArenaState> {
  const arenaEvents: ArenaEvent[] = [];
  function forward(events: GameEvent[]): void {
    for (const event of arenaEvents) events.push(toGameEvent(event));
    arenaEvents.length = 0;
  }
  return {
    name: "arena",
    maxPlayers: options.maxPlayers ?? 64,
    entityFields: ARENA_ENTITY_FIELDS,
    createState: (roomId) =>
      createArenaState(seedFromString(roomId), { npcCount: options.npcCount ?? 20 }),
    join: (state, name) => addPlayer(state, name).id,
    leave: (state, playerId) => {
      removePlayer(state, playerId);
    },
    applyInput(state, playerId, input, dtMs, events) {
      applyPlayerInput(state, playerId, input, dtMs, arenaEvents);
      forward(events);
    },
    step(state, dtMs, events) {
      stepArena(state, dtMs, arenaEvents);
      forward(events);
    },
    writeEntities(state, out) {
      for (const player of state.players.values()) {
        out.push(
          player.id,
          ENTITY_KIND.PLAYER,
          player.x,
          player.y,
          player.angle,
          player.hp,
          player.score,
        );
      }
      for (const npc of state.npcs) {
        out.push(npc.id, ENTITY_KIND.NPC, npc.x, npc.y, npc.angle, npc.hp, 0);
      }
      for (const shot of state.projectiles) {
        out.push(shot.id, ENTITY_KIND.PROJECTILE, shot.x, shot.y, shot.angle, 0, shot.ownerId);
      }
    },
  };
}

function toGameEvent(event: ArenaEvent): GameEvent {
  switch (event.type) {
    case "hit":
      return {
        type: "hit",
        actor: event.attackerId,
        target: event.targetId,
        value: event.damage,
        text: "",
      };
    case "kill":
      return { type: "kill", actor: event.attackerId, target: event.targetId, value: 0, text: "" };
    case "respawn":
      return { type: "respawn", actor: event.playerId, target: 0, value: ARENA.maxHp, text: "" };
  }
}
