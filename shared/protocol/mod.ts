/**
 * The wire protocol: message kinds and types, the hand-written frame layer and its typed errors.
 * The byte layout is specified in PROTOCOL.md beside this file.
 * @module
 */
export * from "./message_kind.ts";
export * from "./messages.ts";
export * from "./close_code.ts";
export * from "./frame_error.ts";
export { cleanText, type CleanTextOptions } from "./text.ts";
export { ByteReader, ByteWriter, MAX_VARINT, varintSize } from "./bytes.ts";
export { ClientFrameField, ClientFrames } from "./client_frames.ts";
export { FrameDecoder, type Sender } from "./decode.ts";
export { encodeBatch, FrameEncoder } from "./encode.ts";
export * from "./input_schema.ts";
export * from "./command_schema.ts";
export { BatchReader, prefixBatch } from "./stream_batches.ts";
