import assert from "node:assert/strict";
import { BROWSER_ENV, findBrowser } from "./find_browser.ts";

/** A temporary folder with executable files named `names`; removed on dispose. */
async function folderWith(...names: string[]) {
  const path = await Deno.makeTempDir({ prefix: "find_browser_test_" });
  for (const name of names) {
    await Deno.writeTextFile(`${path}/${name}`, "#!/bin/sh\n");
    await Deno.chmod(`${path}/${name}`, 0o755);
  }
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

function envOf(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

Deno.test("findBrowser() takes CHROMIUM_PATH first, and refuses one that is not there", async () => {
  await using named = await folderWith("my-chrome");
  await using onPath = await folderWith("chromium");
  const env = { [BROWSER_ENV]: `${named.path}/my-chrome`, PATH: onPath.path };
  assert.equal(await findBrowser({ env: envOf(env) }), `${named.path}/my-chrome`);
  await assert.rejects(
    findBrowser({ env: envOf({ ...env, [BROWSER_ENV]: `${named.path}/missing` }) }),
    /Cannot use CHROMIUM_PATH=.*\/missing: no executable file there/,
  );
});

Deno.test("findBrowser() finds chromium, chromium-browser or google-chrome on PATH", async () => {
  await using empty = await folderWith();
  await using chrome = await folderWith("google-chrome", "not-a-browser");
  await using ubuntu = await folderWith("chromium-browser");
  const found = await findBrowser({ env: envOf({ PATH: `${empty.path}:${chrome.path}` }) });
  assert.equal(found, `${chrome.path}/google-chrome`);
  // chromium-browser ranks before google-chrome, wherever it is on PATH.
  const both = await findBrowser({ env: envOf({ PATH: `${chrome.path}:${ubuntu.path}` }) });
  assert.equal(both, `${ubuntu.path}/chromium-browser`);
});

Deno.test("findBrowser() installs when it can, else is undefined outside CI and fails under CI", async () => {
  await using empty = await folderWith();
  const env = { PATH: empty.path };
  const knownPaths: string[] = [];
  assert.equal(
    await findBrowser({
      env: envOf(env),
      install: () => Promise.resolve("/opt/installed"),
      knownPaths,
    }),
    "/opt/installed",
  );
  const cannotInstall = () => Promise.resolve(undefined);
  assert.equal(
    await findBrowser({ env: envOf(env), install: cannotInstall, knownPaths }),
    undefined,
  );
  await assert.rejects(
    findBrowser({ env: envOf({ ...env, CI: "true" }), install: cannotInstall, knownPaths }),
    /Cannot run the browser tests under CI=true: no browser in CHROMIUM_PATH or on PATH/,
  );
});
