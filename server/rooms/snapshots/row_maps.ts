import type { EntityTable } from "../../../shared/protocol/entity_delta.ts";
import type { WorldFrames } from "./world_frames.ts";

/** Where the rows of an old frame are now. */
export interface RowMapping {
  /** Per row of the old frame, its row now, or −1 when that entity is gone. */
  map: Int32Array;
  /**
   * The old frame has exactly this tick's rows (no entity came or went): a view of it is a view
   * of this tick as it stands.
   */
  identity: boolean;
}

/**
 * Maps the rows of a remembered world frame to this tick's rows, each map built once a tick on
 * first use: views keep frame rows, and hysteresis and delta coding need to know where those
 * entities are now. Clients' views come from one or two distinct ticks, so a tick builds few.
 */
export class RowMaps {
  readonly #frames: WorldFrames;
  readonly #entries: (RowMapping & { tick: number })[] = [];
  #inUse = 0;
  #current: EntityTable | undefined;

  /** @param frames the room's world frames */
  constructor(frames: WorldFrames) {
    this.#frames = frames;
  }

  /** Start a tick whose world is `current`; the maps of the last tick are forgotten. */
  begin(current: EntityTable): void {
    this.#current = current;
    this.#inUse = 0;
  }

  /**
   * For each row of the frame of `tick`, its row in this tick's world, or −1 when that entity is
   * gone; `undefined` when the frame is no longer remembered.
   */
  from(tick: number): Int32Array | undefined {
    return this.mapping(tick)?.map;
  }

  /** The map of {@linkcode RowMaps.from} and whether it is the identity. */
  mapping(tick: number): RowMapping | undefined {
    for (let index = 0; index < this.#inUse; index++) {
      const entry = this.#entries[index];
      if (entry !== undefined && entry.tick === tick) return entry;
    }
    const frame = this.#frames.get(tick);
    const to = this.#current;
    if (frame === undefined || to === undefined) return undefined;
    let entry = this.#entries[this.#inUse];
    if (entry === undefined) {
      entry = { tick: -1, map: new Int32Array(0), identity: false };
      this.#entries.push(entry);
    }
    this.#inUse++;
    const from = frame.table;
    if (entry.map.length < from.count) entry.map = new Int32Array(from.count * 2);
    entry.tick = tick;
    const map = entry.map;
    // Both frames are sorted by id: one merge.
    let row = 0;
    let identity = from.count === to.count;
    for (let fromRow = 0; fromRow < from.count; fromRow++) {
      const id = from.ids[fromRow]!;
      while (row < to.count && to.ids[row]! < id) row++;
      const found = row < to.count && to.ids[row] === id ? row : -1;
      map[fromRow] = found;
      identity &&= found === fromRow;
    }
    entry.identity = identity;
    return entry;
  }
}
