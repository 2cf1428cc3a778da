/**
 * PROTOCOL.md as tests read it: the page's tables and example vectors are checked against the
 * code (`protocol_doc_test.ts`, `entity_delta_test.ts`). Test support only; needs `--allow-read`.
 * @module
 */

/** The text of PROTOCOL.md. */
export const PROTOCOL_PAGE: string = await Deno.readTextFile(
  new URL("../../shared/protocol/PROTOCOL.md", import.meta.url),
);

/**
 * The cells of every body row of the first markdown table at or after `marker` in the page.
 * @throws {RangeError} when the page has no `marker`
 */
export function tableAfter(marker: string): string[][] {
  const start = PROTOCOL_PAGE.indexOf(marker);
  if (start < 0) throw new RangeError(`Cannot find "${marker}" in PROTOCOL.md`);
  const lines = PROTOCOL_PAGE.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.slice(1, -1).split("|").map((cell) => cell.trim()));
  }
  return rows;
}

/** A cell of numbers as the page writes them (`−20, 0, 0`, minus as U+2212); `—` is null. */
export function pageNumbers(cell: string): number[] | null {
  if (cell === "—") return null;
  return cell.split(",").map((part) => Number(part.trim().replace("−", "-")));
}

/** Hex bytes as the page writes them (`01 09 | 01 0c`: bars group the parts). */
export function pageBytes(text: string): Uint8Array {
  const bytes = text.replaceAll("|", " ").trim().split(/\s+/);
  return new Uint8Array(bytes.map((byte) => parseInt(byte, 16)));
}
