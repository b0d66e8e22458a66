import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { loadCatalog, readLesson } from "../../runner/course/catalog.ts";
import { checkCourse, findCycle } from "../../runner/course/course-checks.ts";
import { nearest } from "../../runner/course/nearest.ts";

const fixtures = path.join(import.meta.dirname, "..", "fixtures");

describe("the malformed-lesson corpus", () => {
  const corpus = path.join(fixtures, "bad-lessons");
  const names = readdirSync(corpus).sort();

  test("has at least twenty kinds of broken lesson", () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  test.each(names)("%s: reported with its file, a line number and a fix, never thrown", (name) => {
    const file = path.join(corpus, name, "lesson.md");
    const { lesson, problems } = readLesson(file, `1-x/${name}`);
    expect(lesson, `${name} should not load`).toBeUndefined();
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(problem.file).toContain(name);
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.message.length).toBeGreaterThan(10);
    }
  });

  test("a wrong field is reported on its own line, with the fix", () => {
    const { problems } = readLesson(path.join(corpus, "prerequisites-not-a-list", "lesson.md"), "1-x/p");
    expect(problems).toEqual([{ file: expect.stringContaining("prerequisites-not-a-list"), line: 9, message: "`prerequisites` should be a list of lesson ids, like `prerequisites: [request-cycle]` (or `[]`)" }]);
  });

  test("every problem in a file is reported at once", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "qc-many-"));
    const text = readFileSync(path.join(corpus, "phase-not-a-number", "lesson.md"), "utf8").replace("difficulty: beginner", "difficulty: hard").replace("tags: [fixture]", "tags: 3");
    writeFileSync(path.join(dir, "lesson.md"), text);
    writeFileSync(path.join(dir, "experiment.ts"), "console.log(1)");
    const { problems } = readLesson(path.join(dir, "lesson.md"), "1-x/y");
    expect(problems.map((p) => p.line)).toEqual([4, 7, 8]);
  });

  test("a huge lesson file is refused without reading it into the parser", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "qc-huge-"));
    writeFileSync(path.join(dir, "lesson.md"), `---\nid: huge\n---\n${"x".repeat(2_000_000)}`);
    const { problems } = readLesson(path.join(dir, "lesson.md"), "1-x/huge");
    expect(problems[0]!.message).toMatch(/MB; keep lesson files under 1 MB/);
  });
});

describe("course-wide checks", () => {
  const course = (name: string) => loadCatalog(path.join(fixtures, "courses", name));

  test("a prerequisite cycle is printed as a path", () => {
    expect(course("cycle").problems.map((p) => p.message)).toContainEqual("prerequisite cycle: a → c → b → a; remove one of these prerequisites");
  });
  test("a duplicate id names the other file", () => {
    expect(course("duplicate-id").problems.some((p) => /duplicate id `same`: .*01-same/.test(p.message))).toBe(true);
  });
  test("an unknown prerequisite suggests the nearest id", () => {
    expect(course("unknown-prerequisite").problems.map((p) => p.message)).toContainEqual("unknown prerequisite `retrys` — did you mean `retries`?");
  });
  test("two lessons in the same phase slot clash", () => {
    expect(course("sequence-clash").problems.some((p) => /phase 1, sequence 1 is taken by `one`/.test(p.message))).toBe(true);
  });
  test("the fixture course itself is clean", () => {
    expect(loadCatalog(path.join(fixtures, "course")).problems).toEqual([]);
    expect(checkCourse(loadCatalog(path.join(fixtures, "course")).lessons)).toEqual([]);
  });
});

describe("pure helpers", () => {
  test("findCycle returns undefined for a DAG and the loop otherwise", () => {
    expect(findCycle(new Map([["a", ["b"]], ["b", []]]))).toBeUndefined();
    expect(findCycle(new Map([["a", ["a"]]]))).toEqual(["a", "a"]);
  });
  test("nearest suggests close ids and substrings, not distant ones", () => {
    const ids = ["request-cycle", "retries-backoff", "dead-letter", "delayed-jobs"];
    expect(nearest("retries", ids)).toEqual(["retries-backoff"]);
    expect(nearest("dead-leter", ids)).toEqual(["dead-letter"]);
    expect(nearest("zzz", ids)).toEqual([]);
  });
});

describe("course-wide checks", () => {
  test("a phase_title that differs within a phase is reported on the lesson that differs, naming the first one's title", () => {
    const lessons = loadCatalog(path.join(fixtures, "course")).lessons;
    const [first, second] = lessons as [(typeof lessons)[number], (typeof lessons)[number]];
    const renamed = { ...second, meta: { ...second.meta, phaseTitle: `${first.meta.phaseTitle} (again)` } };
    const problems = checkCourse([first, renamed]);
    expect(problems).toEqual([
      { file: second.file, line: 2, message: `phase_title "${first.meta.phaseTitle} (again)" differs from "${first.meta.phaseTitle}" of \`${first.meta.id}\`, in the same phase 1: give every lesson of a phase the same title` },
    ]);
  });

  test("hints written as bullets are reported at the first bullet, with the fix", () => {
    const { problems } = readLesson(path.join(fixtures, "bad-lessons", "hints-as-bullets", "lesson.md"), "1-x/hints-as-bullets");
    expect(problems).toEqual([{ file: expect.stringContaining("hints-as-bullets"), line: 39, message: expect.stringContaining("`## Hints` is a bulleted list: number the hints") }]);
  });
});
