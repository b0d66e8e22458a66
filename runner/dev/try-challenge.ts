// Temporary authoring aid until `npm run verify <id>` lands: runs one lesson's
// hidden tests against its stub, its solution and each mutant.
// Usage: node --import tsx runner/dev/try-challenge.ts 1-foundations/01-request-cycle
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { applyMutant, readMutants } from "../mutants.ts";

const folder = process.argv[2];
if (!folder) throw new Error("usage: try-challenge.ts <phase>/<lesson-folder>");
const root = process.cwd();
const solutionFile = path.join(root, "solutions", folder, "challenge.ts");
const candidates: Array<[string, string, boolean]> = [
  ["stub", path.join(root, "lessons", folder, "challenge.ts"), false],
  ["solution", solutionFile, true],
];
const mutantsFile = path.join(root, "solutions", folder, "mutants.yaml");
if (existsSync(mutantsFile)) {
  const { mutants, problems } = readMutants(parse(readFileSync(mutantsFile, "utf8")));
  for (const p of problems) console.log("PROBLEM", p);
  for (const m of mutants) {
    const { source, problem } = applyMutant(readFileSync(solutionFile, "utf8"), m);
    if (problem) { console.log("PROBLEM", problem); continue; }
    const out = path.join(root, ".queuecraft", "mutants", folder, m.name, "challenge.ts");
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, source!);
    candidates.push([`mutant ${m.name}`, out, false]);
  }
}
for (const [label, file, shouldPass] of candidates) {
  const started = Date.now();
  const r = spawnSync("npx", ["vitest", "run", "--config", "test/hidden/vitest.config.ts", `test/hidden/${folder}`], {
    env: { ...process.env, QUEUECRAFT_CANDIDATES: JSON.stringify({ [folder]: file }) },
    encoding: "utf8",
    timeout: 120_000,
  });
  const passed = r.status === 0;
  const verdict = passed === shouldPass ? "OK " : "BAD";
  console.log(`${verdict} ${label}: ${passed ? "passes" : "fails"} (${Date.now() - started} ms)`);
  if (passed !== shouldPass || process.env.VERBOSE) console.log((r.stdout + r.stderr).split("\n").slice(-60).join("\n"));
}
