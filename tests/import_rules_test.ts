import assert from "node:assert/strict";
import { findImportViolations, importSpecifiers, resolveImport } from "./support/import_rules.ts";

const ROOT = new URL("../", import.meta.url);
const SKIPPED_FOLDERS = new Set(["node_modules", "dist", "artifacts", ".git"]);

/** Every `.ts` file of the repository: repository path → source. */
async function repositorySources(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(folder: string): Promise<void> {
    for await (const entry of Deno.readDir(new URL(folder, ROOT))) {
      const path = `${folder}${entry.name}`;
      if (entry.isDirectory && !SKIPPED_FOLDERS.has(entry.name)) await walk(`${path}/`);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        files.set(path, await Deno.readTextFile(new URL(path, ROOT)));
      }
    }
  }
  for (const folder of ["shared/", "client/", "server/", "tests/"]) await walk(folder);
  return files;
}

Deno.test("importSpecifiers() finds static, type-only, re-exported, bare and dynamic imports", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b.ts";',
    "import {\n  c,\n  d,\n} from './c.ts';",
    'export { e } from "./e.ts";',
    'export * from "./f.ts";',
    'import "./g.ts";',
    'const h = await import("../h.ts");',
    "const i = await import(`./i.ts`);",
    'import assert from "node:assert/strict";',
    'const text = "this is not an import from here";',
  ].join("\n");
  assert.deepEqual(importSpecifiers(source).sort(), [
    "../b.ts",
    "../h.ts",
    "./a.ts",
    "./c.ts",
    "./e.ts",
    "./f.ts",
    "./g.ts",
    "./i.ts",
    "node:assert/strict",
  ]);
});

Deno.test("resolveImport() turns relative specifiers into repository paths", () => {
  assert.equal(resolveImport("server/rooms/room.ts", "../games/arena.ts"), "server/games/arena.ts");
  assert.equal(resolveImport("shared/protocol/a.ts", "./b.ts"), "shared/protocol/b.ts");
  assert.equal(resolveImport("shared/x/y/z.ts", "../../../client/c.ts"), "client/c.ts");
  assert.equal(resolveImport("client/a.ts", "msgpackr"), null);
  assert.equal(resolveImport("client/a.ts", "npm:msgpackr"), null);
});

Deno.test("findImportViolations() catches each planted bad import and passes good ones", () => {
  const files = new Map([
    // Planted: one breach of each rule, static, dynamic and type-only.
    ["shared/protocol/codec.ts", 'import { Room } from "../../server/rooms/room.ts";'],
    ["shared/game/arena/rules.ts", 'const app = await import("../../../client/main.ts");'],
    ["client/net/game_connection.ts", 'import type { Room } from "../../server/rooms/room.ts";'],
    ["server/rooms/room.ts", 'import { ARENA } from "../../shared/game/arena/mod.ts";'],
    ["server/transport/connection.ts", 'export { createArenaGame } from "../games/arena.ts";'],
    ["server/tick/clock_test.ts", 'import "../games/arena.ts";'],
    ["server/metrics/server_metrics.ts", 'import { X } from "../../shared/game/arena/x.ts";'],
    ["client/sdk/run_game.ts", 'import { ArenaClient } from "../games/arena/arena_client.ts";'],
    ["client/ui/hud.ts", 'import type { ArenaInput } from "../../shared/game/arena/mod.ts";'],
    // Allowed: the runtime on shared/protocol, the adapter and entry point on the game, tests.
    ["server/rooms/game.ts", 'import type { E } from "../../shared/protocol/entity_schema.ts";'],
    ["server/games/arena.ts", 'import { stepArena } from "../../shared/game/arena/mod.ts";'],
    ["server/main.ts", 'import { createArenaGame } from "./games/arena.ts";'],
    [
      "client/games/arena/arena_client.ts",
      'import { ARENA } from "../../../shared/game/arena/mod.ts";',
    ],
    ["client/main.ts", 'import { ArenaClient } from "./games/arena/arena_client.ts";'],
    ["tests/arena_server_test.ts", 'import { createServer } from "../server/server.ts";'],
  ]);
  const found = findImportViolations(files).map(({ file, imported }) => `${file} → ${imported}`);
  assert.deepEqual(found, [
    "shared/protocol/codec.ts → server/rooms/room.ts",
    "shared/game/arena/rules.ts → client/main.ts",
    "client/net/game_connection.ts → server/rooms/room.ts",
    "server/rooms/room.ts → shared/game/arena/mod.ts",
    "server/transport/connection.ts → server/games/arena.ts",
    "server/tick/clock_test.ts → server/games/arena.ts",
    "server/metrics/server_metrics.ts → shared/game/arena/x.ts",
    "client/sdk/run_game.ts → client/games/arena/arena_client.ts",
    "client/ui/hud.ts → shared/game/arena/mod.ts",
  ]);
});

Deno.test("every file obeys the layering: shared/ and client/ stand alone, the runtime and the client SDK know no game", async () => {
  const files = await repositorySources();
  assert.ok(files.size > 100, `only ${files.size} files found`);
  const violations = findImportViolations(files).map(({ file, imported, rule }) =>
    `${file} imports ${imported}: ${rule.because}`
  );
  assert.deepEqual(violations, []);
});
