import assert from "node:assert/strict";
import { ChunkKind, RecordKind } from "./format.ts";
import { RecordWriter } from "./record_writer.ts";

const SPEC = await Deno.readTextFile(new URL("./RECORDING.md", import.meta.url));

/** The `| code | name |` rows of the table whose header names `column`. */
function table(column: string): Map<string, number> {
  const rows = new Map<string, number>();
  const lines = SPEC.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`| code | ${column}`));
  for (const line of lines.slice(start + 2)) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length < 3 || !/^\d+$/.test(cells[1] ?? "")) break;
    rows.set(cells[2] ?? "", Number(cells[1]));
  }
  return rows;
}

Deno.test("RECORDING.md's chunk and record tables match the code", () => {
  const chunks = table("chunk");
  assert.deepEqual(
    chunks,
    new Map(Object.entries(ChunkKind).map(([name, code]) => [name.toLowerCase(), code])),
  );
  assert.deepEqual(
    table("record"),
    new Map(Object.entries(RecordKind).map(([name, code]) => [name.toLowerCase(), code])),
  );
});

Deno.test("RecordWriter writes the example bytes of RECORDING.md", () => {
  const example = SPEC.slice(SPEC.indexOf("## Example"));
  const hex = example.slice(example.indexOf("```") + 3, example.lastIndexOf("```"))
    .trim().split(/\s+/).map((byte) => parseInt(byte, 16));
  const writer = new RecordWriter(2, 1000 / 30);
  writer.join(1, "a");
  writer.command(1, 0, ["hi"]);
  writer.command(1, 1, [201]);
  writer.input(1, 1, [5, 0]);
  writer.input(1, 2, [5, 0.5]);
  writer.tick(1000 / 30, 0x01020304);
  assert.deepEqual([...writer.takeChunk()], hex);
});
