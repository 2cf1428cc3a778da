/**
 * Bundle the browser client (`client/main.ts` → `client/dist/client.js`) and the replay page
 * (`client/replay/main.ts` → `client/dist/replay.js`) with `deno bundle`, the commands
 * `deno task build:client` also runs.
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;

/** The `deno` arguments that bundle the client, relative to the repository root. */
export const BUNDLE_CLIENT_ARGS: readonly string[] = [
  "bundle",
  "--quiet",
  "--platform",
  "browser",
  "--sourcemap",
  "linked",
  "-o",
  "client/dist/client.js",
  "client/main.ts",
];

/** The `deno` arguments that bundle the `/replay` page. */
export const BUNDLE_REPLAY_ARGS: readonly string[] = [
  ...BUNDLE_CLIENT_ARGS.slice(0, -2),
  "client/dist/replay.js",
  "client/replay/main.ts",
];

/** Every bundle, in the order they are built. */
export const BUNDLES: readonly (readonly string[])[] = [BUNDLE_CLIENT_ARGS, BUNDLE_REPLAY_ARGS];

/**
 * Run `deno bundle` for the client and the replay page with the running Deno executable.
 * @throws {Error} with the bundler's output when it fails
 */
export async function buildClient(timeoutMs = 120_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  for (const args of BUNDLES) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [...args],
      cwd: ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal,
    }).output();
    if (code !== 0) {
      throw new Error(
        `Cannot bundle ${args.at(-1)}: ${new TextDecoder().decode(stderr).trim()}`,
      );
    }
  }
}
