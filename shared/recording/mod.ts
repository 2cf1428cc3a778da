/**
 * Match recordings: the file format, its reader and the re-simulation of a recorded match.
 * Browser-safe: the server's recorder writes files with these pieces, the `/replay` page reads
 * them. The byte layout is in RECORDING.md beside this file.
 * @module
 */
export * from "./format.ts";
export { type ChunkInfo, deflate, frameChunk, frameIndex, inflate, scanChunks } from "./chunks.ts";
export {
  assertReplayable,
  type DecodedChunk,
  type KeyframeEntry,
  Recording,
  RecordingVersionError,
} from "./reader.ts";
export { RecordWriter } from "./record_writer.ts";
export {
  type ReplayableCommand,
  type ReplayableGame,
  ReplayDivergenceError,
  Replayer,
  type ReplayMessages,
  type ReplayRewind,
} from "./replayer.ts";
export { StateHasher } from "./state_hasher.ts";
