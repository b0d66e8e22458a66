// `npm run grade` before and around grading: what it refuses as a usage error
// (exit 2, nothing graded, no gradebook folder made), what --challenges and
// --assignment limit, and what a looping submission costs across runs.
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { SaxesParser } from "saxes";
import { describe, expect, test } from "vitest";
import { cli, fixtures } from "./run-cli.ts";

const classes = path.join(fixtures, "classes");
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "qc-grade-class-"));

/** A refused run: exit 2, the message, and no sign of grading or of a gradebook. */
function expectRefused(args: string[], message: RegExp, out: string): void {
  const run = cli(["grade", ...args, "--out", out]);
  expect(run.status, run.stderr).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr, "the usage line follows").toMatch(/\nusage: npm run grade /);
  expect(run.stderr, "nothing was graded").not.toMatch(/graded/);
  expect(run.stdout).toBe("");
}

describe("grade refuses what is not a class, before grading", () => {
  const cases: Array<[string, RegExp]> = [
    ["refuses-a-single-student-folder", /looks like one student's work \(its folders add, pass are lesson ids\)/],
    ["refuses-an-empty-folder", /refuses-an-empty-folder is empty: it should hold one folder per student/],
    ["refuses-a-class-with-no-submissions", /^no submissions in .*refuses-a-class-with-no-submissions: none of its 2 students handed in/],
    ["refuses-a-folder-of-zips", /holds no student folder and no submit archive .*ada_1234_submission\.zip is a zip/],
    ["refuses-a-challenge-folder-not-named-as-a-lesson", /bob\/ad\/challenge\.ts: "ad" is not a lesson id; did you mean "add"\? Rename the folder\n.*bob\/retries\/challenge\.ts: "retries" is not a lesson id/],
    ["refuses-a-student-folder-with-nothing-gradable", /bob holds nothing to grade \(found add\.ts, notes\.txt\)[^\n]*\n.*cy holds nothing to grade \(found challenge\.ts\): move challenge\.ts into a folder named after its lesson/],
    ["refuses-a-student-folder-one-level-too-deep", /bob holds nothing to grade \(found queuecraft-student\): .*bob\/queuecraft-student looks like the student's folder: move what it holds up one level/],
  ];
  test.each(cases)("%s", (name, message) => {
    const out = path.join(tmp(), "gradebook");
    expectRefused([path.join(classes, name)], message, out);
    expect(existsSync(out), "no gradebook folder is made for a refused class").toBe(false);
  });

  test("refuses one student's clone (workspace/ directly) and a single archive", () => {
    const clone = tmp();
    mkdirSync(path.join(clone, "workspace", "add"), { recursive: true });
    writeFileSync(path.join(clone, "workspace", "add", "challenge.ts"), "export const add = (a: number, b: number) => a + b;\n");
    expectRefused([clone], /looks like one student's clone \(it has workspace\/ directly\)/, path.join(tmp(), "gradebook"));
    const archive = path.join(tmp(), "ada-queuecraft-submission.tar.gz");
    writeFileSync(archive, "");
    expectRefused([archive], /is one student's archive: put the class's archives in one folder and grade that folder/, path.join(tmp(), "gradebook"));
  });
});

describe("--out is checked before grading", () => {
  const klass = path.join(fixtures, "class");
  test("not inside the class folder, nor the course's lessons/ or solutions/", () => {
    expectRefused([klass], /--out .*class\/gradebook is inside the class folder .*: the gradebook would be read as a student next time/, path.join(klass, "gradebook"));
    expect(existsSync(path.join(klass, "gradebook"))).toBe(false);
    expectRefused([klass], /is inside the course's lessons\/ folder/, path.join(fixtures, "course", "lessons", "gradebook"));
    expectRefused([klass], /is inside the course's solutions\/ folder/, path.join(fixtures, "course", "solutions"));
  });

  test("a file, a folder that cannot be made, and a folder of other things are refused", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "notes.txt"), "mine\n");
    expectRefused([klass], /--out .*notes\.txt is a file: name a folder/, path.join(dir, "notes.txt"));
    expectRefused([klass], /--out .*notes\.txt\/gradebook cannot be written \(ENOTDIR\): choose a folder you can write to/, path.join(dir, "notes.txt", "gradebook"));
    expectRefused([klass], /holds other files \(notes\.txt\) and no gradebook: .*choose an empty folder, or one an earlier grade wrote/, dir);
    expect(readdirSync(dir), "nothing written there").toEqual(["notes.txt"]);
  });
});

describe("--challenges and --assignment", () => {
  test("unknown ids are usage errors with the nearest id; both flags at once is one too", () => {
    const klass = path.join(fixtures, "class");
    const out = path.join(tmp(), "gradebook");
    expectRefused([klass, "--challenges", "ad"], /--challenges: "ad" is not a challenge of this course; did you mean "add"\?/, out);
    const file = path.join(tmp(), "week-1.yaml");
    writeFileSync(file, "title: Week 1\nchallenges:\n  - pas\n");
    expectRefused([klass, "--assignment", file], new RegExp(`${file}:3: "pas" is not a challenge of this course; did you mean "pass"\\?`), out);
    expectRefused([klass, "--assignment", file, "--challenges", "add"], /give --challenges or --assignment, not both/, out);
    expectRefused([klass, "--assignment", path.join(tmp(), "missing.yaml")], /missing\.yaml: no such file/, out);
    expect(existsSync(out)).toBe(false);
  });

  test("limit grading and every output to what was assigned, results.json of an earlier run included", () => {
    const out = path.join(tmp(), "new", "gradebook");
    const klass = path.join(fixtures, "class");
    const everything = cli(["grade", klass, "--out", out, "--timeout", "5"]);
    expect(everything.status, everything.stderr).toBe(0);
    expect(existsSync(path.join(out, "results", "correct", "pass", "results.json"))).toBe(true);
    const file = path.join(tmp(), "week-1.json");
    writeFileSync(file, JSON.stringify({ title: "Week 1: adding", due: "2026-03-14", challenges: ["add"] }));
    const run = cli(["grade", klass, "--out", out, "--timeout", "5", "--assignment", file]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Pass rate per challenge: add 2/4");
    const rows = parse(readFileSync(path.join(out, "gradebook.csv"), "utf8"), { bom: true }) as string[][];
    expect(rows[0]).toEqual(["student", "add", "passed", "failed", "error", "not submitted", "total"]);
    expect(rows.map((row) => row.at(-1)).slice(1), "totals count the assigned challenge only").toEqual(["1", "1", "1", "1"]);
    const book = JSON.parse(readFileSync(path.join(out, "gradebook.json"), "utf8"));
    expect(book.assignment).toEqual({ challenges: ["add"], title: "Week 1: adding", due: "2026-03-14" });
    expect(book.challenges).toEqual(["add"]);
    expect(book.students.map((row: { cells: object }) => Object.keys(row.cells))).toEqual([["add"], ["add"], ["add"], ["add"]]);
    expect(book.results.flatMap((row: { challenges: object }) => Object.keys(row.challenges))).toEqual(["add", "add", "add"]);
    const classnames: string[] = [];
    const parser = new SaxesParser();
    parser.on("opentag", (tag) => tag.name === "testcase" && classnames.push(tag.attributes.classname as string));
    parser.write(readFileSync(path.join(out, "junit.xml"), "utf8")).close();
    expect(new Set(classnames.map((name) => name.split(".").at(-1)))).toEqual(new Set(["add"]));
    const results = readdirSync(path.join(out, "results"), { recursive: true }).map(String).filter((file) => file.endsWith("results.json")).sort();
    expect(results, "no results.json of an unassigned challenge, not even an earlier run's").toEqual(["correct/add/results.json", "hostile/add/results.json", "partial/add/results.json"]);
    const report = readFileSync(path.join(out, "report.html"), "utf8");
    expect(report).toContain("<title>Week 1: adding</title>");
    expect(report).toMatch(/hidden tests of 1 assigned challenge\(s\) · due 2026-03-14/);
    expect(new Set([...report.matchAll(/data-challenge="([^"]*)"/g)].map((match) => match[1]))).toEqual(new Set(["add"]));
  });

  test("--challenges grades only those: a class that handed in none of them is refused", () => {
    const klass = tmp();
    cpSync(path.join(fixtures, "class", "correct", "pass"), path.join(klass, "ada", "pass"), { recursive: true });
    expectRefused([klass, "--challenges", "add"], /^no submissions of the assigned challenge \(add\) in .*: none of its 1 student handed in .*check --challenges or the assignment file/, path.join(tmp(), "gradebook"));
  });
});

describe("a looping submission", () => {
  test("costs one timeout: recorded, not waited for on the next run, graded again with --retry-errors", () => {
    const klass = tmp();
    const runs = path.join(klass, "..", `${path.basename(klass)}-loop-runs.txt`);
    cpSync(path.join(fixtures, "class", "correct"), path.join(klass, "ada"), { recursive: true });
    mkdirSync(path.join(klass, "bob", "add"), { recursive: true });
    // Counts its own imports: each is a run of its hidden tests. The path makes its bytes this test's own (no earlier record).
    writeFileSync(path.join(klass, "bob", "add", "challenge.ts"), `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(runs)}, "run\\n");\nexport function add(_a: number, _b: number): number {\n  for (;;) {}\n}\n`);
    for (const id of ["pass", "add"]) appendFileSync(path.join(klass, "ada", id, "challenge.ts"), `// ${klass}\n`);
    const runCount = () => readFileSync(runs, "utf8").split("\n").filter(Boolean).length;
    const grade = (...extra: string[]) => {
      const out = path.join(tmp(), "gradebook");
      // One group: the loop shares its grading run with ada's files.
      const run = cli(["grade", klass, "--out", out, "--timeout", "5", "--parallel", "1", ...extra], { timeoutMs: 120_000 });
      expect(run.status, run.stderr).toBe(0);
      return { run, cell: JSON.parse(readFileSync(path.join(out, "gradebook.json"), "utf8")).students[1].cells.add };
    };
    const first = grade();
    expect(first.cell).toEqual({ outcome: "error", reason: "timeout", message: expect.stringMatching(/^Timed out after 5 s/) });
    expect(runCount(), "run once in its group, not again alone").toBe(1);
    expect(first.run.stdout, "no progress line on stdout without a terminal").not.toMatch(/graded ·|\[#/);
    expect(first.run.stderr, "the progress lines are on stderr").toMatch(/\] \d\/3 graded · graded bob\/add/);
    const second = grade();
    expect(second.cell).toEqual(first.cell);
    expect(runCount(), "the recorded timeout is not waited for again").toBe(1);
    expect(second.run.stdout).toMatch(/kept that grade .* 1 of them had timed out \(5 s\) and were not waited for again \(--retry-errors grades timeouts again\)/);
    grade("--retry-errors");
    expect(runCount(), "--retry-errors grades it again").toBe(2);
  });
});
