/** A player's avatar. Angles are radians in (-π, π]: 0 points to +x, π/2 to +y (down). */
export interface ArenaPlayer {
  /** Entity id, unique among the players, NPCs and projectiles of one state. */
  id: number;
  name: string;
  x: number;
  y: number;
  /** Facing, the aim of the last input. */
  angle: number;
  /** 0 to `ARENA.maxHp`; 0 while dead. */
  hp: number;
  score: number;
  /** Time until the next shot is allowed; 0 when ready. */
  fireCooldownMs: number;
  /** Time until the next beam is allowed; 0 when ready. */
  beamCooldownMs: number;
  /** Time until the player comes back; 0 while alive. */
  respawnInMs: number;
}

/** A wandering NPC. It never stays dead: a killed NPC reappears elsewhere at once. */
export interface ArenaNpc {
  /** Entity id, unique among the players, NPCs and projectiles of one state. */
  id: number;
  x: number;
  y: number;
  /** Walking direction in radians, (-π, π]. */
  angle: number;
  hp: number;
  /** Time until the NPC picks a new direction. */
  turnInMs: number;
}

/** A shot in flight. */
export interface ArenaProjectile {
  /** Entity id, unique among the players, NPCs and projectiles of one state. */
  id: number;
  /** The player who fired it; it never hits them, and they score its kills if still present. */
  ownerId: number;
  x: number;
  y: number;
  /** Flight direction in radians. */
  angle: number;
  /** Time left before it vanishes. */
  lifeMs: number;
}

/**
 * The whole game state, plain data: the PRNG state and the id counter live here too, so the same
 * state, inputs and step durations always give the same result.
 */
export interface ArenaState {
  /** Sum of the step durations so far. */
  timeMs: number;
  /** PRNG state, see {@linkcode nextRandom}. */
  rngState: number;
  /** The id the next player, NPC or projectile gets. */
  nextEntityId: number;
  /** Players by id, in join order. */
  players: Map<number, ArenaPlayer>;
  npcs: ArenaNpc[];
  /** In firing order, which is also the order hits are resolved in. */
  projectiles: ArenaProjectile[];
}

/** One player input. */
export interface ArenaInput {
  /** Bit field of {@linkcode Buttons}. */
  buttons: number;
  /** Aim in radians; see {@linkcode sanitizeInput} for the accepted range. */
  aim: number;
}

/** A projectile hit a player or an NPC. */
export interface ArenaHitEvent {
  type: "hit";
  /** The player who fired. */
  attackerId: number;
  /** The player or NPC hit. */
  targetId: number;
  damage: number;
}

/** A hit took a player's or an NPC's last hp. */
export interface ArenaKillEvent {
  type: "kill";
  /** The player who fired. */
  attackerId: number;
  /** The player or NPC killed. */
  targetId: number;
}

/**
 * A player fired the hit-scan beam. Sent whether or not it hit, so the shooter's client can
 * confirm (or correct) the shot it drew at once, and a debug view can show where the server
 * judged the target to be.
 */
export interface ArenaBeamEvent {
  type: "beam";
  /** The player who fired. */
  attackerId: number;
  /** The player or NPC hit, or 0 for a miss. */
  targetId: number;
  /** The entity hit, or the one the beam passed closest to, or 0. */
  nearestId: number;
  /** Where the server judged `nearestId` to be (at the shooter's view time). */
  nearestX: number;
  nearestY: number;
  /** How far back the judgement looked, ms (0 without lag compensation). */
  rewindMs: number;
}

/** A dead player came back with full hp. */
export interface ArenaRespawnEvent {
  type: "respawn";
  playerId: number;
}

/** Something that happened during a step, for the clients' effects and the scoreboard. */
export type ArenaEvent = ArenaHitEvent | ArenaKillEvent | ArenaRespawnEvent | ArenaBeamEvent;
