import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { SaxesParser } from "saxes";
import { describe, expect, test } from "vitest";
import { cli, fixtures } from "./run-cli.ts";

const course = path.join(fixtures, "course");
const hostile = path.join(fixtures, "hostile");

/** Processes on this machine whose command line mentions `marker`. */
function processesWith(marker: string): string[] {
  return execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((line) => line.includes(marker) && !line.includes("ps -eo"));
}

describe("npm run check", () => {
  test("the untouched stub: created in the workspace, fails with the authored messages, exit 1", () => {
    const run = cli(["check", "add"]);
    expect(run.status).toBe(1);
    expect(existsSync(path.join(run.workspace, "add", "challenge.ts"))).toBe(true);
    expect(run.stdout).toContain("✗ [C1] adds two small numbers");
    expect(run.stdout).toContain("TODO: add 2 and 3");
    expect(run.stdout).toContain("FAIL  0/2 hidden tests pass");
    expect(run.stdout).not.toMatch(/test\/hidden|node_modules|\s+at /);
  });

  test("a correct answer passes, records progress and shows the reference solution; exit 0", () => {
    const first = cli(["check", "add"]);
    writeFileSync(path.join(first.workspace, "add", "challenge.ts"), "export function add(x: number, y: number): number {\n  return y + x;\n}\n");
    const run = cli(["check", "add"], { workspace: first.workspace });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("PASS  2/2 hidden tests pass");
    expect(run.stdout).toContain("+   return a + b;");
    expect(run.stdout, "the doc comment both files share is left out of the diff").not.toContain("Returns the sum of two numbers");
    expect(run.stdout.trimEnd().endsWith("That was the last lesson of the course."), "add is the fixture course's last lesson").toBe(true);
    expect(JSON.parse(readFileSync(path.join(run.workspace, "progress.json"), "utf8")).lessons.add.challengePassedAt).toBeTruthy();
  });

  test("--json prints Exercism's results.json: version 2 (no test is linked to a task), the spec's fields only, no hidden test code", () => {
    const run = cli(["check", "add", "--json", "--file", path.join(course, "solutions", "1-basics", "02-add", "challenge.ts")]);
    const results = JSON.parse(run.stdout);
    expect(results).toEqual({ version: 2, status: "pass", tests: [{ name: "[C1] adds two small numbers", status: "pass" }, { name: "[C1] adding is the sum for any integers", status: "pass" }] });
    expect(run.stdout).not.toContain("test_code");
  });

  test("a property failure shows the shrunk counterexample", () => {
    const dir = mkdtempDir();
    const file = path.join(dir, "off.ts");
    writeFileSync(file, "export function add(a: number, b: number): number {\n  return a > 100 ? a + b + 1 : a + b;\n}\n");
    const results = JSON.parse(cli(["check", "add", "--json", "--file", file]).stdout);
    expect(results.status).toBe("fail");
    expect(results.tests[1].message).toMatch(/Counterexample: \[101,/);
  });

  test("an unknown lesson is a usage error with a suggestion", () => {
    const run = cli(["check", "ad"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Did you mean "add"?');
  });
});

describe("hostile candidates are contained", () => {
  const cases: Array<[string, "fail" | "error", RegExp]> = [
    ["infinite-loop", "error", /Timed out after 8 s/],
    ["memory-bomb", "error", /Timed out after 8 s|ended unexpectedly|memory/],
    ["output-flood", "error", /Timed out after 8 s|more than 1 MB/],
    ["exit-at-import", "error", /process\.exit unexpectedly called/],
    ["detached-child", "fail", /expected -1 to be 5/],
    ["syntax-error", "error", /could not be loaded/],
    ["non-error-throw", "fail", /a string, not an Error/],
    // Its tests ran and passed: by the spec, "error" is for a run in which no test ran, so the escape is an errored test and the status "fail".
    ["unhandled-rejection", "fail", /escaped/],
    ["fake-pass-output", "fail", /expected 6 to be 5/],
  ];
  test.each(cases)("%s is graded %s, within the time limit, and leaves no process behind; its results.json keeps to the spec", (name, status, reason) => {
    const started = Date.now();
    const run = cli(["check", "add", "--json", "--timeout", "8", "--file", path.join(hostile, `${name}.ts`)]);
    expect(Date.now() - started, "graded within the timeout plus start-up").toBeLessThan(8_000 + 10_000);
    expect(run.status).toBe(1);
    const results = JSON.parse(run.stdout);
    expect(results.status).toBe(status);
    expect(JSON.stringify(results)).toMatch(reason);
    expect(Object.keys(results).sort(), "a top-level message only for an error").toEqual(status === "error" ? ["message", "status", "tests", "version"] : ["status", "tests", "version"]);
    for (const test of results.tests) if (test.output !== undefined) expect(test.output.length).toBeLessThanOrEqual(500);
    expect(processesWith("queuecraft-hostile-detached")).toEqual([]);
  });
});

describe("hints and reset", () => {
  test("hints come one at a time and are remembered", () => {
    const first = cli(["hint", "add"]);
    expect(first.stdout).toContain("Hint 1 of 2");
    const second = cli(["hint", "add"], { workspace: first.workspace });
    expect(second.stdout).toContain("Hint 2 of 2");
    expect(second.stdout).toContain("That was the last hint");
    expect(JSON.parse(cli(["hint", "add", "--all", "--json"], { workspace: first.workspace }).stdout).hints).toEqual(["Use `+`.", "Return `a + b`."]);
  });

  test("reset without a terminal needs --yes, and then keeps a backup of the learner's work", () => {
    const first = cli(["check", "add"]);
    const mine = path.join(first.workspace, "add", "challenge.ts");
    writeFileSync(mine, "// my precious work\n");
    const refused = cli(["reset", "add"], { workspace: first.workspace });
    expect(refused.status).toBe(2);
    expect(readFileSync(mine, "utf8")).toBe("// my precious work\n");
    const run = cli(["reset", "add", "--yes"], { workspace: first.workspace });
    expect(run.status).toBe(0);
    expect(readFileSync(mine, "utf8")).toContain("TODO");
    const backups = readdirSync(path.join(first.workspace, ".backups", "add"));
    expect(backups).toHaveLength(1);
    expect(readFileSync(path.join(first.workspace, ".backups", "add", backups[0]!), "utf8")).toBe("// my precious work\n");
  });
});

describe("npm run grade", () => {
  test("a class of a correct, a partial, a hostile and an empty student: gradebook files and a summary", () => {
    const out = mkdtempDir();
    const run = cli(["grade", path.join(fixtures, "class"), "--out", out, "--timeout", "5"]);
    expect(run.status).toBe(0);
    expect(csvRows(out)).toEqual([
      ["student", "pass", "add", "passed", "failed", "error", "not submitted", "total"],
      ["correct", "passed", "passed", "2", "0", "0", "0", "2"],
      ["empty", "not submitted", "not submitted", "0", "0", "0", "2", "2"],
      // process.exit at import: a crash, or a timeout when the loaded machine is slower than --timeout 5.
      ["hostile", expect.stringMatching(/^error: (crash|timeout)$/), "error: timeout", "0", "0", "2", "0", "2"],
      ["partial", "failed", "passed", "1", "1", "0", "0", "2"],
    ]);
    const book = JSON.parse(readFileSync(path.join(out, "gradebook.json"), "utf8"));
    expect(book.students).toHaveLength(4);
    expect(book.students[2].cells.add).toEqual({ outcome: "error", reason: "timeout", message: expect.stringMatching(/^Timed out after 5 s/) });
    expect(JSON.parse(readFileSync(path.join(out, "results", "hostile", "add", "results.json"), "utf8"))).toEqual({ version: 2, status: "error", message: expect.stringMatching(/Timed out after 5 s/), tests: [] });
    expect(existsSync(path.join(out, "results", "empty")), "no results.json for a challenge not submitted").toBe(false);
    const junit = readFileSync(path.join(out, "junit.xml"), "utf8");
    expect(junit).toContain('<testsuite name="partial" tests="3" failures="1" errors="0" skipped="0">');
    expect(junit).toContain('<skipped message="not submitted"/>');
    expect(run.stdout).toMatch(/correct\s+2\/2/);
  });

  test("byte-identical submissions are graded once and all get that grade", () => {
    const dir = mkdtempDir();
    for (const student of ["ada", "bob", "cy"]) cpSync(path.join(fixtures, "class", student === "cy" ? "partial" : "correct"), path.join(dir, student), { recursive: true });
    const out = mkdtempDir();
    const run = cli(["grade", dir, "--out", out, "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.reused, "bob's two files, and cy's add, are ada's byte for byte").toBe(3);
    const csv = readFileSync(path.join(out, "gradebook.csv"), "utf8");
    expect(csv).toContain("ada,passed,passed,2,0,0,0,2\r\nbob,passed,passed,2,0,0,0,2\r\n");
    expect(readFileSync(path.join(out, "results", "bob", "add", "results.json"), "utf8")).toBe(readFileSync(path.join(out, "results", "ada", "add", "results.json"), "utf8"));
  });

  test("a class graded again keeps the grades an earlier run recorded, grading only what is new; --force grades everything again", () => {
    const dir = mkdtempDir();
    // Bytes no other test grades: this test's record is its own.
    for (const student of ["ada", "bob"]) {
      cpSync(path.join(fixtures, "class", student === "ada" ? "correct" : "partial"), path.join(dir, student), { recursive: true });
      for (const challenge of ["pass", "add"]) appendFileSync(path.join(dir, student, challenge, "challenge.ts"), `// ${dir}\n`);
    }
    const grade = (timeout = "7", ...extra: string[]) => {
      const out = mkdtempDir();
      const run = cli(["grade", dir, "--out", out, "--json", "--timeout", timeout, ...extra]);
      expect(run.status, run.stderr).toBe(0);
      return { summary: JSON.parse(run.stdout) as { recorded: number; reused: number }, csv: readFileSync(path.join(out, "gradebook.csv"), "utf8"), stdout: run.stdout };
    };
    const first = grade();
    expect(first.summary.recorded).toBe(0);
    expect(first.csv).toBe("\uFEFFstudent,pass,add,passed,failed,error,not submitted,total\r\nada,passed,passed,2,0,0,0,2\r\nbob,failed,passed,1,1,0,0,2\r\n");
    // A late submission: only carl is graded.
    cpSync(path.join(fixtures, "class", "correct"), path.join(dir, "carl"), { recursive: true });
    for (const challenge of ["pass", "add"]) appendFileSync(path.join(dir, "carl", challenge, "challenge.ts"), `// ${dir}, carl's own\n`);
    const second = grade();
    expect(second.summary, "the first run graded ada's two files and bob's pass (bob's add is ada's, byte for byte)").toMatchObject({ recorded: 3, reused: 1 });
    expect(second.csv).toBe(`${first.csv}carl,passed,passed,2,0,0,0,2\r\n`);
    expect(grade("8").summary.recorded, "another time limit can grade differently").toBe(0);
    expect(grade("7", "--force").summary.recorded).toBe(0);
  });

  test("untouched stubs are not graded; alike submissions are flagged without changing a grade; hostile names survive CSV and JUnit", () => {
    const dir = mkdtempDir();
    const stub = (id: string) => readFileSync(path.join(course, "lessons", "1-basics", id === "pass" ? "01-pass" : "02-add", "challenge.ts"), "utf8");
    const names = { ada: 'Smith, "Ada" 😀', bob: "中文\tname", cy: "=cmd|' -C calc'!A0", dee: "carriage\rreturn" };
    const files: Record<string, Record<string, string>> = {
      [names.ada]: { add: LONG_ADD, pass: stub("pass") },
      [names.bob]: { add: LONG_ADD_DISGUISED },
      [names.cy]: { add: stub("add").replace(/\n/g, "\r\n") },
      [names.dee]: { add: "export const add = (a: number, b: number): number => b + a;\n" },
    };
    for (const [student, challenges] of Object.entries(files)) {
      for (const [id, text] of Object.entries(challenges)) {
        mkdirSync(path.join(dir, student, id), { recursive: true });
        writeFileSync(path.join(dir, student, id, "challenge.ts"), text);
      }
    }
    const out = mkdtempDir();
    // --force: a run before this one may have recorded these very files' grades.
    const run = cli(["grade", dir, "--out", out, "--force"], { timeoutMs: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, "gradebook.json"), "utf8"));
    // The progress line names each submission graded: the two untouched stubs are not among them.
    expect(run.stderr).toContain("3/3 graded");
    expect(run.stderr).not.toMatch(/graded (=cmd|Smith, "Ada" 😀\/pass)/);
    expect(run.stdout).toMatch(/2 submission\(s\) were the lesson's stub, unchanged/);
    expect(run.stdout).toMatch(/1 copy flag\(s\)/);
    expect(csvRows(out).slice(1)).toEqual([
      ["'=cmd|' -C calc'!A0", "not submitted", "not attempted", "0", "0", "0", "2", "2"],
      ['Smith, "Ada" 😀', "not attempted", "passed", "1", "0", "0", "1", "2"],
      ["carriage\rreturn", "not submitted", "passed", "1", "0", "0", "1", "2"],
      ["中文\tname", "not submitted", "passed", "1", "0", "0", "1", "2"],
    ]);
    expect(existsSync(path.join(out, "results", names.cy)), "no results.json for an untouched stub").toBe(false);
    expect(summary.copyFlags.pairs).toEqual([{ challenge: "add", students: [names.ada, names.bob].sort(), score: 1, identical: false }]);
    expect(summary.copyFlags.tooSmall, "dee's one line is too small to compare").toBe(1);
    expect(summary.students.map((row: { passed: number }) => row.passed), "flags change no grade").toEqual([0, 1, 1, 1]);
    expect(readFileSync(path.join(out, "report.html"), "utf8")).toContain('<section id="copy-flags">');
    const junit = readFileSync(path.join(out, "junit.xml"), "utf8");
    const suites: string[] = [];
    let problem: string | undefined;
    const parser = new SaxesParser();
    parser.on("error", (error) => (problem ??= error.message));
    parser.on("opentag", (tag) => tag.name === "testsuite" && suites.push(tag.attributes.name as string));
    parser.write(junit).close();
    expect(problem).toBeUndefined();
    expect(suites).toEqual(Object.values(names).sort());
  });

  test("a student whose code kills the process above it gets an error; the class is still graded", () => {
    const dir = mkdtempDir();
    cpSync(path.join(fixtures, "class", "correct"), path.join(dir, "ada"), { recursive: true });
    mkdirSync(path.join(dir, "mallory", "add"), { recursive: true });
    writeFileSync(path.join(dir, "mallory", "add", "challenge.ts"), 'process.kill(process.ppid, "SIGKILL");\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n');
    const out = mkdtempDir();
    const run = cli(["grade", dir, "--out", out, "--timeout", "10"]);
    expect(run.status, run.stderr).toBe(0);
    const csv = readFileSync(path.join(out, "gradebook.csv"), "utf8");
    expect(csv).toContain("ada,passed,passed,2,0,0,0,2\r\n");
    expect(csv).toMatch(/mallory,not submitted,error: [a-z-]+,0,0,1,1,2\r\n/);
    const staging = path.join(fixtures, "course", ".queuecraft", "staging");
    expect(existsSync(staging) ? readdirSync(staging).filter((name) => name.startsWith("grade-")) : [], "the run's copies of the submissions are removed").toEqual([]);
    const scratch = existsSync("/dev/shm") ? readdirSync("/dev/shm").filter((name) => name.startsWith(`queuecraft-scratch-${run.pid}-`)) : [];
    expect(scratch, "the hidden tests' scratch folders are removed").toEqual([]);
  });
});

/** An answer to `add` long enough to compare (copy flags skip a one-liner). */
const LONG_ADD = `/** Adds two numbers, by way of a ledger. */
interface Entry {
  amount: number;
  label: string;
}

function entriesFor(first: number, second: number): Entry[] {
  const entries: Entry[] = [];
  entries.push({ amount: first, label: "first" });
  entries.push({ amount: second, label: "second" });
  return entries;
}

function total(entries: Entry[]): number {
  let sum = 0;
  for (const entry of entries) {
    if (entry.label === "skip") continue;
    sum += entry.amount;
  }
  return sum;
}

export function add(a: number, b: number): number {
  if (typeof a !== "number" || typeof b !== "number") throw new TypeError("add takes two numbers");
  return total(entriesFor(a, b));
}
`;

/** The same, names, comments, strings and layout changed. */
const LONG_ADD_DISGUISED = `// all my own work
interface Line { amount: number; label: string }
function linesOf(x: number, y: number): Line[] {
  const out: Line[] = []
  out.push({ amount: x, label: "x" })
  out.push({ amount: y, label: "y" })
  return out
}
function sumOf(lines: Line[]): number {
  let acc = 0
  for (const line of lines) { if (line.label === "ignore") continue; acc += line.amount }
  return acc
}
export function add(p: number, q: number): number {
  if (typeof p !== "number" || typeof q !== "number") throw new TypeError("numbers only")
  return sumOf(linesOf(p, q))
}
`;

/** gradebook.csv, parsed back. */
function csvRows(out: string): string[][] {
  return parse(readFileSync(path.join(out, "gradebook.csv"), "utf8"), { bom: true }) as string[][];
}

function mkdtempDir(): string {
  const dir = path.join(os.tmpdir(), `qc-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
