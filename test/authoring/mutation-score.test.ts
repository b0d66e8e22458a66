import { describe, expect, test } from "vitest";
import { codeMatches, matchEquivalents, parseEquivalents, shortCode } from "../../runner/mutation/equivalents.ts";
import { meetsThreshold, mutationScore, survivors, tally, type MutantOutcome, type MutantStatus } from "../../runner/mutation/score.ts";
import { coverageAnalysisFor, forgetUnkilled, inSnapshot, snapshotEntries, strykerConfig } from "../../runner/mutation/stryker-config.ts";
import { readStrykerReport, sliceSource } from "../../runner/mutation/stryker-report.ts";
import { formatScore, renderTable, rowPasses, survivorLine } from "../../runner/mutation/table.ts";

let nextId = 0;
function mutant(status: MutantStatus, overrides: Partial<MutantOutcome> = {}): MutantOutcome {
  const id = String(nextId++);
  return {
    id,
    status,
    mutator: "ConditionalExpression",
    file: "solutions/1-a/01-x/challenge.ts",
    start: { line: 10, column: 5 },
    end: { line: 10, column: 12 },
    original: "a < b",
    replacement: "true",
    ...overrides,
  };
}

const yamlFile = (yaml: string) => `# Equivalent mutants\n\nProse first.\n\n\`\`\`yaml\n${yaml}\n\`\`\`\n`;

describe("the score is killed / (all − equivalent)", () => {
  test("timeouts count as killed and uncovered mutants as survivors", () => {
    const counts = tally([mutant("Killed"), mutant("Timeout"), mutant("Survived"), mutant("NoCoverage")]);
    expect(counts).toMatchObject({ killed: 1, timeout: 1, survived: 1, noCoverage: 1, equivalent: 0, invalid: 0, total: 4 });
    expect(mutationScore(counts)).toBe(50);
  });
  test("compile and runtime errors and ignored mutants are left out, as in Stryker", () => {
    const counts = tally([mutant("Killed"), mutant("Survived"), mutant("CompileError"), mutant("RuntimeError"), mutant("Ignored")]);
    expect(counts.invalid).toBe(3);
    expect(mutationScore(counts)).toBe(50);
  });
  test("equivalent survivors leave the denominator", () => {
    const survivor = mutant("Survived");
    const uncovered = mutant("NoCoverage");
    const counts = tally([mutant("Killed"), mutant("Killed"), survivor, uncovered], new Set([survivor.id, uncovered.id]));
    expect(counts).toMatchObject({ survived: 0, noCoverage: 0, equivalent: 2 });
    expect(mutationScore(counts)).toBe(100);
  });
  test("a killed mutant named as equivalent still counts as killed", () => {
    const killed = mutant("Killed");
    const counts = tally([killed, mutant("Survived")], new Set([killed.id]));
    expect(counts).toMatchObject({ killed: 1, equivalent: 0 });
    expect(mutationScore(counts)).toBe(50);
  });
  test("nothing left to kill has no score, and passes", () => {
    const counts = tally([mutant("CompileError")]);
    expect(mutationScore(counts)).toBeUndefined();
    expect(meetsThreshold(undefined, 90)).toBe(true);
  });
  test("exactly the threshold passes, just below fails, and the table never rounds a fail up to 90.0 %", () => {
    expect(meetsThreshold(90, 90)).toBe(true);
    expect(meetsThreshold(89.96, 90)).toBe(false);
    expect(formatScore(89.96)).toBe("89.9 %");
    expect(formatScore(100)).toBe("100.0 %");
    expect(formatScore(undefined)).toBe("n/a");
  });
  test("survivors are the unkilled, non-equivalent mutants in file order", () => {
    const late = mutant("Survived", { start: { line: 30, column: 1 } });
    const early = mutant("NoCoverage", { start: { line: 3, column: 9 } });
    const equivalent = mutant("Survived", { start: { line: 1, column: 1 } });
    expect(survivors([late, mutant("Killed"), early, equivalent, mutant("Timeout")], new Set([equivalent.id]))).toEqual([early, late]);
  });
});

describe("equivalent-mutants.md", () => {
  test("entries are read from the yaml blocks, prose around them ignored", () => {
    const { entries, problems } = parseEquivalents(
      yamlFile(`- mutator: ConditionalExpression\n  original: "a < b"\n  replacement: "true"\n  line: 10\n  why: b is always larger here.`),
    );
    expect(problems).toEqual([]);
    expect(entries).toEqual([{ mutator: "ConditionalExpression", original: "a < b", replacement: "true", line: 10, why: "b is always larger here." }]);
  });
  test("an entry without a reason is rejected, not counted", () => {
    const { entries, problems } = parseEquivalents(yamlFile(`- mutator: ConditionalExpression\n  original: "a < b"\n  replacement: "true"`));
    expect(entries).toEqual([]);
    expect(problems.join()).toMatch(/needs `why`/);
  });
  test("a file without a yaml block, broken yaml and a bad line number are reported", () => {
    expect(parseEquivalents("# nothing here\n").problems.join()).toMatch(/no ```yaml block/);
    expect(parseEquivalents(yamlFile("- mutator: [unclosed")).problems).toHaveLength(1);
    expect(parseEquivalents(yamlFile(`- mutator: M\n  original: x\n  replacement: y\n  line: ten\n  why: w`)).problems.join()).toMatch(/`line` should be a line number/);
    expect(parseEquivalents(yamlFile("mutator: M")).problems.join()).toMatch(/should be a list/);
  });
  test("code matches whatever its whitespace, and by prefix when it ends with …", () => {
    expect(codeMatches("if (a)  {\n x }", "if (a) { x }")).toBe(true);
    expect(codeMatches("{ return; …", "{\n    return; // woken up\n  }")).toBe(true);
    expect(codeMatches("{ return;", "{ return; }")).toBe(false);
    expect(shortCode("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(codeMatches(shortCode(`{ ${"y ".repeat(80)}}`), `{ ${"y ".repeat(80)}}`)).toBe(true);
  });
  test("an entry matches its mutant by code wherever the line moved", () => {
    const survivor = mutant("Survived", { start: { line: 55, column: 3 } });
    const { entries } = parseEquivalents(yamlFile(`- mutator: ConditionalExpression\n  original: "a   <  b"\n  replacement: "true"\n  line: 10\n  why: moved.`));
    const { ids, problems } = matchEquivalents(entries, [survivor, mutant("Survived", { original: "c < d" })]);
    expect(problems).toEqual([]);
    expect([...ids]).toEqual([survivor.id]);
  });
  test("the same code mutated in two places needs `line` to say which", () => {
    const first = mutant("Survived", { start: { line: 4, column: 1 } });
    const second = mutant("Survived", { start: { line: 9, column: 1 } });
    const entry = { mutator: "ConditionalExpression", original: "a < b", replacement: "true", why: "w" };
    const ambiguous = matchEquivalents([entry], [first, second]);
    expect(ambiguous.ids.size).toBe(0);
    expect(ambiguous.problems.join()).toMatch(/lines 4, 9: add `line:`/);
    expect([...matchEquivalents([{ ...entry, line: 9 }], [first, second]).ids]).toEqual([second.id]);
  });
  test("an entry for a mutant a test kills is reported and not counted", () => {
    const killed = mutant("Killed", { reason: "[C2] the retry waits its delay" });
    const { ids, problems } = matchEquivalents([{ mutator: "ConditionalExpression", original: "a < b", replacement: "true", why: "w" }], [killed]);
    expect(ids.size).toBe(0);
    expect(problems.join()).toMatch(/a test kills it \("\[C2\] the retry waits its delay"\)/);
  });
  test("an entry that matches no mutant any more is reported as stale", () => {
    const { ids, problems } = matchEquivalents([{ mutator: "StringLiteral", original: '"gone"', replacement: '""', why: "w" }], [mutant("Survived")]);
    expect(ids.size).toBe(0);
    expect(problems.join()).toMatch(/no mutant matches StringLiteral/);
  });
});

describe("Stryker's report", () => {
  const source = 'export function f(a: number) {\n  if (a > 1) {\n    return "big";\n  }\n  return "small";\n}\n';
  test("the replaced code is cut from 1-based positions, end exclusive, across lines", () => {
    expect(sliceSource(source, { line: 2, column: 7 }, { line: 2, column: 12 })).toBe("a > 1");
    expect(sliceSource(source, { line: 2, column: 14 }, { line: 4, column: 4 })).toBe('{\n    return "big";\n  }');
  });
  test("mutants come out with their code, file relative, in position order", () => {
    const report = {
      files: {
        "/course/solutions/1-a/01-x/challenge.ts": {
          source,
          mutants: [
            { id: "2", mutatorName: "StringLiteral", replacement: '""', status: "Survived" as const, location: { start: { line: 5, column: 10 }, end: { line: 5, column: 17 } } },
            { id: "1", mutatorName: "EqualityOperator", replacement: "a >= 1", status: "Killed" as const, statusReason: "[C1] boom", location: { start: { line: 2, column: 7 }, end: { line: 2, column: 12 } } },
          ],
        },
      },
    };
    const mutants = readStrykerReport(report, (file) => file.replace("/course/", ""));
    expect(mutants.map((m) => [m.id, m.file, m.original, m.replacement, m.reason])).toEqual([
      ["1", "solutions/1-a/01-x/challenge.ts", "a > 1", "a >= 1", "[C1] boom"],
      ["2", "solutions/1-a/01-x/challenge.ts", '"small"', '""', undefined],
    ]);
  });
});

describe("Stryker's configuration", () => {
  const target = { id: "sqlite-queue", folder: "3-durable-queues/12-sqlite-queue" };
  const options = { reportDir: "/course/.queuecraft/mutation/sqlite-queue", concurrency: 2, coverageAnalysis: "off" as const, force: false };
  test("mutates only the reference solution and keeps its reports per challenge, outside the snapshot", () => {
    const config = strykerConfig(target, options);
    expect(config.mutate).toEqual(["solutions/3-durable-queues/12-sqlite-queue/challenge.ts"]);
    expect(config).toMatchObject({
      incremental: true,
      incrementalFile: "/course/.queuecraft/mutation/sqlite-queue/incremental.json",
      htmlReporter: { fileName: "/course/.queuecraft/mutation/sqlite-queue/index.html" },
      jsonReporter: { fileName: "/course/.queuecraft/mutation/sqlite-queue/mutation.json" },
      vitest: { related: false },
      inPlace: true,
      concurrency: 2,
      coverageAnalysis: "off",
    });
  });
  test("the snapshot holds what the harness needs, in the course's layout, and no caches", () => {
    const entries = snapshotEntries(target.folder);
    expect(entries).toEqual(expect.arrayContaining(["package.json", "lessons", "runner", "test/hidden/_harness", "test/hidden/3-durable-queues/12-sqlite-queue", "solutions/3-durable-queues/12-sqlite-queue"]));
    expect(entries.some((entry) => entry.startsWith(".queuecraft") || entry.startsWith("workspace") || entry === "test/hidden" || entry === "solutions")).toBe(false);
    expect(inSnapshot("runner/process/bundle.ts", false)).toBe(true);
    expect(inSnapshot("runner/mutation", true)).toBe(true);
    expect(inSnapshot("runner/dist", true)).toBe(false);
    expect(inSnapshot("runner/dist/cli.mjs", false)).toBe(false);
    expect(inSnapshot("runner/bin.mjs", false)).toBe(false);
    expect(inSnapshot("lessons/_kit/clock.ts", false)).toBe(true);
  });
  test("hidden tests that start processes get every test per mutant, the others per-test coverage", () => {
    expect(coverageAnalysisFor(['import { spawnTs } from "#kit/spawn-ts.ts";'])).toBe("off");
    expect(coverageAnalysisFor(['import { fork } from "node:child_process";'])).toBe("off");
    expect(coverageAnalysisFor(['import fc from "fast-check";', 'import { test } from "vitest";'])).toBe("perTest");
  });
  test("changed hidden tests make every unkilled result be tested again, killed ones kept", () => {
    const report = { schemaVersion: "1", files: { "a.ts": { source: "x", mutants: [{ status: "Killed" }, { status: "Survived" }, { status: "NoCoverage" }, { status: "Timeout" }] } } };
    const { report: pruned, forgotten } = forgetUnkilled(report);
    expect(forgotten).toBe(3);
    expect(pruned.files["a.ts"]).toEqual({ source: "x", mutants: [{ status: "Killed" }] });
    expect(pruned.schemaVersion).toBe("1");
  });
});

describe("the printed table and survivor lines", () => {
  const scored = (id: string, killed: number, survived: number, seconds = 12) => ({
    id,
    tally: { killed, survived, timeout: 0, noCoverage: 0, equivalent: 0, invalid: 0, total: killed + survived },
    score: (killed / (killed + survived)) * 100,
    seconds,
  });
  test("a row below the threshold is marked, and all challenges are totalled", () => {
    const table = renderTable([scored("request-cycle", 9, 1), scored("job-model", 8, 2, 75)], 90);
    const lines = table.split("\n");
    expect(lines[0]).toMatch(/^\| challenge +\| killed \| survived \| timeout \| no coverage \| equivalent \| errors \| +score \| +time \|$/);
    expect(lines[2]).toMatch(/\| request-cycle .*\| +90\.0 % \| +12 s \|$/);
    expect(lines[3]).toMatch(/\| job-model .*\| ✗ 80\.0 % \| 1 min 15 s \|$/);
    expect(lines[4]).toMatch(/^\| all 2 +\| +17 \| +3 \|.*85\.0 %/);
  });
  test("a challenge that could not run fails, with the reason in the table", () => {
    const row = { id: "skip-locked", error: "not run: this lesson needs PostgreSQL" };
    expect(rowPasses(row, 90)).toBe(false);
    expect(renderTable([row], 90)).toMatch(/✗ not run: this lesson needs PostgreSQL/);
  });
  test("a survivor line gives file:line:column, mutator, code and replacement", () => {
    const line = survivorLine(mutant("NoCoverage", { start: { line: 19, column: 11 }, original: "sink.destroyed", replacement: "false", mutator: "ConditionalExpression" }));
    expect(line).toBe("solutions/1-a/01-x/challenge.ts:19:11 ConditionalExpression `sink.destroyed` → `false` (no coverage)");
  });
});
