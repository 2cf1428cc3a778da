import { createEntityTable, type EntityTable } from "../../../shared/protocol/entity_delta.ts";
import { VIEW_HISTORY_TICKS } from "./view_ring.ts";

/** A room's quantized world at one snapshot tick, shared by every client's view of that tick. */
export interface WorldFrame {
  /** Tick of the snapshot; -1 while the frame is unused. */
  tick: number;
  /** Every entity, sorted by id. */
  table: EntityTable;
}

/**
 * The room's recent world frames, in a ring as long as the clients' view rings, so any baseline
 * a client can still name has its values here.
 */
export class WorldFrames {
  /** Made on first claim: a room that never sends a snapshot allocates none. */
  readonly #frames: (WorldFrame | undefined)[];
  readonly #stride: number;

  /** @param stride columns per entity; @param size ticks remembered */
  constructor(stride: number, size = VIEW_HISTORY_TICKS) {
    this.#stride = stride;
    this.#frames = new Array<WorldFrame | undefined>(size).fill(undefined);
  }

  /** The frame of `tick`, if still remembered. */
  get(tick: number): WorldFrame | undefined {
    const frame = this.#frames[tick % this.#frames.length];
    return frame !== undefined && frame.tick === tick ? frame : undefined;
  }

  /** The frame to fill for `tick`; it overwrites the world of `tick − size`. */
  claim(tick: number): WorldFrame {
    const index = tick % this.#frames.length;
    let frame = this.#frames[index];
    if (frame === undefined) {
      frame = { tick, table: createEntityTable(this.#stride, 64) };
      this.#frames[index] = frame;
    }
    frame.tick = tick;
    frame.table.count = 0;
    return frame;
  }
}
