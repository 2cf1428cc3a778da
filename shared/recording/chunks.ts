import { CHUNK_PREFIX_BYTES, ChunkKind, RECORDING_MAGIC, TRAILER_MAGIC } from "./format.ts";

/** Compress one chunk's records with the web-standard `CompressionStream` (deflate-raw). */
export async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Undo {@linkcode deflate}. */
export async function inflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A chunk with its prefix in front: one write, so a cut file loses at most the last chunk. */
export function frameChunk(
  kind: ChunkKind,
  flags: number,
  firstTick: number,
  payload: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const framed = new Uint8Array(CHUNK_PREFIX_BYTES + payload.length);
  const view = new DataView(framed.buffer);
  view.setUint8(0, kind);
  view.setUint8(1, flags);
  view.setUint32(2, firstTick, true);
  view.setUint32(6, payload.length, true);
  framed.set(payload, CHUNK_PREFIX_BYTES);
  return framed;
}

/** The keyframe index chunk and the trailer that points to it, written last. */
export function frameIndex(
  entries: readonly { tick: number; offset: number }[],
  indexOffset: number,
): Uint8Array<ArrayBuffer> {
  const payload = new Uint8Array(4 + entries.length * 8);
  const view = new DataView(payload.buffer);
  view.setUint32(0, entries.length, true);
  entries.forEach((entry, index) => {
    view.setUint32(4 + index * 8, entry.tick, true);
    view.setUint32(8 + index * 8, entry.offset, true);
  });
  const chunk = frameChunk(ChunkKind.INDEX, 0, 0, payload);
  const framed = new Uint8Array(chunk.length + 8);
  framed.set(chunk);
  new DataView(framed.buffer).setUint32(chunk.length, indexOffset, true);
  framed.set(TRAILER_MAGIC, chunk.length + 4);
  return framed;
}

/** Where one chunk sits in a file. */
export interface ChunkInfo {
  kind: ChunkKind;
  flags: number;
  firstTick: number;
  /** Offset of the prefix in the file. */
  offset: number;
  /** The payload (compressed for records), a view into the file's bytes. */
  payload: Uint8Array<ArrayBuffer>;
}

/** The chunks of a file and how much of it they cover. */
export interface ChunkScan {
  chunks: ChunkInfo[];
  /** Bytes after the last whole chunk: a chunk cut off mid-write, or 0. */
  cutBytes: number;
  /** The keyframe index the trailer points to, or `null` when the file has none (cut off). */
  index: { tick: number; offset: number }[] | null;
}

/**
 * Split a recording into its chunks, reading only the prefixes. A file cut off mid-write ends in
 * a partial chunk: it is left out and counted in `cutBytes`.
 * @throws {SyntaxError} when the file does not start with the recording magic
 */
export function scanChunks(file: Uint8Array<ArrayBuffer>): ChunkScan {
  const magic = RECORDING_MAGIC;
  if (file.length < magic.length || magic.some((byte, index) => file[index] !== byte)) {
    throw new SyntaxError("Cannot read recording: the file does not start with ARENAREC");
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: ChunkInfo[] = [];
  let index: { tick: number; offset: number }[] | null = null;
  let offset = magic.length;
  while (offset + CHUNK_PREFIX_BYTES <= file.length) {
    const kind = view.getUint8(offset);
    const length = view.getUint32(offset + 6, true);
    const end = offset + CHUNK_PREFIX_BYTES + length;
    if (end > file.length) break;
    if (kind !== ChunkKind.HEADER && kind !== ChunkKind.RECORDS && kind !== ChunkKind.INDEX) break;
    const payload = file.subarray(offset + CHUNK_PREFIX_BYTES, end);
    if (kind === ChunkKind.INDEX) {
      index = readIndex(payload);
      offset = end + 8;
      break;
    }
    chunks.push({
      kind,
      flags: view.getUint8(offset + 1),
      firstTick: view.getUint32(offset + 2, true),
      offset,
      payload,
    });
    offset = end;
  }
  return { chunks, cutBytes: Math.max(0, file.length - offset), index };
}

function readIndex(payload: Uint8Array<ArrayBuffer>): { tick: number; offset: number }[] | null {
  if (payload.length < 4) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = view.getUint32(0, true);
  if (payload.length !== 4 + count * 8) return null;
  const entries: { tick: number; offset: number }[] = [];
  for (let entry = 0; entry < count; entry++) {
    entries.push({
      tick: view.getUint32(4 + entry * 8, true),
      offset: view.getUint32(8 + entry * 8, true),
    });
  }
  return entries;
}
