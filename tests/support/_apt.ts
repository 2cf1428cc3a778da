/**
 * Installs a Debian package with apt-get when a file it provides is missing, the way CI does on a
 * fresh machine (as root).
 * @module
 */

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
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
 * Install Debian package `name` unless `path` exists; returns `path`.
 * @throws {Error} if apt-get fails or `path` is still missing afterwards
 */
export async function ensureAptPackage(name: string, path: string): Promise<string> {
  if (await exists(path)) return path;
  await run("apt-get", ["update"], 5 * 60_000);
  await run("apt-get", ["install", "-y", name], 10 * 60_000);
  if (!(await exists(path))) {
    throw new Error(`Cannot find ${path}: apt-get install ${name} did not provide it`);
  }
  return path;
}
