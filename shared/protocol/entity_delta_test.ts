import assert from "node:assert/strict";
import {
  pageBytes,
  pageNumbers,
  PROTOCOL_PAGE,
  tableAfter,
} from "../../tests/support/protocol_page.ts";
import { seededRandom } from "../../tests/support/seeded_random.ts";
import { ByteWriter } from "./bytes.ts";
import {
  createEntityTable,
  encodeEntityDelta,
  type EntityCoding,
  EntityDeltaDecoder,
  EntityDeltaScratch,
  type EntityTable,
  MAX_QUANTIZED,
} from "./entity_delta.ts";
import { FrameError, FrameErrorReason } from "./frame_error.ts";

// The worked example of PROTOCOL.md ("Snapshot entities"), computed by hand: columns id, x (hot,
// velocity vx), angle (wrap 256), vx. A test below also reads the example from the page itself.
const CODING: EntityCoding = {
  stride: 4,
  wraps: [0, 0, 256, 0],
  hotMask: 1,
  velocities: [0, 3, 0, 0],
};
const BASELINE_ROWS = [[3, 100, 250, 4], [5, -20, 0, 0], [6, 50, 64, -2], [9, 7, 10, 0]];
const CURRENT_ROWS = [[3, 109, 4, 4], [5, -18, 0, 0], [6, 46, 64, -2], [12, -3, 128, 1]];
const TICKS = 2;
/** One decoder for the file, as a client keeps one: results must not depend on earlier calls. */
const DECODER = new EntityDeltaDecoder();

function table(rows: readonly (readonly number[])[], stride = 4): EntityTable {
  const result = createEntityTable(stride, Math.max(1, rows.length));
  rows.forEach((row, index) => {
    result.ids[index] = row[0] ?? 0;
    result.values.set(row, index * stride);
  });
  result.count = rows.length;
  return result;
}

function rowsOf(decoded: EntityTable, stride = 4): number[][] {
  return Array.from(
    { length: decoded.count },
    (_, index) => [...decoded.values.subarray(index * stride, (index + 1) * stride)],
  );
}

function hex(text: string): Uint8Array {
  return new Uint8Array(text.split(" ").map((byte) => parseInt(byte, 16)));
}

function encode(
  baseline: EntityTable | null,
  current: EntityTable,
  coding: EntityCoding,
  ticks: number,
): Uint8Array {
  const out = new ByteWriter(64);
  encodeEntityDelta(baseline, current, coding, out, new EntityDeltaScratch(), ticks);
  return out.toBytes();
}

Deno.test("encodeEntityDelta() writes the delta computed by hand from PROTOCOL.md", () => {
  // removed 1: id 9 | added 1: id 12, x −3 → 05, angle 128 → 80 02, vx 1 → 02 | kept 3 |
  // bits: changed 1 1 0 (ids 3 5 6), hot-only 0 1 (ids 3 5) = 0b10011 |
  // id 3: mask 3, x 109 − (100 + 4 × 2) = +1 → 02, angle 4 − 250 = +10 the short way → 14 |
  // id 5: hot only, x −18 − (−20 + 0 × 2) = +2 → 04. Id 6 moved exactly as predicted: no bytes.
  const delta = hex("01 09 01 0c 05 80 02 02 03 13 03 02 14 04");
  assert.deepEqual(encode(table(BASELINE_ROWS), table(CURRENT_ROWS), CODING, TICKS), delta);
  const decoded = DECODER.decode(table(BASELINE_ROWS), delta, CODING, 100, TICKS);
  assert.deepEqual(rowsOf(decoded), CURRENT_ROWS);
  assert.deepEqual([...decoded.ids.subarray(0, decoded.count)], [3, 5, 6, 12]);
});

Deno.test("encodeEntityDelta() writes the full snapshot computed by hand from PROTOCOL.md", () => {
  // removed 0 | added 4: gap 3, x 109 → da 01, angle 4 → 08, vx 4 → 08; gap 2, −18 → 23, 0, 0;
  // gap 1, 46 → 5c, 64 → 80 01, −2 → 03; gap 6, −3 → 05, 128 → 80 02, 1 → 02 | kept 0.
  const full = hex("00 04 03 da 01 08 08 02 23 00 00 01 5c 80 01 03 06 05 80 02 02 00");
  assert.deepEqual(encode(null, table(CURRENT_ROWS), CODING, 12), full);
  assert.deepEqual(rowsOf(DECODER.decode(null, full, CODING, 100, 12)), CURRENT_ROWS);
});

Deno.test("PROTOCOL.md's worked example of snapshot entities is what the codec writes and reads", () => {
  const section = PROTOCOL_PAGE.slice(PROTOCOL_PAGE.indexOf("### Worked example"));
  const coding = section.match(
    /stride (\d+), `entityHotMask` (\d+),\s+`entityWraps` `\[([^\]]*)\]`, `entityVelocities` `\[([^\]]*)\]`/,
  );
  const ticks = section.match(/baseline at tick (\d+), snapshot at tick (\d+)/);
  const vectors = section.match(/```text\ndelta: ([^\n]*)\nfull: ([^\n]*)\n```/);
  assert.ok(coding !== null && ticks !== null && vectors !== null, "example is incomplete");
  const [, strideText, hotMask, wraps, velocities] = coding;
  const entityCoding: EntityCoding = {
    stride: Number(strideText),
    hotMask: Number(hotMask),
    wraps: pageNumbers(wraps ?? "") ?? [],
    velocities: pageNumbers(velocities ?? "") ?? [],
  };
  const baselineTick = Number(ticks[1]), tick = Number(ticks[2]);
  const baseRows: number[][] = [], currentRows: number[][] = [];
  for (const [id, baseline, current] of tableAfter("| id | baseline")) {
    const base = pageNumbers(baseline ?? ""), now = pageNumbers(current ?? "");
    if (base !== null) baseRows.push([Number(id), ...base]);
    if (now !== null) currentRows.push([Number(id), ...now]);
  }
  assert.ok(baseRows.length > 0 && currentRows.length > 0, "example has no rows");
  const stride = entityCoding.stride;
  const baseline = table(baseRows, stride), current = table(currentRows, stride);
  const delta = pageBytes(vectors[1] ?? ""), full = pageBytes(vectors[2] ?? "");
  assert.deepEqual(encode(baseline, current, entityCoding, tick - baselineTick), delta);
  assert.deepEqual(encode(null, current, entityCoding, tick), full);
  const decoded = DECODER.decode(baseline, delta, entityCoding, 100, tick - baselineTick);
  assert.deepEqual(rowsOf(decoded, stride), currentRows);
});

Deno.test("EntityDeltaDecoder.decode() results stay valid after later calls, and decoders share nothing", () => {
  const decoder = new EntityDeltaDecoder(), other = new EntityDeltaDecoder();
  const full = encode(null, table(CURRENT_ROWS), CODING, 12);
  const first = decoder.decode(null, full, CODING, 100, 12);
  const second = decoder.decode(
    null,
    encode(null, table(BASELINE_ROWS), CODING, 10),
    CODING,
    100,
    10,
  );
  const third = other.decode(
    table(BASELINE_ROWS),
    hex("01 09 01 0c 05 80 02 02 03 13 03 02 14 04"),
    CODING,
    100,
    TICKS,
  );
  assert.deepEqual(rowsOf(first), CURRENT_ROWS);
  assert.deepEqual(rowsOf(second), BASELINE_ROWS);
  assert.deepEqual(rowsOf(third), CURRENT_ROWS);
});

Deno.test("EntityDeltaDecoder.decode() moves an unchanged row by its velocity over the baseline's age", () => {
  // One kept row, not changed: x is predicted 50 + (−2) × ticks for any age of the baseline.
  const baseline = table([[6, 50, 64, -2]]);
  for (const ticks of [1, 2, 7]) {
    const bytes = hex("00 00 01 00");
    assert.deepEqual(rowsOf(DECODER.decode(baseline, bytes, CODING, 10, ticks)), [[
      6,
      50 - 2 * ticks,
      64,
      -2,
    ]]);
  }
});

function expectRejection(
  baseline: EntityTable | null,
  bytes: Uint8Array,
  reason: FrameErrorReason,
  detail: RegExp,
  options: { maxEntities?: number; ticks?: number; coding?: EntityCoding } = {},
): void {
  assert.throws(
    () =>
      DECODER.decode(
        baseline,
        bytes,
        options.coding ?? CODING,
        options.maxEntities ?? 100,
        options.ticks ?? TICKS,
      ),
    (error: unknown) => {
      assert.ok(error instanceof FrameError, `expected a FrameError, got ${error}`);
      assert.equal(error.reason, reason, error.message);
      assert.match(error.message, /^Cannot decode snapshot entities: /);
      assert.match(error.message, detail);
      return true;
    },
  );
}

Deno.test("EntityDeltaDecoder.decode() rejects every malformed section with a named reason", () => {
  const baseline = table(BASELINE_ROWS);
  const { BAD_FIELD, TRUNCATED, TRAILING_BYTES } = FrameErrorReason;
  const cases: [string, string, FrameErrorReason, RegExp, { maxEntities?: number }?][] = [
    ["more removed than the baseline has", "05", BAD_FIELD, /5 removed, baseline has 4/],
    ["removed ids not ascending", "02 03 00", BAD_FIELD, /removed ids are not ascending/],
    ["a removed id not in the baseline", "01 04 00 03 00", BAD_FIELD, /not all in the baseline/],
    ["a removed id past the baseline's last", "01 0a 00 03 00", BAD_FIELD, /not all in the/],
    ["added ids not ascending", "00 02 0c 00 00 00 00 00 00 00", BAD_FIELD, /added ids are not/],
    ["more added than the limit", "00 03", BAD_FIELD, /3 added entities, limit is 2/, {
      maxEntities: 2,
    }],
    ["an added id beyond 31 bits", "00 01 80 80 80 80 08 00 00 00", BAD_FIELD, /is too large/],
    ["an added value beyond ±(2^31 − 1)", "00 01 0c ff ff ff ff 0f", BAD_FIELD, /out of range/],
    ["a kept count that does not add up", "00 00 03", BAD_FIELD, /3 kept entities, baseline 4/],
    ["set padding bits", "00 00 04 80", BAD_FIELD, /padding bits are set/],
    ["kept and added over the limit", "00 01 0c 00 00 00 04 00", BAD_FIELD, /5 entities, limit/, {
      maxEntities: 4,
    }],
    ["an id both added and kept", "00 01 05 00 00 00 04 00", BAD_FIELD, /id 5 is both added/],
    ["a column mask of 0", "00 00 04 01 00", BAD_FIELD, /column mask 0 is invalid/],
    ["a column mask naming a missing column", "00 00 04 01 08 02", BAD_FIELD, /mask 8 is invalid/],
    ["a residual past ±(2^31 − 1)", "00 00 04 11 fe ff ff ff 0f", BAD_FIELD, /out of range/],
    ["a truncated count", "", TRUNCATED, /buffer ends at byte 0/],
    ["a truncated bit section", "00 00 04", TRUNCATED, /buffer ends at byte 3/],
    ["a truncated residual", "00 00 04 03 02", TRUNCATED, /buffer ends at byte 5/],
    ["trailing bytes", "00 00 04 00 00", TRAILING_BYTES, /1 bytes left over/],
  ];
  for (const [name, bytes, reason, detail, options] of cases) {
    try {
      expectRejection(
        baseline,
        bytes === "" ? new Uint8Array(0) : hex(bytes),
        reason,
        detail,
        options,
      );
    } catch (error) {
      throw new Error(`Case "${name}" was not rejected as expected`, { cause: error });
    }
  }
  // A baseline row whose velocity carries it out of range, though the bytes are fine.
  const runaway = table([[1, MAX_QUANTIZED - 1, 0, 4]]);
  expectRejection(runaway, hex("00 00 01 00"), BAD_FIELD, /value \d+ out of range/, { ticks: 1 });
  // Every cut of the hand-computed delta is refused as truncated, never misread.
  const delta = hex("01 09 01 0c 05 80 02 02 03 13 03 02 14 04");
  for (let length = 0; length < delta.length; length++) {
    expectRejection(baseline, delta.subarray(0, length), TRUNCATED, /buffer ends at byte/);
  }
});

/** A random coding of 2..12 columns: some hot, some wrapping, some with a velocity column. */
function randomCoding(random: () => number): EntityCoding {
  const stride = 2 + Math.floor(random() * 11);
  const wraps = [0], velocities = [0];
  let hotMask = 0;
  for (let column = 1; column < stride; column++) {
    const wraps256 = random() < 0.2;
    wraps.push(wraps256 ? 256 : 0);
    velocities.push(!wraps256 && random() < 0.3 ? 1 + Math.floor(random() * (stride - 1)) : 0);
    if (random() < 0.4) hotMask |= 1 << (column - 1);
  }
  velocities.forEach((velocity, column) => {
    if (velocity === column) velocities[column] = 0;
  });
  return { stride, wraps, hotMask, velocities };
}

/** A random table of ascending ids in 1..80, values small or large, wrapped where they wrap. */
function randomTable(random: () => number, coding: EntityCoding): number[][] {
  const rows: number[][] = [];
  for (let id = 1; id <= 80; id++) {
    if (random() < 0.6) continue;
    const row = [id];
    for (let column = 1; column < coding.stride; column++) {
      const wrap = coding.wraps[column] ?? 0;
      const magnitude = random() < 0.1 ? 1_000_000 : 300;
      const value = Math.floor((random() - 0.5) * 2 * magnitude);
      row.push(wrap === 0 ? value : ((value % wrap) + wrap) % wrap);
    }
    rows.push(row);
  }
  return rows;
}

/** Keep some of `rows`, change some columns a little, add some new ids. */
function evolve(random: () => number, rows: number[][], coding: EntityCoding): number[][] {
  const next = new Map<number, number[]>();
  for (const row of rows) {
    if (random() < 0.1) continue;
    next.set(
      row[0] ?? 0,
      row.map((value, column) => {
        if (column === 0 || random() < 0.5) return value;
        const wrap = coding.wraps[column] ?? 0;
        const moved = value + Math.floor((random() - 0.5) * 20);
        return wrap === 0 ? moved : ((moved % wrap) + wrap) % wrap;
      }),
    );
  }
  for (const row of randomTable(random, coding)) if (random() < 0.2) next.set(row[0] ?? 0, row);
  return [...next.values()].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

Deno.test("EntityDeltaDecoder.decode() rebuilds 2,000 seeded random deltas exactly", () => {
  const random = seededRandom(0xde17a);
  const scratch = new EntityDeltaScratch();
  const out = new ByteWriter(256);
  let withVelocity = 0;
  for (let round = 0; round < 2000; round++) {
    const coding = randomCoding(random);
    const baseRows = randomTable(random, coding);
    const currentRows = evolve(random, baseRows, coding);
    const full = random() < 0.2;
    const ticks = 1 + Math.floor(random() * 5);
    const baseline = full ? null : table(baseRows, coding.stride);
    out.reset();
    encodeEntityDelta(baseline, table(currentRows, coding.stride), coding, out, scratch, ticks);
    const decoded = DECODER.decode(baseline, out.toBytes(), coding, 1000, ticks);
    assert.deepEqual(rowsOf(decoded, coding.stride), currentRows, `round ${round}`);
    if (coding.velocities.some((column) => column !== 0)) withVelocity++;
  }
  assert.ok(withVelocity > 1000, `only ${withVelocity} rounds had a velocity column`);
});

Deno.test("EntityDeltaDecoder.decode() survives 20,000 mutated deltas with only FrameErrors", () => {
  const random = seededRandom(0xbadde17a);
  const scratch = new EntityDeltaScratch();
  const out = new ByteWriter(256);
  let decoded = 0;
  let rejected = 0;
  for (let round = 0; round < 20_000; round++) {
    const coding = randomCoding(random);
    const baseRows = randomTable(random, coding);
    const baseline = table(baseRows, coding.stride);
    out.reset();
    encodeEntityDelta(
      baseline,
      table(evolve(random, baseRows, coding), coding.stride),
      coding,
      out,
      scratch,
      1,
    );
    const bytes = out.toBytes();
    const flips = 1 + Math.floor(random() * 3);
    for (let flip = 0; flip < flips && bytes.length > 0; flip++) {
      bytes[Math.floor(random() * bytes.length)] = random() * 256;
    }
    const cut = random() < 0.2 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
    try {
      const result = DECODER.decode(baseline, cut, coding, 1000, 1);
      // Whatever decodes is a well-formed table: ids ascending, every value within range.
      for (let index = 1; index < result.count; index++) {
        assert.ok((result.ids[index] ?? 0) > (result.ids[index - 1] ?? 0), `round ${round}`);
      }
      for (const value of result.values.subarray(0, result.count * coding.stride)) {
        assert.ok(Math.abs(value) <= MAX_QUANTIZED, `round ${round}`);
      }
      decoded++;
    } catch (error) {
      if (!(error instanceof FrameError)) {
        throw new Error(`Round ${round} threw a non-FrameError: ${error}`, { cause: error });
      }
      rejected++;
    }
  }
  assert.ok(decoded > 1000, `only ${decoded} mutated deltas decoded; the fuzz is too shallow`);
  assert.ok(rejected > 4_000, `only ${rejected} mutated deltas rejected; the fuzz is too gentle`);
});
