// What a grading run that dies costs: a candidate that loops is waited for
// once, not once in its batch and again alone; a run killed in a way that may
// have been the machine's (a signal the runner did not send) is graded once
// more, and said so. Runs are counted, never timed: each candidate appends a
// line to a file of its own when it is imported, and the loop's hidden tests
// are also counted as they start (onFileStarted; a run killed at once may die
// before it tells).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { grade } from "../../runner/grading/grade.ts";
import type { GradeRequest } from "../../runner/grading/wrapper.ts";
import { fixtures, repo } from "../cli/run-cli.ts";

const course = path.join(fixtures, "course");
const scratchRoot = path.join(course, ".queuecraft", "test-run-dies");
let scratch: string;

beforeAll(() => {
  // The grading child runs from runner/dist, which the CLI rebuilds when a source is newer.
  execFileSync(process.execPath, [path.join(repo, "runner", "bin.mjs"), "check", "--help"], { stdio: "ignore" });
  mkdirSync(scratchRoot, { recursive: true });
  scratch = mkdtempSync(path.join(scratchRoot, "run-"));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const answers = {
  add: "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
  pass: 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n',
  loops: "export function add(_a: number, _b: number): number {\n  for (;;) {}\n}\n",
  // Under the forks pool a candidate's parent is the grading child: this kills the whole run with a signal grading did not send.
  killsItsGrader: 'process.kill(process.ppid, "SIGKILL");\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n',
};

function request(name: keyof typeof answers): GradeRequest {
  const file = path.join(scratch, `${name}.ts`);
  writeFileSync(file, `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(`${file}.runs`)}, "run\\n");\n${answers[name]}`);
  return { folder: name === "pass" ? "1-basics/01-pass" : "1-basics/02-add", candidate: file, displayName: "challenge.ts" };
}

/** How many times a candidate was imported. */
const runsOf = (request: GradeRequest) => (existsSync(`${request.candidate}.runs`) ? readFileSync(`${request.candidate}.runs`, "utf8").split("\n").filter(Boolean).length : 0);

/** Grades `requests` in one call, counting how many times each one's hidden tests started. */
async function gradeCounting(requests: GradeRequest[], timeoutMs: number) {
  const starts = new Map<GradeRequest, number>();
  const regraded: Array<{ request: GradeRequest; reason: string }> = [];
  const results = await grade(requests, {
    root: course,
    timeoutMs,
    pool: "forks",
    oneOff: true,
    onFileStarted: (r) => starts.set(r, (starts.get(r) ?? 0) + 1),
    onRegraded: (r, reason) => regraded.push({ request: r, reason }),
  });
  return { results, startsOf: (r: GradeRequest) => starts.get(r) ?? 0, regraded };
}

describe("a grading run that dies", () => {
  test("a looping candidate in a batch is run once and timed out once; its batch-mates are graded", async () => {
    const [loops, add, pass] = [request("loops"), request("add"), request("pass")];
    const { results, startsOf, regraded } = await gradeCounting([loops, add, pass], 5_000);
    expect(results.map((r) => r.status)).toEqual(["error", "pass", "pass"]);
    expect(results[0]).toMatchObject({ errorKind: "timeout", message: expect.stringMatching(/^Timed out after 5 s/) });
    expect(startsOf(loops), "the loop had the time limit to itself: not run again alone").toBe(1);
    expect(runsOf(loops)).toBe(1);
    expect(regraded).toEqual([]);
  });

  test("a run killed by a signal grading did not send is graded once more, and the retry is told; then it is an error that says so", async () => {
    const kills = request("killsItsGrader");
    const { results, regraded } = await gradeCounting([kills], 20_000);
    expect(runsOf(kills), "graded twice, not more").toBe(2);
    expect(regraded).toEqual([{ request: kills, reason: "its grading process was killed by SIGKILL" }]);
    expect(results[0]).toMatchObject({ status: "error", errorKind: "crash", message: expect.stringMatching(/SIGKILL[\s\S]*Graded twice/) });
  });
});
