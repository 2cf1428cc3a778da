/**
 * Headless Chromium (or Chrome) for the end-to-end tests, driven by `playwright-core` (which ships
 * no browser of its own, so nothing is downloaded at run time). The browser is found the way a
 * developer expects: `CHROMIUM_PATH`, then the usual names on `PATH`, then, as root on Debian (as
 * CI runs), Debian's `chromium` installed with apt-get. Without one, the browser tests are
 * ignored with one loud line, except under `CI=true`, where they are required.
 * @module
 */
// Named here, not in package.json: the tests' packages are pinned in tests/deno.lock, so deno.lock,
// all of which `deno task start` installs, holds only what the server needs.
// deno-lint-ignore no-import-prefix
import { type Browser, chromium } from "npm:playwright-core@^1.65.1";

import {
  BROWSER_ENV,
  BROWSER_NAMES,
  canInstallWithApt,
  findBrowser,
  installDebianChromium,
} from "./find_browser.ts";

export type { Browser, Page } from "npm:playwright-core@^1.65.1";

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
 * The browser this test run drives, found (or installed) once when a browser test module loads;
 * undefined when there is none, and then every browser test is ignored.
 */
export const BROWSER_PATH: string | undefined = await findBrowser({
  env: (name) => Deno.env.get(name),
  install: async () => (await canInstallWithApt()) ? await installDebianChromium() : undefined,
});
if (BROWSER_PATH === undefined) {
  console.error(
    `!!! Browser tests IGNORED: no Chromium or Chrome found. Set ${BROWSER_ENV}=/path/to/chrome ` +
      `or put one of ${BROWSER_NAMES.join(", ")} on PATH (under CI=true they fail instead) !!!`,
  );
}

/** Register a test that needs the browser: reported as ignored when there is none. */
export function browserTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: BROWSER_PATH === undefined, fn });
}

/** A headless browser; dispose it with `await using`. */
export interface HeadlessBrowser {
  browser: Browser;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Launch the headless browser of {@linkcode BROWSER_PATH} (QUIC off unless `quic`: WebTransport
 * needs it). Playwright's `launch` gives it a fresh temporary profile and deletes it on close, so
 * no state leaks between runs.
 * @throws {Error} when there is no browser (the tests that call this are ignored then)
 */
export async function launchChromium(
  options: { quic?: boolean } = {},
): Promise<HeadlessBrowser> {
  const executablePath = BROWSER_PATH;
  if (executablePath === undefined) throw new Error("Cannot launch a browser: none was found");
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // WebTransport runs over QUIC: the tests of it keep QUIC on.
    args: options.quic === true
      ? CHROMIUM_ARGS.filter((arg) => arg !== "--disable-quic")
      : [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
  return {
    browser,
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  };
}
