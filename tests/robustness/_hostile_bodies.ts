/**
 * Hostile client bodies shared by the robustness suite and the decode bench
 * (`tests/bench/hostile_decode.ts`): msgpackr's extension features and msgpack length and nesting
 * attacks, each with the answer the strict reader must give.
 * @module
 */
import { type FrameErrorReason, PROTOCOL_VERSION } from "../../shared/protocol/mod.ts";

/** Unsigned LEB128, as the frame layer writes it. */
export function varint(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

/** One client frame of `kind` (join or ping) carrying `body`. */
export function frame(kind: number, body: readonly number[]): Uint8Array {
  return Uint8Array.from([PROTOCOL_VERSION, kind, ...varint(body.length), ...body]);
}

/** Big-endian bytes of a 32-bit unsigned integer. */
export function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** msgpack `ext` of `type` (−128..127) carrying `data`, in the given form. */
export function ext(form: number, type: number, data: readonly number[]): number[] {
  const code = type & 0xff;
  switch (form) {
    case 0xc7:
      return [0xc7, data.length, code, ...data];
    case 0xc8:
      return [0xc8, 0, data.length, code, ...data];
    case 0xc9:
      return [0xc9, ...u32(data.length), code, ...data];
    default:
      return [form, code, ...data];
  }
}

/** Data bytes of each fixext form. */
export const FIXEXT_BYTES: Record<number, number> = {
  0xd4: 1,
  0xd5: 2,
  0xd6: 4,
  0xd7: 8,
  0xd8: 16,
};
/** The eight extension forms: fixext 1, 2, 4, 8, 16, then ext 8, 16, 32. */
export const EXT_FORMS = [0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xc7, 0xc8, 0xc9];

/**
 * msgpackr's shared references, chained: level k is `[level k−1, pointer to level k−1]`, so the
 * value has `levels` × 14 bytes and 2^levels leaves; wrapped in msgpackr's error extension, whose
 * constructor turns it into a string. Decoded by msgpackr, 304 bytes (22 levels) cost 0.6 s.
 */
export function referenceChain(levels: number): number[] {
  const id = (extType: number, n: number) => [0xd6, extType, ...u32(n)];
  let value = [...id(0x69, 0), 0xa1, 0x78];
  for (let level = 1; level <= levels; level++) {
    value = [...id(0x69, level), 0x92, ...value, ...id(0x70, level - 1)];
  }
  return [0xd4, 0x65, 0x00, 0x92, 0xa1, 0x45, ...value];
}

/** msgpackr's inline record definitions (fixext 0x72), one after another. */
export function repeatedStructures(count: number): number[] {
  const definition = [0xd4, 0x72, 0x40, 0x92, 0xa1, 0x61, 0xa1, 0x62, 0x01, 0x02];
  return [0xdc, 0, count, ...Array.from({ length: count }, () => definition).flat()];
}

/** Adversarial bodies, each with the answer the decoder must give. */
export const ADVERSARIAL: { name: string; body: number[]; reason: FrameErrorReason }[] = [
  { name: "reference chain of 22 levels", body: referenceChain(22), reason: "bad_msgpack" },
  { name: "reference chain of 280 levels", body: referenceChain(280), reason: "bad_msgpack" },
  { name: "300 record definitions", body: repeatedStructures(300), reason: "bad_msgpack" },
  {
    name: "bundled strings (msgpackr ext 0x62)",
    body: [0xd6, 0x62, ...u32(4000), 0x91, 0x01],
    reason: "bad_msgpack",
  },
  {
    name: "8 nested arrays (the limit)",
    body: [...Array(8).fill(0x91), 0x01],
    reason: "bad_field",
  },
  { name: "9 nested arrays", body: [...Array(9).fill(0x91), 0x01], reason: "bad_msgpack" },
  { name: "4,000 nested arrays", body: [...Array(4000).fill(0x91), 0x01], reason: "bad_msgpack" },
  {
    name: "array 32 of 2^32 − 1 items",
    body: [0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0],
    reason: "bad_msgpack",
  },
  {
    name: "array 16 of 4,000 nils",
    body: [0xdc, 0x0f, 0xa0, ...Array(4000).fill(0xc0)],
    reason: "bad_field",
  },
  { name: "str 32 of 4 GiB", body: [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], reason: "bad_msgpack" },
  {
    name: "str 16 of 4,000 bytes",
    body: [0x91, 0xda, 0x0f, 0xa0, ...Array(4000).fill(0x61)],
    reason: "bad_field",
  },
  {
    name: "map 32 of 2^32 − 1 entries",
    body: [0xdf, 0xff, 0xff, 0xff, 0xff, 0x01],
    reason: "bad_msgpack",
  },
  { name: "bin 8", body: [0x91, 0xc4, 0x01, 0x00], reason: "bad_msgpack" },
  { name: "string not UTF-8", body: [0x91, 0xa2, 0xc3, 0x28], reason: "bad_msgpack" },
  {
    name: "uint 64 beyond 2^53",
    body: [0x91, 0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 1],
    reason: "bad_msgpack",
  },
];
