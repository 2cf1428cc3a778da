/**
 * Constants the frame encoder and decoder share (PROTOCOL.md, "Frame layout").
 * @module
 */

/** A frame body of no bytes: inputs and acks carry everything in their header. */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);
