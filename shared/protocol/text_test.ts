import assert from "node:assert/strict";
import { cleanText } from "./text.ts";

const NAME = { maxGraphemes: 24 };

Deno.test("cleanText() removes C0 and C1 controls, DEL and terminal escapes' control bytes", () => {
  assert.equal(cleanText("a\u0000b\u0007c\u001b[2Jd\u007fe\u0090f\u009bg", NAME), "abc[2Jdefg");
});

Deno.test("cleanText() removes bidirectional overrides, embeddings, isolates and marks", () => {
  const hidden = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff";
  assert.equal(cleanText(`ad${hidden}min`, NAME), "admin");
  // "evil\u202Egnp.exe" would show as "evilexe.png".
  assert.equal(cleanText("evil\u202egnp.exe", NAME), "evilgnp.exe");
});

Deno.test("cleanText() turns breaks and runs of white space into one space and trims", () => {
  assert.equal(
    cleanText(" \t ada \n\r\n lovelace\u2028x\u00a0\u3000y  ", NAME),
    "ada lovelace x y",
  );
});

Deno.test("cleanText() normalises to NFC and keeps emoji sequences whole", () => {
  assert.equal(cleanText("Cafe\u0301", NAME), "Caf\u00e9");
  const family = "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}";
  assert.equal(cleanText(family, NAME), family);
});

Deno.test("cleanText() bounds the length in user-perceived characters", () => {
  const thumbs = "\u{1F44D}\u{1F3FD}";
  assert.equal(cleanText(thumbs.repeat(30), NAME), thumbs.repeat(24));
  assert.equal(cleanText("x".repeat(30), NAME), "x".repeat(24));
  // A cut that ends on a space leaves no trailing space.
  assert.equal(cleanText(`${"y".repeat(23)} z`, NAME), "y".repeat(23));
});

Deno.test("cleanText() leaves nothing of a name made only of controls and marks", () => {
  assert.equal(cleanText("\u0000\u202e \u200f\n", NAME), "");
});

Deno.test("cleanText() can also bound UTF-16 code units without splitting a character", () => {
  const thumbs = "\u{1F44D}\u{1F3FD}";
  assert.equal(
    cleanText(thumbs.repeat(24), { maxGraphemes: 24, maxCodeUnits: 10 }),
    thumbs.repeat(2),
  );
});
