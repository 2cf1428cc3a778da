/**
 * Headless Chromium for the end-to-end tests: Debian's `chromium` package driven by
 * `playwright-core` (which ships no browser of its own, so nothing is downloaded at run time).
 * @module
 */
// Named here, not in package.json: the tests' packages are pinned in tests/deno.lock, so deno.lock,
// all of which `deno task start` installs, holds only what the server needs.
// deno-lint-ignore no-import-prefix
import { type Browser, chromium } from "npm:playwright-core@^1.65.1";
import { ensureAptPackage } from "./_apt.ts";

export type { Browser, Page } from "npm:playwright-core@^1.65.1";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a quiet, reproducible headless run on a CI box without a GPU or a sandbox. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Install Debian's `chromium` with apt-get when it is missing, the way CI does on a fresh
 * machine (as root). Does nothing when the browser is already there.
 * @throws {Error} if apt-get fails or the browser is still missing afterwards
 */
export function ensureChromium(): Promise<string> {
  return ensureAptPackage("chromium", CHROMIUM_PATH);
}

/** A headless browser; dispose it with `await using`. */
export interface HeadlessBrowser {
  browser: Browser;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Launch headless Chromium, installing it first if needed. Playwright's `launch` gives the
 * browser a fresh temporary profile and deletes it on close, so no state leaks between runs.
 */
export async function launchChromium(): Promise<HeadlessBrowser> {
  const executablePath = await ensureChromium();
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
  return {
    browser,
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  };
}
