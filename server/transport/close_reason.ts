const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** Longest close reason RFC 6455 allows: a control frame carries 125 bytes, 2 are the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Shorten `reason` to at most 123 UTF-8 bytes without splitting a character. */
export function closeReason(reason: string): string {
  const bytes = ENCODER.encode(reason);
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
  let end = MAX_CLOSE_REASON_BYTES;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return DECODER.decode(bytes.subarray(0, end));
}
