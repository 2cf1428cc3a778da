import type { SnapshotMessage } from "../../shared/protocol/mod.ts";

/** The world as one snapshot shows it, decoded into rows. */
export interface WorldSnapshot {
  /** Server tick of the snapshot. */
  tick: number;
  /** Newest input of ours the server had applied. */
  lastInputSequence: number;
  /** Local clock when it arrived, ms. */
  receivedAtMs: number;
  /** Entity id → its row, in the welcome's `entityFields` order (`row[0]` is the id). */
  entities: Map<number, readonly number[]>;
}

/**
 * Turns the snapshot messages of one connection into whole {@linkcode WorldSnapshot}s and keeps
 * the recent ones, newest last.
 */
export class SnapshotHistory {
  readonly #stride: number;
  readonly #capacity: number;
  readonly #snapshots: WorldSnapshot[] = [];

  /** @param entityFields the welcome's columns; @param capacity snapshots kept */
  constructor(entityFields: readonly string[], capacity = 64) {
    this.#stride = entityFields.length;
    this.#capacity = capacity;
  }

  /** The newest snapshot, if any. */
  get latest(): WorldSnapshot | undefined {
    return this.#snapshots.at(-1);
  }

  /** Kept snapshots, oldest first. */
  get snapshots(): readonly WorldSnapshot[] {
    return this.#snapshots;
  }

  /**
   * Decode `message` into a whole world and keep it. A snapshot older than the newest is decoded
   * but not kept (the network reordered it).
   * @throws {RangeError} if the message's row width differs from the welcome's fields
   */
  apply(message: SnapshotMessage, receivedAtMs: number): WorldSnapshot {
    if (message.entityStride !== this.#stride) {
      throw new RangeError(
        `Cannot apply snapshot ${message.tick}: rows of ${message.entityStride}, expected ${this.#stride}`,
      );
    }
    const entities = new Map<number, readonly number[]>();
    const table = message.entities;
    for (let offset = 0; offset < table.length; offset += this.#stride) {
      const row = table.slice(offset, offset + this.#stride);
      entities.set(row[0] ?? 0, row);
    }
    const snapshot: WorldSnapshot = {
      tick: message.tick,
      lastInputSequence: message.lastInputSequence,
      receivedAtMs,
      entities,
    };
    const latest = this.latest;
    if (latest === undefined || snapshot.tick > latest.tick) {
      this.#snapshots.push(snapshot);
      if (this.#snapshots.length > this.#capacity) this.#snapshots.shift();
    }
    return snapshot;
  }
}
