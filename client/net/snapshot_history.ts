import {
  type EntityCoding,
  EntityDeltaDecoder,
  type EntityTable,
} from "../../shared/protocol/entity_delta.ts";
import { codingFromWire, type EntitySchemaWire } from "../../shared/protocol/entity_schema.ts";
import { LIMITS, type SnapshotMessage } from "../../shared/protocol/mod.ts";

/** The world as one snapshot shows it, decoded into rows. */
export interface WorldSnapshot {
  /** Server tick of the snapshot. */
  tick: number;
  /** Newest input of ours the server had applied. */
  lastInputSequence: number;
  /** Local clock when it arrived, ms. */
  receivedAtMs: number;
  /**
   * Entity id → its row in world units, in the welcome's `entityFields` order (`row[0]` is the
   * id). Built on first read: a bot that only acknowledges never pays for it.
   */
  readonly entities: Map<number, readonly number[]>;
  /** The game's global numbers (e.g. the scoreboard) as of this tick, or `null` if it has none. */
  global: readonly number[] | null;
}

/**
 * A delta snapshot refers to a baseline this client no longer has. The client should acknowledge
 * tick 0, which asks the server for a full snapshot, and skip this one.
 */
export class BaselineMissingError extends Error {
  /** The baseline the snapshot needed. */
  readonly baselineTick: number;

  /** @param tick the snapshot; @param baselineTick the baseline it needed */
  constructor(tick: number, baselineTick: number) {
    super(`Cannot apply snapshot ${tick}: baseline ${baselineTick} is not in the history`);
    this.name = "BaselineMissingError";
    this.baselineTick = baselineTick;
  }
}

interface Kept {
  tick: number;
  table: EntityTable;
  global: number[] | null;
}

/**
 * Rebuilds whole worlds from the server's delta snapshots and keeps the recent ones, newest
 * last. A delta is applied to the kept snapshot of its baseline tick; the result is exactly the
 * server's quantized view for this client.
 */
export class SnapshotHistory {
  readonly #schema: EntitySchemaWire;
  readonly #coding: EntityCoding;
  readonly #decoder: EntityDeltaDecoder;
  readonly #capacity: number;
  readonly #kept: Kept[] = [];
  readonly #snapshots: WorldSnapshot[] = [];
  /** Snapshots that referred to a baseline no longer kept. */
  baselineMisses = 0;

  /**
   * @param schema the welcome's entity schema
   * @param capacity snapshots kept
   * @param decoder the entity decoder; many histories in one process (a bot fleet) share one, so
   * they share its slab of decoded tables instead of each keeping its own
   */
  constructor(
    schema: EntitySchemaWire,
    capacity = 64,
    decoder: EntityDeltaDecoder = new EntityDeltaDecoder(),
  ) {
    this.#schema = schema;
    this.#coding = codingFromWire(schema);
    this.#capacity = capacity;
    this.#decoder = decoder;
  }

  /** The newest snapshot, if any. */
  get latest(): WorldSnapshot | undefined {
    return this.#snapshots.at(-1);
  }

  /** Kept snapshots, oldest first. */
  get snapshots(): readonly WorldSnapshot[] {
    return this.#snapshots;
  }

  /** The quantized table kept for `tick`, for tests that compare with the server. */
  tableAt(tick: number): EntityTable | undefined {
    return this.#keptAt(tick)?.table;
  }

  /** The kept snapshot of `tick`; searched newest first, where baselines almost always are. */
  #keptAt(tick: number): Kept | undefined {
    for (let index = this.#kept.length - 1; index >= 0; index--) {
      const kept = this.#kept[index];
      if (kept !== undefined && kept.tick === tick) return kept;
    }
    return undefined;
  }

  /**
   * Decode `message` against its baseline and keep the result. A snapshot not newer than the
   * newest is decoded but not kept (the network reordered it).
   * @throws {BaselineMissingError} when the baseline is gone; acknowledge 0 to recover
   * @throws {FrameError} when the entity bytes are malformed
   */
  apply(message: SnapshotMessage, receivedAtMs: number): WorldSnapshot {
    let baseline: Kept | undefined;
    if (message.baselineTick !== 0) {
      baseline = this.#keptAt(message.baselineTick);
      if (baseline === undefined) {
        this.baselineMisses++;
        throw new BaselineMissingError(message.tick, message.baselineTick);
      }
    }
    const table = this.#decoder.decode(
      baseline?.table ?? null,
      message.entities,
      this.#coding,
      LIMITS.maxEntities,
      baseline === undefined ? 0 : message.tick - baseline.tick,
    );
    const global = message.global ?? baseline?.global ?? null;
    const snapshot = new DecodedWorld(
      message.tick,
      message.lastInputSequence,
      receivedAtMs,
      global,
      table,
      this.#schema.entityScales,
    );
    const newest = this.#kept.at(-1);
    if (newest === undefined || message.tick > newest.tick) {
      this.#kept.push({ tick: message.tick, table, global });
      this.#snapshots.push(snapshot);
      if (this.#kept.length > this.#capacity) {
        this.#kept.shift();
        this.#snapshots.shift();
      }
    }
    return snapshot;
  }
}

/** A {@linkcode WorldSnapshot} whose rows are dequantized only when first read. */
class DecodedWorld implements WorldSnapshot {
  readonly tick: number;
  readonly lastInputSequence: number;
  readonly receivedAtMs: number;
  readonly global: readonly number[] | null;
  readonly #table: EntityTable;
  readonly #scales: readonly number[];
  #entities: Map<number, readonly number[]> | undefined;

  constructor(
    tick: number,
    lastInputSequence: number,
    receivedAtMs: number,
    global: readonly number[] | null,
    table: EntityTable,
    scales: readonly number[],
  ) {
    this.tick = tick;
    this.lastInputSequence = lastInputSequence;
    this.receivedAtMs = receivedAtMs;
    this.global = global;
    this.#table = table;
    this.#scales = scales;
  }

  get entities(): Map<number, readonly number[]> {
    if (this.#entities !== undefined) return this.#entities;
    const table = this.#table;
    const stride = this.#scales.length;
    const rows = new Map<number, readonly number[]>();
    for (let index = 0; index < table.count; index++) {
      const row = new Array<number>(stride);
      for (let column = 0; column < stride; column++) {
        row[column] = table.values[index * stride + column]! / this.#scales[column]!;
      }
      rows.set(table.ids[index]!, row);
    }
    this.#entities = rows;
    return rows;
  }
}
