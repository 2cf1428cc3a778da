import type { RecordableRoom, RoomRecorder } from "../rooms/room_recorder.ts";
import { MatchRecorder, type MatchRecorderOptions } from "./match_recorder.ts";

/** Settings of a {@linkcode RecordingStore}: where and what to record. */
export interface RecordingOptions {
  /** Folder the recordings go to (created if missing). */
  dir: string;
  /**
   * Most bytes the folder's recordings may take; the oldest files are deleted first.
   * @default 1073741824 (1 GiB)
   */
  maxBytes?: number;
  /**
   * Games whose rooms are recorded, by name.
   * @default every game
   */
  games?: readonly string[];
  /**
   * Keyframe interval, flush interval, pending-bytes limit, build name and log of each recorder
   * (the store logs there too).
   */
  recorder?: Omit<MatchRecorderOptions, "onWritten" | "onEnded">;
}

/** One recording file in the folder. */
export interface RecordingEntry {
  /** File name, e.g. `20261126T120000123Z_arena-1.arec`. */
  name: string;
  bytes: number;
  /** Whether a room is still writing it. */
  active: boolean;
}

/** Recording files end in this. */
const EXTENSION = ".arec";
/** A file name the store itself could have made: no path separators, no dot files. */
const NAME_PATTERN = /^[0-9]{8}T[0-9]{9}Z_[A-Za-z0-9_-]{1,64}\.arec$/;

/**
 * The folder of recordings: makes one {@linkcode MatchRecorder} per room, keeps the folder under
 * its byte bound (oldest files deleted first, never one being written), and lists and reads
 * files by name for the `/replay` page, refusing any name it could not have made.
 */
export class RecordingStore {
  readonly dir: string;
  readonly #maxBytes: number;
  readonly #games: ReadonlySet<string> | null;
  readonly #recorderOptions: Omit<MatchRecorderOptions, "onWritten" | "onEnded">;
  readonly #active = new Map<string, MatchRecorder>();
  #writtenSincePrune = 0;
  #pruning: Promise<void> = Promise.resolve();

  /** @param options the folder, its bound and the games to record */
  constructor(options: RecordingOptions) {
    this.dir = options.dir.replace(/\/+$/, "") || ".";
    this.#maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
    this.#games = options.games === undefined ? null : new Set(options.games);
    this.#recorderOptions = options.recorder ?? {};
    Deno.mkdirSync(this.dir, { recursive: true });
  }

  /** The recorders still writing, by file name. */
  get active(): ReadonlyMap<string, MatchRecorder> {
    return this.#active;
  }

  /** The recorder of a new room, or `undefined` when its game is not recorded. */
  recorderFor(room: RecordableRoom): RoomRecorder | undefined {
    if (this.#games !== null && !this.#games.has(room.game.name)) return undefined;
    const name = this.#newName(room.id);
    const recorder = new MatchRecorder(room, `${this.dir}/${name}`, {
      ...this.#recorderOptions,
      onWritten: (bytes) => {
        this.#writtenSincePrune += bytes;
        if (this.#writtenSincePrune > this.#maxBytes / 16) this.prune();
      },
      onEnded: () => {
        this.#active.delete(name);
        this.prune();
      },
    });
    this.#active.set(name, recorder);
    this.prune();
    return recorder;
  }

  /** Every recording in the folder, oldest first. */
  async list(): Promise<RecordingEntry[]> {
    const entries: RecordingEntry[] = [];
    for await (const entry of Deno.readDir(this.dir)) {
      if (!entry.isFile || !NAME_PATTERN.test(entry.name)) continue;
      try {
        const info = await Deno.stat(`${this.dir}/${entry.name}`);
        entries.push({ name: entry.name, bytes: info.size, active: this.#active.has(entry.name) });
      } catch {
        // Deleted between the listing and the stat.
      }
    }
    return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /** The bytes of recording `name`, or `null` for a name the store did not make or a missing file. */
  async read(name: string): Promise<Uint8Array<ArrayBuffer> | null> {
    if (!NAME_PATTERN.test(name)) return null;
    try {
      return await Deno.readFile(`${this.dir}/${name}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /**
   * Delete the oldest finished recordings until the folder is within its bound. Runs one at a
   * time; resolves when this pass is done.
   */
  prune(): Promise<void> {
    this.#writtenSincePrune = 0;
    this.#pruning = this.#pruning.then(() => this.#prune()).catch((error) => {
      const log = this.#recorderOptions.log ?? ((line) => console.error(line));
      log(
        `Cannot prune recordings in ${this.dir}: ${error instanceof Error ? error.message : error}`,
      );
    });
    return this.#pruning;
  }

  /**
   * HTTP routes for the replay page: `/replay` sends the browser to the page (`replay.html`,
   * served with the client), `/replays.json` lists, `/replays/file?name=…` reads.
   */
  routes(): Record<string, (request: Request) => Response | Promise<Response>> {
    return {
      "/replay": (request) => {
        const url = new URL(request.url);
        return Response.redirect(new URL(`/replay.html${url.search}`, url), 302);
      },
      "/replays.json": async () => Response.json({ recordings: await this.list() }),
      "/replays/file": async (request) => {
        const name = new URL(request.url).searchParams.get("name") ?? "";
        const bytes = await this.read(name);
        if (bytes === null) {
          return new Response(`No recording named ${JSON.stringify(name.slice(0, 100))}\n`, {
            status: 404,
            headers: { "content-type": "text/plain; charset=utf-8" },
          });
        }
        return new Response(bytes, {
          headers: { "content-type": "application/octet-stream", "cache-control": "no-cache" },
        });
      },
    };
  }

  async #prune(): Promise<void> {
    const entries = await this.list();
    let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    for (const entry of entries) {
      if (total <= this.#maxBytes) break;
      if (entry.active) continue;
      try {
        await Deno.remove(`${this.dir}/${entry.name}`);
        total -= entry.bytes;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  }

  /**
   * `<UTC time to the ms>_<room id>.arec`: sorts oldest first; room ids are unique within a
   * process and the time tells processes apart.
   */
  #newName(roomId: string): string {
    const stamp = new Date().toISOString().replace(/[-:.]/g, "");
    const safeId = roomId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60) || "room";
    let name = `${stamp}_${safeId}${EXTENSION}`;
    for (let suffix = 2; this.#active.has(name); suffix++) {
      name = `${stamp}_${safeId}-${suffix}${EXTENSION}`;
    }
    return name;
  }
}
