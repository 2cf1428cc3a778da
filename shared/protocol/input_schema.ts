import { type ByteReader, type ByteWriter, unzigzag, zigzag } from "./bytes.ts";
import { FrameError, FrameErrorReason } from "./frame_error.ts";

/** A bit field of held buttons: an integer `0 … 2^bits − 1`, one unsigned varint on the wire. */
export interface BitsFieldSpec {
  /** Field name, the key the game reads the value by. */
  name: string;
  type: "bits";
  /** How many buttons (1 to 31): a value with a higher bit set is refused. */
  bits: number;
}

/**
 * An analog value (a stick axis, a throttle, an aim angle in radians) quantized to `1 / scale`:
 * it travels as the zigzag varint of `round(value × scale)`, and a value outside `min … max` is
 * refused.
 */
export interface AxisFieldSpec {
  /** Field name, the key the game reads the value by. */
  name: string;
  type: "axis";
  /** Smallest value allowed. */
  min: number;
  /** Largest value allowed. */
  max: number;
  /** Quantization steps per unit (127 → a 1/127 step; 10,000 → 0.0001 rad). */
  scale: number;
}

/** One field of a game's input, as the game declares it (see {@linkcode defineInput}). */
export type InputFieldSpec = BitsFieldSpec | AxisFieldSpec;

/** Most fields a game's input may declare. */
export const MAX_INPUT_FIELDS = 8;

/** Largest step count of an axis: its zigzag varint stays within 32 bits. */
const MAX_AXIS_STEPS = 2 ** 31 - 1;

/** A decoded input as the game reads it: one number per declared field, by name. */
export type InputValues<Name extends string = string> = Record<Name, number>;

/**
 * A game's input declaration, checked and compiled for the frame layer: the input frame's header
 * carries these fields after the runtime's own (PROTOCOL.md, "Input fields"), each checked
 * against its declaration on both ends. Make one with {@linkcode defineInput}.
 */
export class InputLayout<Name extends string = string> {
  /** The fields as declared, in wire order. */
  readonly fields: readonly InputFieldSpec[];
  /** Field names in wire order. */
  readonly names: readonly Name[];
  /** Per field: steps per unit, or 0 for a bits field. */
  readonly #scales: Float64Array;
  /** Per field: the smallest and largest step count (bits: 0 and `2^bits − 1`). */
  readonly #minSteps: Float64Array;
  readonly #maxSteps: Float64Array;
  readonly #what: string[];

  /** @param fields the declaration; a bad one throws `RangeError` */
  constructor(fields: readonly InputFieldSpec[]) {
    if (fields.length > MAX_INPUT_FIELDS) {
      throw new RangeError(
        `Cannot declare input: ${fields.length} fields, at most ${MAX_INPUT_FIELDS}`,
      );
    }
    this.fields = fields.map((field) => ({ ...field }));
    this.names = fields.map((field) => field.name as Name);
    this.#scales = new Float64Array(fields.length);
    this.#minSteps = new Float64Array(fields.length);
    this.#maxSteps = new Float64Array(fields.length);
    this.#what = fields.map((field) => `input frame ${field.name}`);
    const seen = new Set<string>();
    fields.forEach((field, index) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(field.name) || field.name === "viewTime") {
        throw new RangeError(`Cannot declare input field: bad name ${JSON.stringify(field.name)}`);
      }
      if (seen.has(field.name)) {
        throw new RangeError(`Cannot declare input field ${field.name}: the name is taken`);
      }
      seen.add(field.name);
      if (field.type === "bits") {
        if (!Number.isInteger(field.bits) || field.bits < 1 || field.bits > 31) {
          throw new RangeError(
            `Cannot declare input field ${field.name}: ${field.bits} bits, expected 1 to 31`,
          );
        }
        this.#maxSteps[index] = 2 ** field.bits - 1;
        return;
      }
      const minSteps = Math.round(field.min * field.scale);
      const maxSteps = Math.round(field.max * field.scale);
      if (
        !(field.scale > 0) || !(minSteps < maxSteps) || !(Math.abs(minSteps) <= MAX_AXIS_STEPS) ||
        !(Math.abs(maxSteps) <= MAX_AXIS_STEPS)
      ) {
        throw new RangeError(
          `Cannot declare input field ${field.name}: range ${field.min} to ${field.max} at scale ${field.scale} is empty or beyond ±2^31 steps`,
        );
      }
      this.#scales[index] = field.scale;
      this.#minSteps[index] = minSteps;
      this.#maxSteps[index] = maxSteps;
    });
  }

  /** How many fields. */
  get count(): number {
    return this.names.length;
  }

  /** A fresh input object with every field 0 (the runtime reuses one per queue). */
  createValues(): InputValues<Name> {
    const values = {} as InputValues<Name>;
    for (const name of this.names) values[name] = 0;
    return values;
  }

  /**
   * `value` as the receiving end will see it: on the field's grid. A client that predicts with
   * its own input uses this, so it predicts what the server will apply.
   */
  quantize(index: number, value: number): number {
    const scale = this.#scales[index] ?? 0;
    if (scale === 0) return value;
    const steps = Math.round(value * scale);
    // 0, not −0: the decoder reads steps, which have no sign of zero.
    return steps === 0 ? 0 : steps / scale;
  }

  /**
   * Write `values` (one per field, in order) as the header fields of an input frame.
   * @throws {RangeError} a value missing, not finite, or outside its declaration
   */
  write(writer: ByteWriter, values: ArrayLike<number>): void {
    if (values.length !== this.count) {
      throw new RangeError(
        `Cannot encode input: ${values.length} values for ${this.count} declared fields`,
      );
    }
    for (let index = 0; index < this.count; index++) {
      const value = values[index] ?? Number.NaN;
      const scale = this.#scales[index] ?? 0;
      const steps = scale === 0 ? value : Math.round(value * scale);
      if (
        !Number.isInteger(steps) || steps < (this.#minSteps[index] ?? 0) ||
        steps > (this.#maxSteps[index] ?? 0)
      ) {
        throw new RangeError(
          `Cannot encode input field ${this.names[index]}: expected ${
            this.#rangeText(index)
          }, got ${value}`,
        );
      }
      writer.writeVarint(scale === 0 ? steps : zigzag(steps));
    }
  }

  /**
   * Read the fields of an input frame into `out` from `at`, each a plain number on its grid.
   * @throws {FrameError} `bad_field` for a value outside its declaration (1007), or the reader's
   * errors for a truncated or malformed varint
   */
  read(reader: ByteReader, out: Float64Array, at: number): void {
    const count = this.names.length, scales = this.#scales;
    for (let index = 0; index < count; index++) {
      const what = this.#what[index] ?? "input frame";
      const raw = reader.readVarint(what);
      const scale = scales[index]!;
      const steps = scale === 0 ? raw : unzigzag(raw);
      if (steps < this.#minSteps[index]! || steps > this.#maxSteps[index]!) {
        throw new FrameError(
          FrameErrorReason.BAD_FIELD,
          `Cannot decode ${what}: expected ${this.#rangeText(index)}, got ${
            scale === 0 ? steps : steps / scale
          }`,
        );
      }
      out[at + index] = scale === 0 ? steps : steps / scale;
    }
  }

  #rangeText(index: number): string {
    const field = this.fields[index];
    if (field === undefined) return "a declared field";
    if (field.type === "bits") {
      return `an integer within ${field.bits} bits (0 to ${2 ** field.bits - 1})`;
    }
    const range = field.min === -field.max ? `±${field.max}` : `${field.min} to ${field.max}`;
    return `a finite number within ${range}`;
  }
}

/**
 * Declare a game's input: the fields a client sends every tick, in wire order, each checked on
 * both ends. The names become the keys of the input the game's `applyInput` receives.
 *
 * @example Usage
 * ```ts
 * import { defineInput } from "./input_schema.ts";
 * import assert from "node:assert/strict";
 *
 * const input = defineInput([
 *   { name: "buttons", type: "bits", bits: 4 },
 *   { name: "steer", type: "axis", min: -1, max: 1, scale: 100 },
 * ]);
 * assert.deepEqual(input.names, ["buttons", "steer"]);
 * assert.equal(input.quantize(1, 0.123), 0.12);
 * ```
 */
export function defineInput<const Fields extends readonly InputFieldSpec[]>(
  fields: Fields,
): InputLayout<Fields[number]["name"]> {
  return new InputLayout<Fields[number]["name"]>(fields);
}
