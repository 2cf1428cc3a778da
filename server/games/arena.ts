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
import type { EntityFieldSpec, Game, GameEvent, InterestOptions } from "../rooms/game.ts";

/**
 * Snapshot columns of the arena and their precision: positions on a 1/8-unit grid (hot: they
 * change every tick), angles in 256 steps per turn, hp and score as integers.
 */
export const ARENA_ENTITY_SCHEMA: readonly EntityFieldSpec[] = [
  { name: "id" },
  { name: "kind" },
  { name: "x", scale: 8, hot: true },
  { name: "y", scale: 8, hot: true },
  { name: "angle", scale: 256 / (2 * Math.PI), wrap: 256 },
  { name: "hp" },
  { name: "score" },
];

/** Snapshot column names of the arena; the client reads rows in this order. */
export const ARENA_ENTITY_FIELDS: readonly string[] = ARENA_ENTITY_SCHEMA.map((field) =>
  field.name
);

/**
 * What a player is sent: entities within 700 × 450 units of it (a 1400 × 900 view, which the
 * client's camera never exceeds), kept until 100 units beyond.
 */
export const ARENA_INTEREST: InterestOptions = {
  xField: "x",
  yField: "y",
  halfWidth: 700,
  halfHeight: 450,
  margin: 100,
  cellSize: 250,
};

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
  /**
   * Send each player only what is near it.
   * @default true
   */
  interestManagement?: boolean;
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
    entitySchema: ARENA_ENTITY_SCHEMA,
    ...(options.interestManagement === false ? {} : { interest: ARENA_INTEREST }),
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
    writeGlobal(state, out) {
      // The scoreboard: every player's id and score, whatever each player can see.
      for (const player of state.players.values()) out.push(player.id, player.score);
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
