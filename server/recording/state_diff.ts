/**
 * Where two game states differ, as paths into the state: `players.get(5).x: 101.25 ≠ 100.5`.
 * Walks plain objects, arrays, `Map`s and `Set`s; numbers compare with `Object.is`, except that
 * `-0` equals `0` (as in the state hash). Stops after `limit` differences.
 */
export function diffStates(a: unknown, b: unknown, limit = 20): string[] {
  const out: string[] = [];
  walk(a, b, "state", out, limit);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (typeof a === "number" && typeof b === "number") {
    if (!Object.is(a + 0, b + 0)) out.push(`${path}: ${a} ≠ ${b}`);
    return;
  }
  if (a instanceof Map && b instanceof Map) {
    for (const [key, value] of a) {
      const at = `${path}.get(${JSON.stringify(key)})`;
      if (!b.has(key)) out.push(`${at}: present ≠ missing`);
      else walk(value, b.get(key), at, out, limit);
      if (out.length >= limit) return;
    }
    for (const key of b.keys()) {
      if (!a.has(key)) out.push(`${path}.get(${JSON.stringify(key)}): missing ≠ present`);
    }
    return;
  }
  if (a instanceof Set && b instanceof Set) {
    for (const value of a) if (!b.has(value)) out.push(`${path} has ${String(value)} ≠ not`);
    for (const value of b) if (!a.has(value)) out.push(`${path} lacks ${String(value)} ≠ has`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}.length: ${a.length} ≠ ${b.length}`);
    for (let index = 0; index < Math.min(a.length, b.length); index++) {
      walk(a[index], b[index], `${path}[${index}]`, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      walk(a[key], b[key], `${path}.${key}`, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  if (!Object.is(a, b)) out.push(`${path}: ${describe(a)} ≠ ${describe(b)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !(value instanceof Map) &&
    !(value instanceof Set) && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "missing";
  return String(value);
}
