import { LIMITS } from "./messages.ts";
import { cleanText } from "./text.ts";

/**
 * A text argument, cleaned by the shared rules (`cleanText` in `text.ts`: control and direction
 * characters removed, breaks and runs of white space made one space, trimmed, NFC), then at most
 * `maxChars` long.
 */
export interface StringArgSpec {
  name: string;
  type: "string";
  /** Longest text accepted after cleaning, in UTF-16 code units (at most 256). */
  maxChars: number;
}

/** A whole-number argument within `min … max`. */
export interface IntArgSpec {
  name: string;
  type: "int";
  min: number;
  max: number;
}

/** A finite number within `min … max`. */
export interface NumberArgSpec {
  name: string;
  type: "number";
  min: number;
  max: number;
}

/** `true` or `false`. */
export interface BooleanArgSpec {
  name: string;
  type: "boolean";
}

/** One argument of a command, as the game declares it. */
export type CommandArgSpec = StringArgSpec | IntArgSpec | NumberArgSpec | BooleanArgSpec;

/** The value of one argument. */
export type CommandArgValue = string | number | boolean;

/** A command's checked arguments, by name. */
export type CommandArgs = Readonly<Record<string, CommandArgValue>>;

/**
 * A reliable client command as a game declares it: its name, its arguments in order, and how
 * often one player may send it (a token bucket of `burst` refilled at `perSecond`).
 */
export interface CommandSpec {
  /** What the client sends, e.g. `chat`: 1 to 32 letters, digits or `_`. */
  name: string;
  /** The arguments in wire order (at most {@linkcode MAX_COMMAND_ARGS}). */
  args: readonly CommandArgSpec[];
  /** Commands of this name a player may send per second, on average. */
  perSecond: number;
  /**
   * Commands a player may send at once after a quiet spell.
   * @default Math.max(1, perSecond)
   */
  burst?: number;
}

/** Most arguments of one command. */
export const MAX_COMMAND_ARGS = 8;

/** Why a command was refused (see {@linkcode checkCommandArgs}). */
export class CommandArgsError extends Error {
  /** `too_big` for a text over its limit, `bad_field` for anything else. */
  readonly reason: "too_big" | "bad_field";

  /** @param reason the class of fault; @param message sentence case, no final period */
  constructor(reason: "too_big" | "bad_field", message: string) {
    super(message);
    this.name = "CommandArgsError";
    this.reason = reason;
  }
}

/**
 * Check a command's declaration; returns it. A bad one throws `RangeError` (a game author's
 * mistake, found when the game is registered).
 */
export function checkCommandSpec(spec: CommandSpec): CommandSpec {
  if (!/^[A-Za-z0-9_]{1,32}$/.test(spec.name)) {
    throw new RangeError(`Cannot declare command ${JSON.stringify(spec.name)}: bad name`);
  }
  if (spec.args.length > MAX_COMMAND_ARGS) {
    throw new RangeError(
      `Cannot declare command ${spec.name}: ${spec.args.length} arguments, at most ${MAX_COMMAND_ARGS}`,
    );
  }
  if (!(spec.perSecond > 0) || !((spec.burst ?? 1) >= 1)) {
    throw new RangeError(`Cannot declare command ${spec.name}: rate must be above 0`);
  }
  for (const arg of spec.args) {
    const bad = arg.type === "string"
      ? !(Number.isInteger(arg.maxChars) && arg.maxChars >= 1 &&
        arg.maxChars <= LIMITS.maxTextChars)
      : arg.type === "boolean"
      ? false
      : !(arg.min <= arg.max && Math.abs(arg.min) <= 2 ** 31 && Math.abs(arg.max) <= 2 ** 31);
    if (bad) throw new RangeError(`Cannot declare command ${spec.name}: bad argument ${arg.name}`);
  }
  return spec;
}

/**
 * Check the positional arguments of a received command against its declaration and return them
 * by name (texts cleaned with the shared `cleanText` rules).
 * @throws {CommandArgsError} a missing, extra, mistyped or out-of-range argument
 */
export function checkCommandArgs(spec: CommandSpec, values: readonly unknown[]): CommandArgs {
  const what = `command ${spec.name}`;
  if (values.length !== spec.args.length) {
    throw new CommandArgsError(
      "bad_field",
      `Cannot accept ${what}: ${values.length} arguments, expected ${spec.args.length}`,
    );
  }
  const args: Record<string, CommandArgValue> = {};
  spec.args.forEach((arg, index) => {
    const value = values[index];
    const field = `${what} ${arg.name}`;
    switch (arg.type) {
      case "string": {
        if (typeof value !== "string") throw mistyped(field, "a string", value);
        const text = cleanText(value, { maxGraphemes: LIMITS.maxTextChars });
        if (text.length > arg.maxChars) {
          throw new CommandArgsError(
            "too_big",
            `Cannot accept ${field}: text has ${text.length} characters, limit is ${arg.maxChars}`,
          );
        }
        args[arg.name] = text;
        return;
      }
      case "boolean":
        if (typeof value !== "boolean") throw mistyped(field, "true or false", value);
        args[arg.name] = value;
        return;
      default: {
        const whole = arg.type === "int";
        if (
          typeof value !== "number" || !Number.isFinite(value) ||
          (whole && !Number.isInteger(value)) || value < arg.min || value > arg.max
        ) {
          throw mistyped(
            field,
            `${whole ? "an integer" : "a finite number"} within ${arg.min} to ${arg.max}`,
            value,
          );
        }
        args[arg.name] = value;
      }
    }
  });
  return args;
}

function mistyped(field: string, expected: string, value: unknown): CommandArgsError {
  const got = typeof value === "string" ? "a string" : String(value);
  return new CommandArgsError(
    "bad_field",
    `Cannot accept ${field}: expected ${expected}, got ${got}`,
  );
}
