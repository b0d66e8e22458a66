// The runner's layout as rules a change cannot quietly break: the CLI is the
// top layer (nothing below runner/cli/ imports it), no two modules import each
// other in a circle (static or dynamic value imports), and no module grows past
// ~300 lines. Run alone: npx vitest run --config test/vitest.config.ts test/architecture

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const runnerDir = fileURLToPath(new URL("../../runner/", import.meta.url));
const MAX_LINES = 300;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "dist" ? [] : sources(file);
    return entry.name.endsWith(".ts") ? [file] : [];
  });
}

/**
 * Relative imports of a module, resolved to absolute paths: `from "…"`, `import("…")`, `export … from "…"`.
 * With `values` only, `import type` lines are left out: they are erased when compiled and cannot close a
 * circle at run time (madge's skipTypeImports).
 */
function importsOf(file: string, { values = false } = {}): string[] {
  const text = readFileSync(file, "utf8");
  const lines = values ? text.split("\n").filter((line) => !/^\s*import type /.test(line)).join("\n") : text;
  const specifiers = [...lines.matchAll(/(?:from\s+|import\(\s*)"(\.{1,2}\/[^"]+)"/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier));
}

const files = sources(runnerDir);
const inRunner = (target: string) => target.startsWith(runnerDir);
const graph = new Map(files.map((file) => [file, importsOf(file).filter(inRunner)]));
const valueGraph = new Map(files.map((file) => [file, importsOf(file, { values: true }).filter(inRunner)]));
const name = (file: string) => path.relative(runnerDir, file);

/** One import circle, as the list of modules around it, or undefined. */
function findCircle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const circle = visit(next);
        if (circle) return circle;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of edges.keys()) {
    if (state.has(node)) continue;
    const circle = visit(node);
    if (circle) return circle;
  }
  return undefined;
}

describe("the runner's layout", () => {
  test("finds its modules (a guard against a scan that sees nothing)", () => {
    expect(files.length).toBeGreaterThan(20);
    expect(graph.get(path.join(runnerDir, "cli", "main.ts"))?.length).toBeGreaterThan(3);
  });

  test("the circle finder finds a circle of three and none in a chain", () => {
    expect(findCircle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]))).toEqual(["a", "b", "c", "a"]);
    expect(findCircle(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]]))).toBeUndefined();
  });

  test("no module imports itself back through others (type-only imports aside)", () => {
    const circle = findCircle(valueGraph);
    expect(circle?.map(name).join(" → "), "an import circle in runner/").toBeUndefined();
  });

  test("nothing below runner/cli/ imports the CLI", () => {
    const cli = path.join(runnerDir, "cli") + path.sep;
    const upward = files
      .filter((file) => !file.startsWith(cli))
      .flatMap((file) => graph.get(file)!.filter((target) => target.startsWith(cli)).map((target) => `${name(file)} imports ${name(target)}`));
    expect(upward).toEqual([]);
  });

  test(`no module is longer than ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file: name(file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long, "split these along their seams").toEqual([]);
  });
});
