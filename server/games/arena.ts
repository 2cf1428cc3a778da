import {
  addPlayer,
  applyBeamInput,
  applyPlayerInput,
  ARENA,
  ARENA_COMMANDS,
  ARENA_ENTITY_FIELDS,
  ARENA_ENTITY_SCHEMA,
  ARENA_INPUT,
  ARENA_INTEREST,
  ARENA_RULES_VERSION,
  type ArenaEvent,
  type ArenaState,
  createArenaState,
  ENTITY_KIND,
  hashArenaState,
  removePlayer,
  setPlayerHue,
  stepArena,
} from "../../shared/game/arena/mod.ts";
import type { Game, GameEvent, LagCompensationOptions } from "../rooms/game.ts";
import { integerIn, onOff, type SettingSpec } from "../setting_spec.ts";

export { ARENA_ENTITY_FIELDS, ARENA_ENTITY_SCHEMA, ARENA_INTEREST };

/**
 * The arena's server settings, declared here and parsed by the server's settings table
 * (`server/config.ts`) with everything else: `--npcs`, `--max-players`, `--interest`.
 */
export const ARENA_SETTINGS = [
  {
    flag: "npcs",
    env: "NPCS",
    key: "npcCount",
    value: "N",
    defaultValue: "20",
    help: "Wandering NPCs in each arena room",
    parse: integerIn(0, 10_000),
  },
  {
    flag: "max-players",
    env: "MAX_PLAYERS",
    key: "maxPlayers",
    value: "N",
    defaultValue: "64",
    help: "Most players in one arena room",
    parse: integerIn(1, 1000),
  },
  {
    flag: "interest",
    env: "INTEREST",
    key: "interestManagement",
    value: "on|off",
    defaultValue: "on",
    help: "Send each player only what is near it",
    parse: onOff,
  },
] as const satisfies readonly SettingSpec[];

/** The parsed values of {@linkcode ARENA_SETTINGS}. */
export interface ArenaSettings {
  npcCount: number;
  maxPlayers: number;
  interestManagement: boolean;
}

/** The arena as the server's settings ask for it. */
export function arenaGameFromSettings(
  settings: ArenaSettings,
): Game<ArenaState, "buttons" | "aim"> {
  return createArenaGame({
    npcCount: settings.npcCount,
    maxPlayers: settings.maxPlayers,
    interestManagement: settings.interestManagement,
  });
}

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
export function createArenaGame(
  options: ArenaGameOptions = {},
): Game<ArenaState, "buttons" | "aim"> {
  const arenaEvents: ArenaEvent[] = [];
  // Per room: entities that jumped since the last snapshot (a respawned player, a killed NPC
  // placed elsewhere), for the velocities the runtime derives.
  const jumps = new WeakMap<ArenaState, number[]>();
  function forward(state: ArenaState, events: GameEvent[]): void {
    for (const event of arenaEvents) {
      events.push(toGameEvent(event));
      if (event.type === "respawn") jumpsOf(state).push(event.playerId);
      else if (event.type === "kill") jumpsOf(state).push(event.targetId);
    }
    arenaEvents.length = 0;
  }
  function jumpsOf(state: ArenaState): number[] {
    let list = jumps.get(state);
    if (list === undefined) {
      list = [];
      jumps.set(state, list);
    }
    return list;
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
    input: ARENA_INPUT,
    maxPlayers,
    entitySchema: ARENA_ENTITY_SCHEMA,
    ...(interestManagement ? { interest: ARENA_INTEREST } : {}),
    lagCompensation: ARENA_LAG_COMPENSATION,
    commands: [
      {
        ...ARENA_COMMANDS.chat,
        handle(_state, playerId, args, messages) {
          const text = typeof args.text === "string" ? args.text : "";
          if (text !== "") {
            messages.toRoom({ type: "chat", actor: playerId, target: 0, value: 0, text });
          }
        },
      },
      {
        ...ARENA_COMMANDS.colour,
        handle(state, playerId, args, messages) {
          const hue = typeof args.hue === "number" ? args.hue : 0;
          // Everyone sees the new colour in the next snapshot; the picker gets a confirmation.
          if (setPlayerHue(state, playerId, hue)) {
            messages.toPlayer(playerId, {
              type: "colour",
              actor: playerId,
              target: playerId,
              value: hue,
              text: "",
            });
          }
        },
      },
    ],
    createState: (_roomId, seed) => createArenaState(seed, { npcCount }),
    hashState: hashArenaState,
    // The state is plain data (a Map of players and arrays of objects): structuredClone copies it
    // all, so the default clone would do; spelled out so the arena stays the template to copy.
    cloneState: (state) => structuredClone(state),
    join: (state, name) => addPlayer(state, name).id,
    leave: (state, playerId) => removePlayer(state, playerId),
    applyInput(state, playerId, input, dtMs, events, rewind) {
      applyPlayerInput(state, playerId, input, dtMs, arenaEvents);
      // After the move, as the shooter's client predicted it; only the others are rewound.
      const compensate = options.lagCompensation !== false;
      applyBeamInput(state, playerId, input, compensate ? rewind : undefined, arenaEvents);
      forward(state, events);
    },
    step(state, dtMs, events) {
      stepArena(state, dtMs, arenaEvents);
      forward(state, events);
    },
    teleported(state, out) {
      const list = jumpsOf(state);
      out.push(...list);
      list.length = 0;
    },
    writeGlobal(state, out) {
      // The scoreboard: every player's id and score, whatever each player can see.
      for (const player of state.players.values()) out.push(player.id, player.score);
    },
    writeEntities(state, out) {
      // NPCs first: they were created with the room, so their ids come before the players' and
      // the rows arrive sorted by id (the snapshot builder then skips its sort). The velocity
      // columns are the runtime's to fill (derived from its world frames): 0 here.
      for (const npc of state.npcs) {
        out.push(npc.id, ENTITY_KIND.NPC, npc.x, npc.y, npc.angle, npc.hp, 0, 0, 0, 0);
      }
      for (const player of state.players.values()) {
        out.push(
          player.id,
          ENTITY_KIND.PLAYER,
          player.x,
          player.y,
          player.angle,
          player.hp,
          player.score,
          player.hue ?? 0,
          0,
          0,
        );
      }
      for (const shot of state.projectiles) {
        out.push(
          shot.id,
          ENTITY_KIND.PROJECTILE,
          shot.x,
          shot.y,
          shot.angle,
          0,
          shot.ownerId,
          0,
          0,
          0,
        );
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
