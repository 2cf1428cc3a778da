import assert from "node:assert/strict";
import { BUTTON_MASK, Buttons } from "./constants.ts";
import { sanitizeInput } from "./input.ts";

Deno.test("sanitizeInput() turns a NaN or infinite aim into 0", () => {
  assert.equal(sanitizeInput({ buttons: 0, aim: Number.NaN }).aim, 0);
  assert.equal(sanitizeInput({ buttons: 0, aim: Infinity }).aim, 0);
  assert.equal(sanitizeInput({ buttons: 0, aim: -Infinity }).aim, 0);
});

Deno.test("sanitizeInput() wraps a huge aim into (-π, π]", () => {
  for (const aim of [1e9, -1e9, 1e300, -1e300, 7, -7, 3 * Math.PI, Number.MAX_VALUE]) {
    const wrapped = sanitizeInput({ buttons: 0, aim }).aim;
    assert.ok(wrapped > -Math.PI && wrapped <= Math.PI, `${aim} wrapped to ${wrapped}`);
    // Same direction: the wrapped angle differs from the input by whole turns.
    if (Math.abs(aim) < 1e6) {
      assert.ok(Math.abs(Math.cos(wrapped) - Math.cos(aim)) < 1e-9);
      assert.ok(Math.abs(Math.sin(wrapped) - Math.sin(aim)) < 1e-9);
    }
  }
  assert.equal(sanitizeInput({ buttons: 0, aim: 7 }).aim, 7 - 2 * Math.PI);
});

Deno.test("sanitizeInput() keeps an aim already in (-π, π] and maps -π to π", () => {
  for (const aim of [0, 1.5, -1.5, Math.PI]) {
    assert.equal(sanitizeInput({ buttons: 0, aim }).aim, aim);
  }
  assert.equal(sanitizeInput({ buttons: 0, aim: -Math.PI }).aim, Math.PI);
});

Deno.test("sanitizeInput() drops unknown button bits and non-integer noise", () => {
  assert.equal(sanitizeInput({ buttons: 0xffff_ffff, aim: 0 }).buttons, BUTTON_MASK);
  assert.equal(sanitizeInput({ buttons: 64 | Buttons.UP, aim: 0 }).buttons, Buttons.UP);
  assert.equal(sanitizeInput({ buttons: -1, aim: 0 }).buttons, BUTTON_MASK);
  assert.equal(sanitizeInput({ buttons: Number.NaN, aim: 0 }).buttons, 0);
  assert.equal(sanitizeInput({ buttons: Infinity, aim: 0 }).buttons, 0);
  assert.equal(sanitizeInput({ buttons: Buttons.FIRE + 0.5, aim: 0 }).buttons, Buttons.FIRE);
});

Deno.test("sanitizeInput() leaves its argument unchanged", () => {
  const input = { buttons: 0xff, aim: 100 };
  sanitizeInput(input);
  assert.deepEqual(input, { buttons: 0xff, aim: 100 });
});
