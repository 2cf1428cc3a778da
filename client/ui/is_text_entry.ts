/**
 * Whether a key press aimed at `target` is typing (a chat box), not playing: game keys leave
 * such a field alone.
 *
 * @example Usage
 * ```ts
 * import { isTextEntry } from "./is_text_entry.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isTextEntry(null), false);
 * ```
 */
export function isTextEntry(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || target === null) return false;
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  return target instanceof HTMLInputElement &&
    ["text", "search", "email", "url", "tel", "password", "number"].includes(target.type);
}
