/** One sample of a metric family: its labels and value. */
export interface PrometheusSample {
  labels?: Record<string, string>;
  value: number;
}

/** One labelled series of a histogram in milliseconds, exposed in seconds. */
export interface HistogramSeries {
  labels: Record<string, string>;
  boundsMs: readonly number[];
  /** Per-bucket counts (not cumulative), one more than `boundsMs`. */
  counts: ArrayLike<number>;
  sumMs: number;
}

/** Builds a Prometheus text exposition (format 0.0.4), one family at a time. */
export class PrometheusText {
  readonly #lines: string[] = [];

  /** Add a counter or gauge family; a family without samples is left out. */
  family(
    name: string,
    type: "counter" | "gauge",
    help: string,
    samples: readonly PrometheusSample[],
  ): void {
    if (samples.length === 0) return;
    this.#head(name, type, help);
    for (const sample of samples) {
      this.#lines.push(`${name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }

  /** Add a histogram family whose observations were in ms; buckets and sum go out in seconds. */
  histogramSeconds(name: string, help: string, series: readonly HistogramSeries[]): void {
    if (series.length === 0) return;
    this.#head(name, "histogram", help);
    for (const one of series) {
      let cumulative = 0;
      for (let index = 0; index < one.counts.length; index++) {
        cumulative += one.counts[index]!;
        const boundMs = one.boundsMs[index];
        const le = boundMs === undefined ? "+Inf" : formatValue(boundMs / 1000);
        this.#lines.push(
          `${name}_bucket${formatLabels({ ...one.labels, le })} ${formatValue(cumulative)}`,
        );
      }
      this.#lines.push(`${name}_sum${formatLabels(one.labels)} ${formatValue(one.sumMs / 1000)}`);
      this.#lines.push(`${name}_count${formatLabels(one.labels)} ${formatValue(cumulative)}`);
    }
  }

  /** The exposition, ending with a newline. */
  toString(): string {
    return `${this.#lines.join("\n")}\n`;
  }

  #head(name: string, type: string, help: string): void {
    this.#lines.push(`# HELP ${name} ${help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
  }
}

function formatLabels(labels: Record<string, string> | undefined): string {
  if (labels === undefined) return "";
  const parts = Object.entries(labels).map(([key, value]) =>
    `${key}="${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`
  );
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return Number.isInteger(value) ? value.toFixed(0) : String(Number(value.toPrecision(9)));
}
