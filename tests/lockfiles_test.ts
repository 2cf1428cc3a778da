/**
 * `deno task start` installs every npm package in deno.lock, so deno.lock holds only what the
 * server needs, and the tests' extra packages are pinned in tests/deno.lock.
 * @module
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url);

interface LockFile {
  specifiers: Record<string, string>;
  npm: Record<string, { dependencies?: string[]; optionalDependencies?: string[] }>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, ROOT))) as T;
}

Deno.test("deno.lock holds only package.json's dependencies and what they depend on", async () => {
  const lock = await readJson<LockFile>("deno.lock");
  const packageJson = await readJson<{ dependencies: Record<string, string> }>("package.json");
  const versionOf = (name: string): string | undefined =>
    Object.keys(lock.npm).find((key) => key.startsWith(`${name}@`));
  const needed = new Set<string>();
  const pending = Object.keys(packageJson.dependencies);
  while (pending.length > 0) {
    const key = versionOf(pending.pop() ?? "");
    if (key === undefined || needed.has(key)) continue;
    needed.add(key);
    const entry = lock.npm[key];
    pending.push(...(entry?.dependencies ?? []), ...(entry?.optionalDependencies ?? []));
  }
  assert.deepEqual(
    Object.keys(lock.npm).sort(),
    [...needed].sort(),
    "deno.lock holds a package the server does not need: a test that uses it was run without " +
      "--lock=tests/deno.lock (restore deno.lock with git checkout, or use deno task test)",
  );
});

Deno.test("tests/deno.lock pins the server's packages exactly as deno.lock does", async () => {
  const server = await readJson<LockFile>("deno.lock");
  const tests = await readJson<LockFile>("tests/deno.lock");
  for (const [specifier, version] of Object.entries(server.specifiers)) {
    assert.equal(tests.specifiers[specifier], version, specifier);
  }
  for (const [key, entry] of Object.entries(server.npm)) {
    assert.deepEqual(tests.npm[key], entry, key);
  }
});
