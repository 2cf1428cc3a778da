/** A `deno` child process whose output is read line by line, so its pipes never fill up. */
export interface DenoChild {
  /** Process id, for /proc. */
  readonly pid: number;
  /** Everything the child wrote to stdout, once it has exited. */
  readonly stdout: Promise<string>;
  /** Resolves when the child has exited. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Send SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Settings of {@linkcode spawnDeno}. */
export interface SpawnDenoOptions {
  /** Told each stdout line as it arrives. */
  onStdoutLine?: (line: string) => void;
  /** Told each stderr line as it arrives. */
  onStderrLine?: (line: string) => void;
  /**
   * Run under `nice -n` with this niceness (the process keeps its pid: nice execs deno).
   * @default 0
   */
  nice?: number;
  /** Run under `taskset -c` on these CPUs, e.g. `"1"` (the pid stays the same). */
  cpus?: string;
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: ((line: string) => void) | undefined,
): Promise<string> {
  let all = "";
  let partial = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    const chunk = decoder.decode(bytes, { stream: true });
    all += chunk;
    partial += chunk;
    let newline = partial.indexOf("\n");
    while (newline >= 0) {
      onLine?.(partial.slice(0, newline));
      partial = partial.slice(newline + 1);
      newline = partial.indexOf("\n");
    }
  }
  if (partial !== "") onLine?.(partial);
  return all;
}

/** Run `deno <args>` from the repository root with stdin closed and both outputs read. */
export function spawnDeno(args: readonly string[], options: SpawnDenoOptions = {}): DenoChild {
  const root = new URL("../../", import.meta.url).pathname;
  const prefix: string[] = [];
  if (options.cpus !== undefined) prefix.push("taskset", "-c", options.cpus);
  if ((options.nice ?? 0) !== 0) prefix.push("nice", "-n", String(options.nice));
  const [command = Deno.execPath(), ...rest] = [...prefix, Deno.execPath(), ...args];
  const child = new Deno.Command(command, {
    args: rest,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = readLines(child.stdout, options.onStdoutLine);
  const stderr = readLines(child.stderr, options.onStderrLine);
  const status = Promise.all([child.status, stdout, stderr]).then(([status]) => status);
  return {
    pid: child.pid,
    stdout,
    status,
    async stop(timeoutMs = 5000) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        status.then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), timeoutMs)),
      ]);
      clearTimeout(timer);
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Exited meanwhile.
        }
        await status;
      }
    },
  };
}
