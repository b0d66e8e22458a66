// What one grading asks for (a candidate, its lesson's tests, how much of them
// runs) and the wrapper test file generated for it: a small file that names the
// candidate and imports its own copy of the tests, so one vitest run grades
// many candidates, several of one lesson included.
//
// A challenge has two suites: the hidden tests (test/hidden/<folder>/, the
// grading suite: verify, grade and mutation testing use them alone) and the
// public tests (test/public/<folder>/, a few worked examples a learner may read
// and run, shipped in the student edition). `check` and `watch` run both in
// the course checkout and the public ones alone in a student edition
// (edition/edition.ts decides). One wrapper imports both files, so a learner's
// check is still one vitest file per candidate.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../learner/atomic-file.ts";

export const WRAPPER_DIR = ".queuecraft/wrappers";

/** Which of a challenge's test files run: the hidden grading suite, the public worked examples. */
export type Suite = "public" | "hidden";

export interface GradeRequest {
  /** The lesson folder, e.g. "1-foundations/01-request-cycle". */
  folder: string;
  /** The suites to run, in this order; the hidden tests alone when not given. */
  suites?: Suite[];
  /** The file to grade. */
  candidate: string;
  /** How to name the candidate in messages (e.g. "challenge.ts"). */
  displayName?: string;
  /**
   * Skip the remaining hidden tests once one fails. For candidates that only
   * need to be rejected (stubs and mutants in verify), whose failing tests
   * often wait out a time limit each.
   */
  stopAtFirstFailure?: boolean;
  /**
   * Run only the hidden test of this full name (suite > test), the rest
   * skipped: verify first tries the test that rejected a mutant last time.
   */
  onlyTest?: string;
}

export function hiddenTestOf(root: string, folder: string): string {
  return testOf(root, "hidden", folder);
}

export function testOf(root: string, suite: Suite, folder: string): string {
  return path.join(root, "test", suite, folder, "challenge.test.ts");
}

/** The test files a request runs, in order. */
export function testFilesOf(root: string, request: GradeRequest): string[] {
  return (request.suites ?? ["hidden"]).map((suite) => testOf(root, suite, request.folder));
}

/**
 * Candidates must resolve the course's packages and `#kit/*`, so a file from
 * outside the course is graded from a copy inside it, under `folder` (a
 * folder inside .queuecraft/staging, e.g. one per grading run).
 */
export function stageCandidate(root: string, file: string, folder = path.join(root, ".queuecraft", "staging")): string {
  const absolute = path.resolve(file);
  const relative = path.relative(root, absolute);
  if (!relative.startsWith("..") && !relative.includes("node_modules")) return absolute;
  const digest = createHash("sha1").update(absolute).digest("hex").slice(0, 12);
  const staged = path.join(folder, digest, path.basename(absolute));
  writeFileAtomic(staged, readFileSync(absolute));
  return staged;
}


/** Hooks at the top of a wrapper apply to every test of the hidden test file it imports. */
function wrapperHooks(request: GradeRequest): string {
  const stop = Boolean(request.stopAtFirstFailure);
  if (!stop && request.onlyTest === undefined) return "";
  return (
    `import { beforeEach } from "vitest";\n` +
    (stop ? `let failed = false;\n` : "") +
    `beforeEach((context) => {\n` +
    (request.onlyTest !== undefined ? `  if (context.task.fullTestName !== ${JSON.stringify(request.onlyTest)}) context.skip();\n` : "") +
    (stop ? `  if (failed) context.skip();\n  context.onTestFailed(() => void (failed = true));\n` : "") +
    `});\n`
  );
}

/**
 * A warm grading child (watch mode) starts the next run as soon as one ends:
 * vitest stops its workers at the end of every run, and booting a new one is
 * most of a re-check (~280 ms of ~370). The wrapper of that run waits here,
 * worker booted, until the child says the file was saved (GradeJob.warmGate
 * names the channel), and only then imports the hidden test and so the
 * candidate. A channel, not a file: the worker is a thread of the child.
 */
export const WARM_GATE_VARIABLE = "QUEUECRAFT_WARM_GATE";
const WARM_GATE =
  `const gate = process.env.${WARM_GATE_VARIABLE};\n` +
  `if (gate) {\n` +
  `  const { BroadcastChannel } = await import("node:worker_threads");\n` +
  `  await new Promise<void>((resolve) => {\n` +
  `    const channel = new BroadcastChannel(gate);\n` +
  `    channel.onmessage = (event) => {\n` +
  `      if ((event as MessageEvent).data !== "go") return;\n` +
  `      channel.close();\n` +
  `      resolve();\n` +
  `    };\n` +
  `    channel.postMessage("ready");\n` +
  `  });\n` +
  `}\n`;

/**
 * The wrapper names the candidate in QUEUECRAFT_CANDIDATES (read by the
 * harness, and inherited by any process a hidden test starts), then imports
 * the hidden test under a query of its own so that each wrapper evaluates its
 * own copy of the test module. Files run one at a time in a vitest worker, so
 * the variable holds this wrapper's candidate until its tests are done.
 *
 * The query is the copy's number among the run's wrappers of that hidden test
 * (`copy`), not the candidate's name: vitest keeps transformed modules on
 * disk by id, so the next run, and the next class, reuse the transform. The
 * wrapper's file name covers the copy too, so its content never changes.
 */
export function writeWrapper(root: string, request: GradeRequest, copy: number, warm = false): string {
  const tests = testFilesOf(root, request);
  const hooks = wrapperHooks(request) + (warm ? WARM_GATE : "");
  const key = createHash("sha1").update(`${request.folder}\0${request.candidate}\0${copy}\0${hooks}\0${tests.join("\0")}`).digest("hex").slice(0, 16);
  const file = path.join(root, WRAPPER_DIR, `${key}.test.ts`);
  const content =
    `// Generated by runner/grading/grade.ts: grades ${request.candidate} with ${tests.map((test) => path.relative(root, test)).join(" and ")}.\n` +
    hooks +
    `process.env.QUEUECRAFT_CANDIDATES = ${JSON.stringify(JSON.stringify({ [request.folder]: request.candidate }))};\n` +
    tests.map((test) => `await import(${JSON.stringify(`${test}?copy=${copy}`)});\n`).join("");
  // Compared, not just checked for existence: a wrapper left by an older runner must not be trusted.
  if (!existsSync(file) || readFileSync(file, "utf8") !== content) {
    // Atomic: another grading run in this checkout may be reading it.
    writeFileAtomic(file, content);
  }
  return file;
}
