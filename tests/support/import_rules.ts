/**
 * The repository's layering as data, and a checker: which folders may not import which. The
 * README's "X never imports Y" is true only while `tests/import_rules_test.ts`, which runs this
 * over every `.ts` file, passes.
 * @module
 */

/** One layering rule: no file under `from` imports a file under any of `mayNotImport`. */
export interface ImportRule {
  /** Folders (repository paths ending in `/`) whose files the rule binds, tests included. */
  from: readonly string[];
  /** Folders those files may not import from. */
  mayNotImport: readonly string[];
  /** Why, for the failure message. */
  because: string;
}

/** The layering every file obeys. */
export const IMPORT_RULES: readonly ImportRule[] = [
  {
    from: ["shared/"],
    mayNotImport: ["server/", "client/"],
    because: "shared/ runs on both ends and in the browser",
  },
  {
    from: ["client/"],
    mayNotImport: ["server/"],
    because: "the client is built for the browser and talks to the server only over the wire",
  },
  {
    from: ["client/sdk/", "client/net/", "client/netcode/", "client/ui/"],
    mayNotImport: ["client/games/", "shared/game/"],
    because:
      "the client SDK is game-agnostic: games plug in as a ClientGame (client/sdk/client_game.ts)",
  },
  {
    from: [
      "server/rooms/",
      "server/transport/",
      "server/tick/",
      "server/metrics/",
      "server/cluster/",
      "server/recording/",
    ],
    mayNotImport: ["shared/game/", "server/games/"],
    because: "the room runtime is game-agnostic: games plug in through server/rooms/game.ts",
  },
];

/** One import that breaks a rule. */
export interface ImportViolation {
  /** The importing file, a repository path. */
  file: string;
  /** The imported file, a repository path. */
  imported: string;
  /** The rule it breaks. */
  rule: ImportRule;
}

// `import … from "x"`, `export … from "x"`, `import "x"` and `import("x")`, type-only included.
const IMPORT_PATTERNS = [
  /\b(?:import|export)\s[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
];

/**
 * Every module specifier a TypeScript source imports or re-exports, static or dynamic, in order
 * of appearance per form. Comments are read too: a doc example is code that `deno test --doc` runs.
 *
 * @example
 * ```ts
 * import { importSpecifiers } from "./import_rules.ts";
 * import assert from "node:assert/strict";
 *
 * const source = 'import { a } from "./a.ts";\nconst b = await import("../b.ts");';
 * assert.deepEqual(importSpecifiers(source), ["./a.ts", "../b.ts"]);
 * ```
 */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of source.matchAll(pattern)) {
      if (match[1] !== undefined) found.push(match[1]);
    }
  }
  return found;
}

/** The repository path `specifier` names from `file`, or `null` for a package (`npm:`, `node:`). */
export function resolveImport(file: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  const parts = file.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/**
 * Every import in `files` (repository path → source) that breaks one of `rules`.
 *
 * @example A planted bad import
 * ```ts
 * import { findImportViolations } from "./import_rules.ts";
 * import assert from "node:assert/strict";
 *
 * const files = new Map([["server/rooms/room.ts", 'import "../games/arena.ts";']]);
 * assert.equal(findImportViolations(files)[0]?.imported, "server/games/arena.ts");
 * ```
 */
export function findImportViolations(
  files: ReadonlyMap<string, string>,
  rules: readonly ImportRule[] = IMPORT_RULES,
): ImportViolation[] {
  const violations: ImportViolation[] = [];
  for (const [file, source] of files) {
    const binding = rules.filter((rule) => rule.from.some((folder) => file.startsWith(folder)));
    if (binding.length === 0) continue;
    for (const specifier of importSpecifiers(source)) {
      const imported = resolveImport(file, specifier);
      if (imported === null) continue;
      for (const rule of binding) {
        if (rule.mayNotImport.some((folder) => imported.startsWith(folder))) {
          violations.push({ file, imported, rule });
        }
      }
    }
  }
  return violations;
}
