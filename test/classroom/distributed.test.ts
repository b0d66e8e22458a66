// Distributed grading against a real redis-server, through the real commands:
// the same results as local grading, a worker killed with SIGKILL mid-grade, a
// worker drained with SIGTERM, a poison submission, and the ways a run fails
// to start. Small generated classes on the fixture course keep it quick.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { loadCatalog } from "../../runner/course/catalog.ts";
import { submissionKey } from "../../runner/classroom/distributed/registry.ts";
import { courseFingerprint } from "../../runner/grading/graded-record.ts";
import { provideServices, type RunningServices } from "../../runner/process/services/provide.ts";
import { cli, fixtures, repo } from "../cli/run-cli.ts";

const COURSE = path.join(fixtures, "course");
const BIN = path.join(repo, "runner", "bin.mjs");
const TIMEOUT = "10";
const ENV = { ...process.env, CI: "true", NO_COLOR: "1", QUEUECRAFT_ROOT: COURSE, REDIS_URL: "" };

const given = (student: string, id: string) => readFileSync(path.join(fixtures, "class", student, id, "challenge.ts"), "utf8");
const GREET = given("correct", "pass");
const ADD = given("correct", "add");
const SUBTRACT = "export function add(a: number, b: number): number {\n  return a - b;\n}\n";
const OFF_ABOVE_100 = "export function add(a: number, b: number): number {\n  return a > 100 ? a + b + 1 : a + b;\n}\n";
const THROWS = 'export function greet(_name: string): string {\n  throw new Error("not yet");\n}\n';
const POISON = `// Kills the process that grades it, every time it is loaded.\nprocess.kill(process.ppid, "SIGKILL");\n${GREET}`;

type Class = Record<string, Record<string, string>>;
const QUICK: Class = {
  ada: { pass: GREET, add: ADD },
  ben: { pass: given("partial", "pass"), add: ADD },
  cy: { pass: GREET },
  dee: { pass: GREET, add: SUBTRACT },
  gus: { pass: THROWS, add: `${ADD}// second try\n` },
  hal: { pass: `${GREET}\n`, add: OFF_ABOVE_100 },
};
// A hung candidate (times out) and one that calls process.exit at import.
const HOSTILE: Class = { eve: { pass: GREET, add: given("hostile", "add") }, fay: { pass: given("hostile", "pass"), add: ADD }, kim: {} };

function writeClass(students: Class): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qc-class-"));
  for (const [student, files] of Object.entries(students)) {
    mkdirSync(path.join(dir, student));
    for (const [id, text] of Object.entries(files)) {
      mkdirSync(path.join(dir, student, id));
      writeFileSync(path.join(dir, student, id, "challenge.ts"), text);
    }
  }
  return dir;
}

const outDir = () => mkdtempSync(path.join(os.tmpdir(), "qc-gradebook-"));
const gradebook = (out: string) => JSON.parse(readFileSync(path.join(out, "gradebook.json"), "utf8"));
/** Every file `grade` writes but report.html (which says when and how the class was graded), by path. */
function gradebookFiles(out: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    const file = path.relative(out, path.join(entry.parentPath, entry.name));
    if (entry.isFile() && file !== "report.html") files[file] = readFileSync(path.join(out, file), "utf8");
  }
  return files;
}

/** A runner process, read as it runs. */
interface Running {
  child: ChildProcess;
  stdout(): string;
  output(): string;
  exited: Promise<number | string | null>;
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
}

const started: Running[] = [];

function start(args: string[], env: NodeJS.ProcessEnv = ENV): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let all = "";
  child.stdout!.on("data", (chunk: Buffer) => ((stdout += chunk), (all += chunk)));
  child.stderr!.on("data", (chunk: Buffer) => (all += chunk));
  const exited = new Promise<number | string | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const running: Running = {
    child,
    stdout: () => stdout,
    output: () => all,
    exited,
    async waitFor(pattern, ms = 60_000) {
      const deadline = Date.now() + ms;
      while (!pattern.test(all)) {
        if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null) throw new Error(`never saw ${pattern} from \`${args.join(" ")}\`:\n${all.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
  started.push(running);
  return running;
}

/** A worker that recovers a dead worker's jobs quickly: locks of 2 s instead of 30. */
const worker = (url: string, env?: NodeJS.ProcessEnv) => start(["grade-worker", "--redis", url, "--concurrency", "1", "--batch", "2", "--lock-seconds", "2"], env);

/** As when a machine dies: the worker and the grading processes it started, all at once. */
function killMachine(running: Running): void {
  const pid = running.child.pid!;
  // ps exits 1 when there is none (the worker announces a batch just before it starts the grading process).
  const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).stdout.split("\n").map(Number).filter(Boolean);
  running.child.kill("SIGKILL");
  for (const child of children) {
    try {
      process.kill(-child, "SIGKILL");
    } catch {
      // Not a group leader, or gone.
    }
  }
}

/** One worker, ready, and a `grade` run of the quick class that it has started grading. */
async function gradingUnderWay(): Promise<{ first: Running; grade: Running; out: string }> {
  const first = worker(url);
  await first.waitFor(/Ready:/);
  const out = outDir();
  const grade = start(["grade", quickClass, "--out", out, "--timeout", TIMEOUT, "--redis", url, "--json"]);
  await first.waitFor(/Grading \d/);
  return { first, grade, out };
}

async function stop(running: Running): Promise<number | string | null> {
  running.child.kill("SIGTERM");
  return running.exited;
}

let services: RunningServices;
let url: string;
let redis: Redis;
let quickClass: string;
let fullClass: string;
/** Local grading of the full class: what distributed grading must reproduce. */
let local: { results: Array<{ student: string; challenges: Record<string, unknown> }>; csv: string; files: Record<string, string> };
const localFor = (students: string[]) => local.results.filter((row) => students.includes(row.student));
const keysOf = async (queue: string) => (await redis.keys("queuecraft:*")).filter((key) => key.includes(queue));

beforeAll(async () => {
  services = await provideServices(["redis"]);
  url = services.env.REDIS_URL!;
  redis = new Redis(url, { maxRetriesPerRequest: 3 });
  quickClass = writeClass(QUICK);
  fullClass = writeClass({ ...QUICK, ...HOSTILE });
  const out = outDir();
  const run = cli(["grade", fullClass, "--out", out, "--timeout", TIMEOUT], { timeoutMs: 240_000 });
  expect(run.status, run.stderr).toBe(0);
  local = { results: gradebook(out).results, csv: readFileSync(path.join(out, "gradebook.csv"), "utf8"), files: gradebookFiles(out) };
}, 300_000);

afterEach(() => {
  for (const running of started.splice(0)) if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill("SIGKILL");
});

afterAll(async () => {
  await redis?.quit();
  await services?.stop();
});

describe("npm run grade -- --redis with npm run grade-worker", () => {
  test("two workers reproduce local grading result for result (hung and exiting candidates included); Redis is left clean", async () => {
    const workers = [worker(url), worker(url)];
    await Promise.all(workers.map((w) => w.waitFor(/Ready:/)));
    const out = outDir();
    const grade = start(["grade", fullClass, "--out", out, "--timeout", TIMEOUT, "--redis", url, "--json"]);
    expect(await grade.exited, grade.output()).toBe(0);
    const summary = JSON.parse(grade.stdout());
    expect(gradebook(out).results).toEqual(local.results);
    expect(readFileSync(path.join(out, "gradebook.csv"), "utf8")).toBe(local.csv);
    // gradebook.csv, gradebook.json, junit.xml and every results.json: the same bytes as local grading.
    expect(Object.keys(local.files)).toEqual(expect.arrayContaining(["gradebook.json", "junit.xml", path.join("results", "eve", "add", "results.json")]));
    expect(gradebookFiles(out)).toEqual(local.files);
    expect(summary).toMatchObject({ deadLetters: [], retried: 0 });
    expect(JSON.stringify(gradebook(out).results)).toMatch(/Timed out after 10 s/);
    for (const w of workers) expect(w.output(), "both workers took part").toMatch(/Grading \d/);
    expect(readFileSync(path.join(out, "report.html"), "utf8")).toContain("Graded by grade-worker processes over BullMQ");
    // A worker notices the run ended at its next poll; once both have left, nothing of the run remains.
    await Promise.all(workers.map((w) => w.waitFor(/Left run/)));
    expect(await keysOf(summary.queue)).toEqual([]);
    expect(await redis.zcard("queuecraft:grading:runs")).toBe(0);
    for (const w of workers) expect(await stop(w)).toBe(0);
  }, 300_000);

  test("a worker killed with SIGKILL mid-grade loses nothing and counts nothing twice", async () => {
    const { first, grade, out } = await gradingUnderWay();
    killMachine(first);
    expect(await first.exited).toBe("SIGKILL");
    const second = worker(url);
    expect(await grade.exited, grade.output()).toBe(0);
    const summary = JSON.parse(grade.stdout());
    expect(gradebook(out).results, "every submission graded once, as locally").toEqual(localFor(Object.keys(QUICK)));
    expect(summary.retried, "the killed worker's jobs were graded again").toBeGreaterThanOrEqual(1);
    expect(summary.deadLetters).toEqual([]);
    expect(second.output()).toMatch(/stalled \(its worker died or lost its lock\)/);
    expect(await stop(second)).toBe(0);
  }, 180_000);

  test("SIGTERM drains a worker: it finishes the jobs it holds, exits 0, and nothing is graded twice", async () => {
    const { first, grade, out } = await gradingUnderWay();
    first.child.kill("SIGTERM");
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toMatch(/Draining/);
    expect(first.output()).toMatch(/Stopped after grading [1-9]\d* job/);
    const second = worker(url);
    expect(await grade.exited, grade.output()).toBe(0);
    expect(gradebook(out).results).toEqual(localFor(Object.keys(QUICK)));
    expect(JSON.parse(grade.stdout())).toMatchObject({ retried: 0, deadLetters: [] });
    expect(await stop(second)).toBe(0);
  }, 180_000);

  test("a submission that kills its grader every time becomes a dead letter, shown in the report; its batch-mates are graded", async () => {
    const poisoned = writeClass({ ada: QUICK.ada!, zed: { pass: POISON, add: ADD } });
    let current = worker(url);
    let deaths = 0;
    // A supervisor, as systemd would be: restart the worker whenever it dies.
    const supervisor = setInterval(() => {
      if (current.child.exitCode === null && current.child.signalCode === null) return;
      deaths++;
      current = worker(url);
    }, 200);
    const out = outDir();
    const grade = start(["grade", poisoned, "--out", out, "--timeout", TIMEOUT, "--redis", url, "--json"]);
    try {
      expect(await grade.exited, grade.output()).toBe(0);
    } finally {
      clearInterval(supervisor);
    }
    const summary = JSON.parse(grade.stdout());
    expect(summary.deadLetters).toMatchObject([{ student: "zed", challenge: "pass", attempts: 3 }]);
    expect(deaths).toBe(3);
    const book = gradebook(out);
    expect(book.results.find((row: { student: string }) => row.student === "zed").challenges).toMatchObject({ pass: { status: "error", message: expect.stringMatching(/dead letter/) }, add: { status: "pass" } });
    expect(book.results.find((row: { student: string }) => row.student === "ada")).toEqual(localFor(["ada"])[0]);
    const report = readFileSync(path.join(out, "report.html"), "utf8");
    expect(report).toContain('id="dead-letters"');
    expect(report).toMatch(/<th scope="row">zed<\/th><td>pass<\/td><td>3<\/td>/);
    expect(await stop(current)).toBe(0);
  }, 240_000);

  test("with no worker, the producer says how to start one, gives up after --worker-wait and leaves Redis clean", async () => {
    const before = await redis.keys("queuecraft:*");
    const began = Date.now();
    const grade = start(["grade", quickClass, "--out", outDir(), "--redis", url, "--worker-wait", "2"]);
    expect(await grade.exited).toBe(1);
    expect(Date.now() - began).toBeLessThan(20_000);
    expect(grade.output()).toMatch(/Cannot grade: no worker took the jobs for 2 s \(11 of 11 not graded\): start `npm run grade-worker -- --redis redis:\/\/127\.0\.0\.1:\d+`/);
    expect((await redis.keys("queuecraft:*")).filter((key) => !before.includes(key)), "the run deleted its keys").toEqual([]);
  }, 60_000);

  test("a worker whose course checkout differs does not join, and the producer says so", async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "qc-course-"));
    for (const part of ["lessons", "solutions", "test"]) cpSync(path.join(COURSE, part), path.join(copy, part), { recursive: true });
    const test = path.join(copy, "test", "hidden", "1-basics", "02-add", "challenge.test.ts");
    writeFileSync(test, `${readFileSync(test, "utf8")}\n// changed since\n`);
    const fingerprint = (root: string) => courseFingerprint(root, loadCatalog(root).lessons);
    expect(fingerprint(copy)).not.toBe(fingerprint(COURSE));
    const stale = worker(url, { ...ENV, QUEUECRAFT_ROOT: copy });
    await stale.waitFor(/Ready:/);
    const grade = start(["grade", quickClass, "--out", outDir(), "--redis", url, "--worker-wait", "6"]);
    expect(await grade.exited).toBe(1);
    expect(grade.output()).toMatch(/has a different checkout of the course and will not grade this run/);
    expect(stale.output()).toMatch(/Not joining run grade-[0-9a-f]+-[0-9a-f]+: its course differs/);
    expect(stale.output()).not.toMatch(/Grading/);
    expect(await stop(stale)).toBe(0);
  }, 60_000);

  test("an unreachable Redis: one clear line, exit 1, no hang; a usage error exits 2", async () => {
    for (const args of [["grade", quickClass, "--redis", "redis://127.0.0.1:1"], ["grade-worker", "--redis", "redis://127.0.0.1:1"]]) {
      const began = Date.now();
      const run = start(args);
      expect(await run.exited).toBe(1);
      expect(Date.now() - began).toBeLessThan(15_000);
      expect(run.output()).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1 does not answer \(ECONNREFUSED\)/);
    }
    expect(await start(["grade-worker"]).exited).toBe(2);
    expect(await start(["grade", quickClass, "--worker-wait", "5"]).exited).toBe(2);
  }, 60_000);
});

describe("idempotency keys", () => {
  test("one key per student, challenge and exact source", () => {
    const key = submissionKey("ada", "add", "f".repeat(64));
    expect(submissionKey("ada", "add", "f".repeat(64))).toBe(key);
    for (const other of [submissionKey("adb", "add", "f".repeat(64)), submissionKey("ada", "pass", "f".repeat(64)), submissionKey("ada", "add", "e".repeat(64))]) expect(other).not.toBe(key);
    // "a" + "b\0c" must not collide with "a\0b" + "c".
    expect(submissionKey("a", "b\0c", "x")).not.toBe(submissionKey("a\0b", "c", "x"));
    expect(key).toMatch(/^g-[0-9a-f]{40}$/);
  });
});
