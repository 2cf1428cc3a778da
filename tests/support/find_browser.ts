/**
 * Finds the browser the end-to-end tests drive: `CHROMIUM_PATH`, then the usual Chromium and
 * Chrome names on `PATH` (and macOS's application folders), then an installer (apt-get as root on
 * Debian, as CI runs). Without one it answers undefined, or fails under `CI=true`.
 * @module
 */
import { ensureAptPackage } from "./_apt.ts";

/** The environment variable naming the browser executable. */
export const BROWSER_ENV = "CHROMIUM_PATH";

/** Executable names searched on `PATH`, in order. */
export const BROWSER_NAMES: readonly string[] = [
  "chromium",
  "chromium-browser",
  "google-chrome",
  "google-chrome-stable",
  "chrome",
];

/** Where macOS keeps the same browsers, outside `PATH`. */
const MAC_BROWSERS: readonly string[] = [
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/** Where Debian's `chromium` package puts the browser. */
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && (info.mode === null || (info.mode & 0o111) !== 0);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return false;
    }
    throw error;
  }
}

/** Install Debian's `chromium` with apt-get, as CI does on a fresh machine (as root). */
export async function installDebianChromium(): Promise<string | undefined> {
  await ensureAptPackage("chromium", DEBIAN_CHROMIUM);
  return (await isExecutable(DEBIAN_CHROMIUM)) ? DEBIAN_CHROMIUM : undefined;
}

/** Where {@linkcode findBrowser} looks; tests pass their own. */
export interface FindBrowserOptions {
  /** Reads an environment variable (`CHROMIUM_PATH`, `PATH`, `CI`). */
  env: (name: string) => string | undefined;
  /**
   * Installs a browser when none is found, returning its path; undefined where that is not
   * possible (not root, not Debian).
   */
  install?: () => Promise<string | undefined>;
  /**
   * Browsers looked for outside `PATH`, after it.
   * @default macOS's Chromium and Chrome applications on macOS, else none
   */
  knownPaths?: readonly string[];
}

/**
 * The path of the browser to drive, or undefined when there is none and `CI` is not `true`.
 * @throws {Error} when `CHROMIUM_PATH` names no executable, or under `CI=true` when no browser
 *   can be found or installed
 */
export async function findBrowser(options: FindBrowserOptions): Promise<string | undefined> {
  const named = options.env(BROWSER_ENV);
  if (named !== undefined && named !== "") {
    if (await isExecutable(named)) return named;
    throw new Error(`Cannot use ${BROWSER_ENV}=${named}: no executable file there`);
  }
  const folders = (options.env("PATH") ?? "").split(":").filter((folder) => folder !== "");
  for (const name of BROWSER_NAMES) {
    for (const folder of folders) {
      if (await isExecutable(`${folder}/${name}`)) return `${folder}/${name}`;
    }
  }
  for (const path of options.knownPaths ?? (Deno.build.os === "darwin" ? MAC_BROWSERS : [])) {
    if (await isExecutable(path)) return path;
  }
  const installed = await options.install?.();
  if (installed !== undefined) return installed;
  if (options.env("CI") === "true") {
    throw new Error(
      `Cannot run the browser tests under CI=true: no browser in ${BROWSER_ENV} or on PATH ` +
        `(${BROWSER_NAMES.join(", ")}), and none could be installed`,
    );
  }
  return undefined;
}

/** Whether apt-get can install a browser here: root on Debian. */
export async function canInstallWithApt(): Promise<boolean> {
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) return false;
  const debian = await Deno.stat("/etc/debian_version").then(() => true, () => false);
  return debian && await isExecutable("/usr/bin/apt-get");
}
