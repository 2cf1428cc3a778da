/** Command-line flags of the load tools: `--name value` or `--name=value`; a bare `--` is skipped. */
export class Flags {
  readonly #values = new Map<string, string>();

  /**
   * @param args the arguments, e.g. `Deno.args`
   * @param known names the tool accepts; any other is an error naming the known ones
   */
  constructor(args: readonly string[], known: readonly string[]) {
    for (let index = 0; index < args.length; index++) {
      const arg = args[index] ?? "";
      if (arg === "--") continue;
      const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
      if (match === null) {
        throw new TypeError(`Cannot parse argument ${arg}: expected --name value`);
      }
      const [, name = "", inline] = match;
      if (!known.includes(name)) {
        throw new TypeError(`Unknown flag --${name}: use ${known.map((k) => `--${k}`).join(", ")}`);
      }
      const value = inline ?? args[++index];
      if (value === undefined) throw new TypeError(`Cannot parse argument ${arg}: missing value`);
      this.#values.set(name, value);
    }
  }

  /** The flag's text, or `fallback`. */
  string(name: string, fallback: string): string {
    return this.#values.get(name) ?? fallback;
  }

  /** The flag as a number in `min..max`, or `fallback`. */
  number(name: string, fallback: number, min: number, max: number): number {
    const text = this.#values.get(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new RangeError(`Invalid --${name}: ${text}, expected a number in ${min}..${max}`);
    }
    return value;
  }

  /** Whether the flag was given. */
  has(name: string): boolean {
    return this.#values.has(name);
  }
}
