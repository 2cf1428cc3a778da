/**
 * Bundle the browser client (`client/main.ts` → `client/dist/client.js`) with `deno bundle`, the
 * one command `deno task build:client` also runs.
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

/**
 * Run `deno bundle` for the client with the running Deno executable.
 * @throws {Error} with the bundler's output when it fails
 */
export async function buildClient(timeoutMs = 120_000): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...BUNDLE_CLIENT_ARGS],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot bundle the client: ${new TextDecoder().decode(stderr).trim()}`);
  }
}
