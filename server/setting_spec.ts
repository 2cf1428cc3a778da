/**
 * The shape of one server setting and the parsers its rows use, shared by the server's table
 * (`config.ts`) and the tables games declare for their own settings.
 * @module
 */

/** One setting: `--flag VALUE` or `ENV=VALUE`; the flag wins over the environment. */
export interface SettingSpec<Key extends string = string, Value = unknown> {
  /** The flag without its dashes: `port` for `--port`. */
  readonly flag: string;
  /** The environment variable read when the flag is absent. */
  readonly env: string;
  /** The field of the parsed settings (`ServerSettings` in `config.ts`) it fills. */
  readonly key: Key;
  /** What `--help` shows after the flag: `N`, `ADDR`, `on|off`. */
  readonly value: string;
  /** The raw default, parsed like a value the user gave. */
  readonly defaultValue: string;
  /** One line for `--help` and the README. */
  readonly help: string;
  /** Check and convert a raw value. @throws {RangeError} saying what was expected */
  readonly parse: (raw: string) => Value;
}

/** A parser for an integer in `min..max`. */
export function integerIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const parsed = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new RangeError(`expected an integer in ${min}..${max}`);
    }
    return parsed;
  };
}

/** A parser for `on` or `off`. */
export function onOff(raw: string): boolean {
  if (raw !== "on" && raw !== "off") throw new RangeError("expected on or off");
  return raw === "on";
}

/** A parser for a non-empty string. */
export function nonEmpty(raw: string): string {
  if (raw.trim() === "") throw new RangeError("expected a value");
  return raw;
}
