import assert from "node:assert/strict";
import { SERVER_SETTINGS } from "./config.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const CLIENT_BUNDLE = `${ROOT}client/dist/client.js`;

/** Run `deno task start` with `args` to the end; stderr without deno task's own "Task" line. */
async function start(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "start", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const stderrLines = text(stderr).split("\n").filter((line) => !line.startsWith("Task start "));
  return { code, stdout: text(stdout), stderr: stderrLines.join("\n").trim() };
}

async function modifiedMs(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

Deno.test("deno task start on a taken port says so in one line, exits 1, and builds nothing", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const before = await modifiedMs(CLIENT_BUNDLE);
  const { code, stderr } = await start(["--port", String(taken.addr.port)]);
  assert.equal(
    stderr,
    `Port ${taken.addr.port} is in use: pass --port 0 for a free one, or stop the other server`,
  );
  assert.equal(code, 1);
  assert.equal(await modifiedMs(CLIENT_BUNDLE), before, "the client was not rebuilt");
});

Deno.test("deno task start with an unknown flag or a bad value says so in one line, exits 2", async () => {
  const before = await modifiedMs(CLIENT_BUNDLE);
  const unknown = await start(["--nonsense"]);
  assert.equal(unknown.stderr, "Unknown flag --nonsense: --help lists every flag");
  assert.equal(unknown.code, 2);
  const bad = await start(["--port", "http"]);
  assert.equal(bad.stderr, "Invalid --port http: expected an integer in 0..65535");
  assert.equal(bad.code, 2);
  assert.equal(await modifiedMs(CLIENT_BUNDLE), before, "the client was not rebuilt");
});

Deno.test("deno task start --help lists every flag with its environment variable, exits 0", async () => {
  const { code, stdout } = await start(["--help"]);
  assert.equal(code, 0);
  for (const spec of SERVER_SETTINGS) {
    assert.ok(stdout.includes(`--${spec.flag}`), `--${spec.flag} in ${stdout}`);
    assert.ok(stdout.includes(spec.env), `${spec.env} in ${stdout}`);
  }
});
