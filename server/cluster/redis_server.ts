/**
 * A private `redis-server` child for `deno task cluster` and the tests: bound to 127.0.0.1,
 * persisting nothing (`--save ''`, `--appendonly no`).
 * @module
 */

/**
 * Start `redis-server` (at `path`) on `port`; resolves once it accepts connections. Its warnings
 * go to our stderr when `stderr` is `inherit`.
 */
export async function spawnRedisServer(
  path: string,
  port: number,
  stderr: "inherit" | "null" = "null",
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(path, {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning",
    ],
    stdin: "null",
    stdout: "null",
    stderr,
  }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  const deadlineMs = Date.now() + 10_000;
  for (;;) {
    try {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port });
      connection.close();
      return child;
    } catch {
      // Not listening yet.
    }
    if (exited || Date.now() > deadlineMs) {
      if (!exited) child.kill("SIGKILL");
      await child.status;
      throw new Error(`Cannot start redis-server on port ${port}: not listening within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A free TCP port on 127.0.0.1 (free when asked: bind it at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Stop a child with SIGTERM, then SIGKILL after `timeoutMs`; resolves when it has exited. */
export async function stopChild(child: Deno.ChildProcess, timeoutMs = 3000): Promise<void> {
  const signal = (name: Deno.Signal) => {
    try {
      child.kill(name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), timeoutMs);
  await child.status;
  clearTimeout(timer);
}
