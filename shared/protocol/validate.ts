import { FrameError, FrameErrorReason } from "./frame_error.ts";

/**
 * Field checks for decoded msgpack values. Each takes the value, where it sits (for the message)
 * and its bounds, and throws {@linkcode FrameError} instead of letting a bad value through.
 */

function fail(what: string, detail: string): never {
  throw new FrameError(FrameErrorReason.BAD_FIELD, `Cannot decode ${what}: ${detail}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** An integer in `min..max`. */
export function expectInt(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(what, `expected an integer in ${min}..${max}, got ${describe(value)}`);
  }
  return value;
}

/** A finite number whose magnitude is at most `maxMagnitude`. */
export function expectFinite(value: unknown, what: string, maxMagnitude: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > maxMagnitude) {
    fail(what, `expected a finite number within ±${maxMagnitude}, got ${describe(value)}`);
  }
  return value;
}

/** A string of at most `maxChars` UTF-16 code units. */
export function expectString(value: unknown, what: string, maxChars: number): string {
  if (typeof value !== "string") fail(what, `expected a string, got ${describe(value)}`);
  if (value.length > maxChars) {
    throw new FrameError(
      FrameErrorReason.TOO_BIG,
      `Cannot decode ${what}: string has ${value.length} characters, limit is ${maxChars}`,
    );
  }
  return value;
}

/** An array of at most `maxLength` items (the items are checked by the caller). */
export function expectArray(value: unknown, what: string, maxLength: number): unknown[] {
  if (!Array.isArray(value)) fail(what, `expected an array, got ${describe(value)}`);
  if (value.length > maxLength) {
    throw new FrameError(
      FrameErrorReason.TOO_BIG,
      `Cannot decode ${what}: array has ${value.length} items, limit is ${maxLength}`,
    );
  }
  return value;
}

/** An array of exactly `length` items, the positional body of a client message. */
export function expectTuple(value: unknown, what: string, length: number): unknown[] {
  if (!Array.isArray(value)) fail(what, `expected an array of ${length}, got ${describe(value)}`);
  if (value.length !== length) {
    fail(what, `expected an array of ${length} items, got ${value.length}`);
  }
  return value;
}

/** A plain object (a decoded record); its fields are checked by the caller. */
export function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(what, `expected a record, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}
