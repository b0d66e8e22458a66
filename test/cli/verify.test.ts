import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { cli, fixtures } from "./run-cli.ts";

/** A copy of the fixture course beside it (its hidden tests import the harness by a relative path), with a cache of its own. */
function copyCourse(): string {
  const copy = mkdtempSync(path.join(fixtures, "tmp-verify-"));
  cpSync(path.join(fixtures, "course"), copy, { recursive: true, filter: (source) => !source.includes(`${path.sep}.queuecraft`) });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));
  return copy;
}
const copy = copyCourse();
const mutantsFile = (root: string) => path.join(root, "solutions", "1-basics", "02-add", "mutants.yaml");
const swapsOperands = '- name: swaps-operands\n  why: The same sum.\n  edits:\n    - find: "return a + b;"\n      replace: "return b + a;"\n';

const rejectionsFile = path.join(copy, ".queuecraft", "cache", "rejections.json");
const verify = () => cli(["verify", "add", "--no-types", "--json"], { root: copy });
const mutantsCheck = (run: ReturnType<typeof cli>) => JSON.parse(run.stdout).lessons[0].checks["mutants rejected"] as { ok: boolean; detail: string };

describe("verify's record of which hidden test rejected each mutant", () => {
  test("is written after a verify, and a record that no longer holds is never trusted", () => {
    const first = verify();
    expect(first.status, first.stderr).toBe(0);
    const recorded = JSON.parse(readFileSync(rejectionsFile, "utf8")) as Record<string, string>;
    expect(recorded["add/mutant:subtracts"]).toBe("[C1] adds two small numbers");
    expect(recorded["add/stub"]).toBe("[C1] adds two small numbers");

    // A renamed test, and a mutant that survives but is recorded as rejected by a test it passes:
    // both are graded again with every hidden test.
    appendFileSync(mutantsFile(copy), swapsOperands);
    writeFileSync(rejectionsFile, JSON.stringify({ ...recorded, "add/mutant:subtracts": "a test that was renamed", "add/mutant:swaps-operands": "[C1] adds two small numbers" }));
    const second = verify();
    expect(second.status, "a surviving mutant fails verify, whatever the record says").toBe(1);
    const check = mutantsCheck(second);
    expect(check.detail).toContain("mutant swaps-operands passes every hidden test");
    expect(check.detail).toContain("subtracts ← \"[C1] adds two small numbers\"");
    const after = JSON.parse(readFileSync(rejectionsFile, "utf8")) as Record<string, string>;
    expect(after["add/mutant:subtracts"], "the record is corrected").toBe("[C1] adds two small numbers");
    expect(after["add/mutant:swaps-operands"], "a survivor has no record").toBeUndefined();
  });
});

describe("verify --regrade <n>", () => {
  const flaky = copyCourse();
  test("grades every candidate n times and fails one whose grade changes between runs, naming the run", () => {
    appendFileSync(mutantsFile(flaky), swapsOperands);
    // A hidden test that depends on something besides the candidate (here: how often it ran):
    // it rejects the swapped operands the first time only, as a race lost now and then would.
    appendFileSync(
      path.join(flaky, "test", "hidden", "1-basics", "02-add", "challenge.test.ts"),
      `
import { existsSync as seen, writeFileSync as mark } from "node:fs";
test("notices swapped operands, once", () => {
  const ran = new URL("./swaps-graded", import.meta.url);
  if (!add.toString().includes("b + a")) return;
  const first = !seen(ran);
  mark(ran, "");
  if (first) expect.fail("swapped");
});
`,
    );
    const run = cli(["verify", "add", "--no-types", "--json", "--regrade", "2"], { root: flaky });
    expect(run.status, run.stderr).toBe(1);
    const check = mutantsCheck(run);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("mutant swaps-operands passes every hidden test in run 2 of 2 (runs graded it fail, pass): its grade depends on timing");
    const solution = JSON.parse(run.stdout).lessons[0].checks["solution passes"] as { ok: boolean; detail: string };
    expect(solution).toEqual({ ok: true, detail: "3 hidden tests pass in each of 2 runs" });
  });

  test("is a usage error below 1", () => {
    const run = cli(["verify", "add", "--regrade", "0"], { root: copy });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--regrade/);
  });
});

describe("verify's fairness and contract checks", () => {
  const course = copyCourse();
  const addFolder = (...parts: string[]) => path.join(course, ...parts, "1-basics", "02-add");
  const checksOf = (run: ReturnType<typeof cli>) => JSON.parse(run.stdout).lessons[0].checks as Record<string, { ok: boolean; detail: string }>;

  test("an alternative correct solution must pass: one the hidden tests reject fails verify as a test too strict", () => {
    writeFileSync(path.join(addFolder("solutions"), "alternatives", "left-to-right.ts"), "export function add(a: number, b: number): number {\n  return b + a;\n}\n");
    appendFileSync(path.join(addFolder("test", "hidden"), "challenge.test.ts"), '\ntest("[C1] is written a + b", () => {\n  expect(add.toString()).toContain("a + b");\n});\n');
    const run = cli(["verify", "add", "--no-types", "--json"], { root: course });
    expect(run.status, run.stderr).toBe(1);
    const check = checksOf(run)["alternatives pass"]!;
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("alternatives/left-to-right.ts is correct but fails: \"[C1] is written a + b\" (a hidden test checks more than the contract says?)");
  });

  test("a clause no hidden test names is reported at its line in the stub, and a test naming a missing clause too", () => {
    writeFileSync(path.join(addFolder("lessons"), "challenge.ts"), "/**\n * [C1] Returns the sum of two numbers.\n * [C2] Never throws.\n */\nexport function add(a: number, b: number): number {\n  throw new Error(`TODO: add ${a} and ${b}`);\n}\n");
    appendFileSync(path.join(addFolder("test", "hidden"), "challenge.test.ts"), '\ntest("[C7] a clause nobody wrote", () => {});\n');
    const run = cli(["verify", "add", "--no-types", "--json"], { root: course });
    expect(run.status, run.stderr).toBe(1);
    const check = checksOf(run)["clauses checked"]!;
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("lessons/1-basics/02-add/challenge.ts:3: clause C2 is checked by no hidden test");
    expect(check.detail).toContain('hidden test "[C7] a clause nobody wrote" names C7');
  });
});

describe("verify gives authors the real error", () => {
  test("verify <id> on a lesson whose frontmatter is broken prints its file:line problem, not 'unknown lesson'; exit 1", () => {
    const run = cli(["verify", "broken", "--no-types"], { root: path.join(fixtures, "courses", "broken-lesson") });
    expect(run.status).toBe(1);
    expect(run.stderr).not.toContain("unknown lesson");
    expect(run.stdout).toContain("lessons/1-x/02-broken/lesson.md:9: `prerequisites` should be a list of lesson ids");
  });

  test("a duplicate id shows in that lesson's own catalog column, and is not also reported as a prerequisite cycle", () => {
    const run = cli(["verify", "--no-types", "--no-challenges", "--json"], { root: path.join(fixtures, "courses", "duplicate-id") });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { problems: string[]; lessons: Array<{ checks: { catalog: { ok: boolean; detail: string } } }> };
    expect(report.lessons.map((lesson) => lesson.checks.catalog.ok)).toEqual([true, false]);
    expect(report.lessons[1]!.checks.catalog.detail).toContain("duplicate id `same`");
    expect(JSON.stringify(report)).not.toContain("prerequisite cycle");
  });
});

describe("whole-file wrong answers (solutions/<lesson>/wrong/*.ts)", () => {
  const course = copyCourse();
  test("count as mutants: each must be rejected, and one the hidden tests accept is named with its first-line reason", () => {
    writeFileSync(path.join(course, "solutions", "1-basics", "02-add", "wrong", "still-right.ts"), "// Claims to be wrong but adds correctly.\nexport function add(a: number, b: number): number {\n  return b + a;\n}\n");
    const run = cli(["verify", "add", "--no-types", "--json"], { root: course });
    expect(run.status, run.stderr).toBe(1);
    const check = mutantsCheck(run);
    expect(check.detail).toContain("mutant wrong/still-right passes every hidden test (Claims to be wrong but adds correctly.)");
    expect(check.detail).toContain("wrong/as-strings ← \"[C1] adds two small numbers\"");
  });
});

describe("verify on an experiment whose Expected Output is out of date", () => {
  test("two runs that print the same but not the Expected Output: the expectation is named as wrong, with the diff, and no guess at an unfaked clock", () => {
    const run = cli(["verify", "numbers-differ", "--no-types", "--no-challenges", "--json"], { root: path.join(fixtures, "outcomes") });
    expect(run.status).toBe(1);
    const check = JSON.parse(run.stdout).lessons[0].checks.experiment as { ok: boolean; detail: string };
    expect(check.ok).toBe(false);
    expect(check.detail).toContain("two runs printed the same output, which differs from the lesson's Expected Output from line 1: the expectation is out of date");
    expect(check.detail).toContain("- took 12 ms");
    expect(check.detail).not.toContain("Only numbers differ");
  });
});

describe("verify on a broken mutants.yaml", () => {
  const course = copyCourse();
  test("a mutants.yaml that is not a list is reported as such, naming the file; exit 1", () => {
    writeFileSync(mutantsFile(course), "name: not-a-list\nwhy: a mapping at the top\n");
    const run = cli(["verify", "add", "--no-types", "--json"], { root: course });
    expect(run.status).toBe(1);
    expect(mutantsCheck(run).detail).toContain("solutions/1-basics/02-add/mutants.yaml: mutants.yaml should be a list of { name, why, edits: [{ find, replace }] }");
  });
});
