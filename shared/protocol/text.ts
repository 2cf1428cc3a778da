/**
 * Text a client chose that other players will see (a name, later chat lines): cleaned so it cannot
 * ring bells, move cursors, reorder the text around it or hide in invisible characters.
 * @module
 */

/** Settings of {@linkcode cleanText}. */
export interface CleanTextOptions {
  /** Most user-perceived characters (grapheme clusters) kept; the rest is cut. */
  maxGraphemes: number;
  /**
   * Most UTF-16 code units kept, cut between grapheme clusters: a client fitting a name to the
   * wire limit uses it.
   * @default Infinity
   */
  maxCodeUnits?: number;
}

/**
 * Line and paragraph breaks and tabs: they become a space, so words on two lines stay apart.
 * (U+0085 is a C1 control, U+2028/2029 the Unicode line and paragraph separators.)
 */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
/**
 * Removed outright: C0 controls and DEL, C1 controls, the bidirectional embeddings and overrides
 * (U+202A–202E), isolates (U+2066–2069) and marks (U+200E, U+200F, U+061C), and the byte-order
 * mark. The zero-width joiner stays: emoji sequences need it.
 */
// deno-lint-ignore no-control-regex
const REMOVED = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]/g;
const SPACES = /\s+/g;
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Clean text from a client: remove control and direction characters, turn breaks and runs of
 * white space into one space, trim, normalise to NFC, and keep at most `maxGraphemes`
 * user-perceived characters (and `maxCodeUnits`). The result may be empty; the caller decides whether that is refused.
 * Linear in the text's length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cleanText } from "./text.ts";
 *
 * assert.equal(cleanText("  ada\u0000\u001b[31m \n lovelace\u202e ", { maxGraphemes: 24 }), "ada[31m lovelace");
 * assert.equal(cleanText("e\u0301", { maxGraphemes: 24 }), "\u00e9");
 * assert.equal(cleanText("👍🏽👍🏽👍🏽", { maxGraphemes: 2 }), "👍🏽👍🏽");
 * ```
 */
export function cleanText(text: string, options: CleanTextOptions): string {
  const cleaned = text.replace(BREAKS, " ").replace(REMOVED, "").replace(SPACES, " ").trim()
    .normalize("NFC");
  const maxCodeUnits = options.maxCodeUnits ?? Infinity;
  if (cleaned.length <= Math.min(options.maxGraphemes, maxCodeUnits)) return cleaned;
  let kept = "";
  let count = 0;
  for (const { segment } of GRAPHEMES.segment(cleaned)) {
    if (count === options.maxGraphemes || kept.length + segment.length > maxCodeUnits) break;
    kept += segment;
    count++;
  }
  return kept.trimEnd();
}
