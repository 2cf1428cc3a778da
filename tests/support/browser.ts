/**
 * Headless Chromium for the end-to-end tests: Debian's `chromium` package driven by
 * `playwright-core` (which ships no browser of its own, so nothing is downloaded at run time).
 * @module
 */
// Named here, not in package.json: the tests' packages are pinned in tests/deno.lock, so deno.lock,
// all of which `deno task start` installs, holds only what the server needs.
// deno-lint-ignore no-import-prefix
import { type Browser, chromium } from "npm:playwright-core@^1.65.1";

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

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function run(command: string, args: string[], timeoutMs: number): Promise<void> {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { DEBIAN_FRONTEND: "noninteractive" },
    signal: AbortSignal.timeout(timeoutMs),
  }).spawn();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) {
    const tail = new TextDecoder().decode(stderr.length > 0 ? stderr : stdout).slice(-2000);
    throw new Error(`Cannot run ${command} ${args.join(" ")}: exit code ${code}\n${tail}`);
  }
}

/**
 * Install Debian's `chromium` with apt-get when it is missing, the way CI does on a fresh
 * machine (as root). Does nothing when the browser is already there.
 * @throws {Error} if apt-get fails or the browser is still missing afterwards
 */
export async function ensureChromium(): Promise<string> {
  if (await exists(CHROMIUM_PATH)) return CHROMIUM_PATH;
  await run("apt-get", ["update"], 5 * 60_000);
  await run("apt-get", ["install", "-y", "chromium"], 10 * 60_000);
  if (!(await exists(CHROMIUM_PATH))) {
    throw new Error(`Cannot find ${CHROMIUM_PATH}: apt-get install chromium did not provide it`);
  }
  return CHROMIUM_PATH;
}

/** A headless browser; dispose it with `await using`. */
export interface HeadlessBrowser {
  browser: Browser;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Launch headless Chromium (QUIC off unless `quic`: WebTransport needs it), installing it first if
 * needed. Playwright's `launch` gives the
 * browser a fresh temporary profile and deletes it on close, so no state leaks between runs.
 */
export async function launchChromium(
  options: { quic?: boolean } = {},
): Promise<HeadlessBrowser> {
  const executablePath = await ensureChromium();
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
