import {
  addPlayer,
  applyBeamInput,
  applyPlayerInput,
  ARENA,
  ARENA_RULES_VERSION,
  type ArenaEvent,
  type ArenaState,
  createArenaState,
  ENTITY_KIND,
  hashArenaState,
  removePlayer,
  stepArena,
} from "../../shared/game/arena/mod.ts";
import type {
  EntityFieldSpec,
  Game,
  GameEvent,
  InterestOptions,
  LagCompensationOptions,
} from "../rooms/game.ts";

/**
 * Snapshot columns of the arena and their precision: positions on a 1/8-unit grid (hot: they
 * change every tick), angles in 256 steps per turn, hp and score as integers.
 */
export const ARENA_ENTITY_SCHEMA: readonly EntityFieldSpec[] = [
  { name: "id" },
  { name: "kind" },
  { name: "x", scale: 8, hot: true, velocity: "vx" },
  { name: "y", scale: 8, hot: true, velocity: "vy" },
  { name: "angle", scale: 256 / (2 * Math.PI), wrap: 256 },
  { name: "hp" },
  { name: "score" },
  // Motion over the last tick, in units per tick: deltas predict positions from it, and the
  // client can extrapolate with it.
  { name: "vx", scale: 8 },
  { name: "vy", scale: 8 },
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
  /**
   * Judge the hit-scan beam where the shooter saw its targets (the runtime's rewind); off, it is
   * judged against the present, as a server without lag compensation would.
   * @default true
   */
  lagCompensation?: boolean;
}

/**
 * The arena's lag compensation: positions as the client interpolates them, rewound at most
 * 250 ms. Only the beam uses it; projectiles fly in the server's present (they are visible and
 * slow enough to dodge, so a rewound projectile would hit a player who saw it miss).
 */
export const ARENA_LAG_COMPENSATION: LagCompensationOptions = {
  xField: "x",
  yField: "y",
  maxRewindMs: 250,
};

/**
 * The {@linkcode ArenaGameOptions} a recording's header carries (`Game.options`), checked: a
 * replay builds the arena with them. Fields of the wrong type are left at their defaults.
 */
export function arenaOptionsFrom(
  recorded: Readonly<Record<string, string | number | boolean>>,
): ArenaGameOptions {
  const options: ArenaGameOptions = {};
  if (typeof recorded.maxPlayers === "number") options.maxPlayers = recorded.maxPlayers;
  if (typeof recorded.npcCount === "number") options.npcCount = recorded.npcCount;
  if (typeof recorded.interestManagement === "boolean") {
    options.interestManagement = recorded.interestManagement;
  }
  if (typeof recorded.lagCompensation === "boolean") {
    options.lagCompensation = recorded.lagCompensation;
  }
  return options;
}

/**
 * The arena demo game as a room-runtime {@linkcode Game}: the rules live in `shared/game/arena`
 * (the client predicts with them); this adapter only maps them onto the runtime's hooks. Copy this
 * file to plug in a game of your own.
 */
export function createArenaGame(options: ArenaGameOptions = {}): Game<ArenaState> {
  const arenaEvents: ArenaEvent[] = [];
  const motions = new WeakMap<ArenaState, Motion>();
  function forward(events: GameEvent[]): void {
    for (const event of arenaEvents) events.push(toGameEvent(event));
    arenaEvents.length = 0;
  }
  function motionOf(state: ArenaState): Motion {
    let motion = motions.get(state);
    if (motion === undefined) {
      motion = { dtMs: 1000 / 30, players: new Map(), npcs: [] };
      motions.set(state, motion);
    }
    return motion;
  }
  const maxPlayers = options.maxPlayers ?? 64;
  const npcCount = options.npcCount ?? 20;
  const interestManagement = options.interestManagement !== false;
  return {
    name: "arena",
    version: ARENA_RULES_VERSION,
    options: {
      maxPlayers,
      npcCount,
      interestManagement,
      lagCompensation: options.lagCompensation !== false,
    },
    maxPlayers,
    entitySchema: ARENA_ENTITY_SCHEMA,
    ...(interestManagement ? { interest: ARENA_INTEREST } : {}),
    lagCompensation: ARENA_LAG_COMPENSATION,
    createState: (_roomId, seed) => createArenaState(seed, { npcCount }),
    hashState: hashArenaState,
    // The state is plain data (a Map of players and arrays of objects): structuredClone copies it
    // all, so the default clone would do; spelled out so the arena stays the template to copy.
    cloneState: (state) => structuredClone(state),
    join: (state, name) => addPlayer(state, name).id,
    leave: (state, playerId) => {
      removePlayer(state, playerId);
      motionOf(state).players.delete(playerId);
    },
    applyInput(state, playerId, input, dtMs, events, rewind) {
      const player = state.players.get(playerId);
      const fromX = player?.x ?? 0, fromY = player?.y ?? 0;
      applyPlayerInput(state, playerId, input, dtMs, arenaEvents);
      // After the move, as the shooter's client predicted it; only the others are rewound.
      const compensate = options.lagCompensation !== false;
      applyBeamInput(state, playerId, input, compensate ? rewind : undefined, arenaEvents);
      forward(events);
      if (player === undefined) return;
      // Moved by this tick's inputs (two when a late one catches up): the tick's velocity.
      const players = motionOf(state).players;
      let moved = players.get(playerId);
      if (moved === undefined) {
        moved = { dx: 0, dy: 0, tickDx: 0, tickDy: 0 };
        players.set(playerId, moved);
      }
      moved.tickDx += player.x - fromX;
      moved.tickDy += player.y - fromY;
    },
    step(state, dtMs, events) {
      const motion = motionOf(state);
      motion.dtMs = dtMs;
      // This tick's inputs are in: what they moved each player is its velocity. The objects stay
      // from tick to tick (no garbage per tick; a room's state is walked 30 times a second).
      for (const moved of motion.players.values()) {
        moved.dx = moved.tickDx;
        moved.dy = moved.tickDy;
        moved.tickDx = moved.tickDy = 0;
      }
      const npcs = motion.npcs, list = state.npcs;
      npcs.length = list.length * 2;
      for (let index = 0; index < list.length; index++) {
        const npc = list[index];
        npcs[index * 2] = npc?.x ?? 0;
        npcs[index * 2 + 1] = npc?.y ?? 0;
      }
      stepArena(state, dtMs, arenaEvents);
      for (let index = 0; index < list.length; index++) {
        const npc = list[index];
        if (npc === undefined) continue;
        npcs[index * 2] = npc.x - (npcs[index * 2] ?? npc.x);
        npcs[index * 2 + 1] = npc.y - (npcs[index * 2 + 1] ?? npc.y);
      }
      forward(events);
    },
    writeGlobal(state, out) {
      // The scoreboard: every player's id and score, whatever each player can see.
      for (const player of state.players.values()) out.push(player.id, player.score);
    },
    writeEntities(state, out) {
      const motion = motionOf(state);
      // NPCs first: they were created with the room, so their ids come before the players' and
      // the rows arrive sorted by id (the snapshot builder then skips its sort).
      state.npcs.forEach((npc, index) => {
        // A respawned NPC jumps; its jump is no velocity.
        const dx = motion.npcs[index * 2] ?? 0, dy = motion.npcs[index * 2 + 1] ?? 0;
        const jumped = Math.abs(dx) > ARENA.npcSpeed || Math.abs(dy) > ARENA.npcSpeed;
        out.push(
          npc.id,
          ENTITY_KIND.NPC,
          npc.x,
          npc.y,
          npc.angle,
          npc.hp,
          0,
          jumped ? 0 : dx,
          jumped ? 0 : dy,
        );
      });
      for (const player of state.players.values()) {
        const moved = motion.players.get(player.id);
        out.push(
          player.id,
          ENTITY_KIND.PLAYER,
          player.x,
          player.y,
          player.angle,
          player.hp,
          player.score,
          moved?.dx ?? 0,
          moved?.dy ?? 0,
        );
      }
      const shotStep = (ARENA.projectileSpeed * motion.dtMs) / 1000;
      for (const shot of state.projectiles) {
        out.push(
          shot.id,
          ENTITY_KIND.PROJECTILE,
          shot.x,
          shot.y,
          shot.angle,
          0,
          shot.ownerId,
          Math.cos(shot.angle) * shotStep,
          Math.sin(shot.angle) * shotStep,
        );
      }
    },
  };
}

/** Per-room motion over the last tick, kept beside the state for the velocity columns. */
interface Motion {
  dtMs: number;
  /**
   * Per player: its movement in the last completed tick (`dx`, `dy`) and so far in the tick
   * being simulated (`tickDx`, `tickDy`).
   */
  players: Map<number, { dx: number; dy: number; tickDx: number; tickDy: number }>;
  /** NPC positions before the step, then their movement in it: [dx0, dy0, dx1, dy1, …]. */
  npcs: number[];
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
    case "beam":
      // The text carries where the server judged the nearest target: `id x y` (a debug view
      // draws it beside where the shooter saw it).
      return {
        type: "beam",
        actor: event.attackerId,
        target: event.targetId,
        value: Math.round(event.rewindMs),
        text: event.nearestId === 0
          ? ""
          : `${event.nearestId} ${event.nearestX.toFixed(3)} ${event.nearestY.toFixed(3)}`,
      };
  }
}
