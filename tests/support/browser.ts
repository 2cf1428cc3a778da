/**
 * Headless Chromium for the end-to-end tests: Debian's `chromium` package driven by
 * `playwright-core` (which ships no browser of its own, so nothing is downloaded at run time).
 * @module
 */
import { type Browser, chromium } from "playwright-core";

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
 * Launch headless Chromium (with QUIC off unless `quic`), installing it first if needed. Playwright's `launch` gives the
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

/** Build `client/dist/client.js` exactly as `deno task build:client` does. */
export async function buildClient(): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--sourcemap",
      "linked",
      "-o",
      "client/dist/client.js",
      "client/main.ts",
    ],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot bundle the client: ${new TextDecoder().decode(stderr)}`);
  }
}
