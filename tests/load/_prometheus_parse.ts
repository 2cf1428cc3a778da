/** One sample of a Prometheus text exposition. */
export interface PrometheusSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parse a Prometheus text exposition (format 0.0.4) into its samples; comments are skipped.
 * @throws {SyntaxError} on a line that is not a sample
 */
export function parsePrometheus(text: string): PrometheusSeries[] {
  const series: PrometheusSeries[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = LINE.exec(line);
    if (match === null) throw new SyntaxError(`Cannot parse metrics line: ${line}`);
    const [, name = "", labelText = "", valueText = ""] = match;
    const labels: Record<string, string> = {};
    for (const [, key = "", value = ""] of labelText.matchAll(LABEL)) {
      labels[key] = value.replace(/\\(.)/g, (_, char: string) => char === "n" ? "\n" : char);
    }
    const value = valueText === "+Inf"
      ? Infinity
      : valueText === "-Inf"
      ? -Infinity
      : Number(valueText);
    series.push({ name, labels, value });
  }
  return series;
}

/** Sum of the samples named `name` whose labels include `where`. */
export function sumSeries(
  series: readonly PrometheusSeries[],
  name: string,
  where: Record<string, string> = {},
): number {
  let total = 0;
  for (const one of series) {
    if (one.name !== name) continue;
    if (Object.entries(where).every(([key, value]) => one.labels[key] === value)) {
      total += one.value;
    }
  }
  return total;
}

/**
 * Cumulative bucket counts of a histogram, summed over series that match `where`, keyed by the
 * upper bound in the histogram's unit (`Infinity` for `+Inf`), ascending.
 */
export function histogramBuckets(
  series: readonly PrometheusSeries[],
  name: string,
  where: Record<string, string> = {},
): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const one of series) {
    if (one.name !== `${name}_bucket`) continue;
    if (!Object.entries(where).every(([key, value]) => one.labels[key] === value)) continue;
    const le = one.labels.le === "+Inf" ? Infinity : Number(one.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + one.value);
  }
  return new Map([...buckets].sort(([a], [b]) => a - b));
}

/**
 * The `q` quantile of the observations between two reads of the same cumulative histogram
 * (as {@linkcode histogramBuckets} returns them), interpolating inside the bucket; `null` when
 * nothing was observed in between.
 */
export function quantileBetween(
  reads: { before: ReadonlyMap<number, number>; after: ReadonlyMap<number, number> },
  q: number,
): number | null {
  const { before, after } = reads;
  const bounds = [...after.keys()];
  const cumulative = bounds.map((bound) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0));
  const total = cumulative.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let index = 0; index < bounds.length; index++) {
    const upTo = cumulative[index] ?? 0;
    if (upTo >= rank) {
      const below = index === 0 ? 0 : cumulative[index - 1] ?? 0;
      const lower = index === 0 ? 0 : bounds[index - 1] ?? 0;
      const upper = bounds[index] ?? Infinity;
      if (upper === Infinity) return lower;
      const inBucket = upTo - below;
      return inBucket <= 0 ? upper : lower + (upper - lower) * (rank - below) / inBucket;
    }
  }
  return null;
}
