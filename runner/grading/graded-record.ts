// What identifies a grading (the course's fingerprint), and the record of the
// results `grade` already has: a class graded again, after an interruption or
// with a few late submissions added, only runs what is new (as nbgrader's
// autograde skips what it graded before unless --force).

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../learner/atomic-file.ts";
import type { Lesson } from "../course/catalog.ts";
import { RESULTS_VERSION, type Results } from "./results.ts";

export const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

/**
 * What decides a grade on a worker: the hidden tests, their harness, the kit
 * candidates import, and the locked dependency versions. Two checkouts with the
 * same fingerprint grade alike.
 */
export function courseFingerprint(root: string, lessons: Lesson[]): string {
  const dirs = [...lessons.flatMap((lesson) => (lesson.folder ? [path.join("test", "hidden", lesson.folder)] : [])), path.join("test", "hidden", "_harness"), path.join("lessons", "_kit")];
  const files = [...dirs.flatMap((dir) => filesUnder(path.join(root, dir))), ...[path.join(root, "package-lock.json")].filter(existsSync)];
  const hash = createHash("sha256");
  for (const file of files.map((f) => path.relative(root, f).split(path.sep).join("/")).sort()) {
    hash.update(`${file}\0${sha256(readFileSync(path.join(root, file)))}\n`);
  }
  return hash.digest("hex");
}

/** Records of earlier time limits or runners kept besides the one in use (~10 MB per class of 100). */
const KEPT_RECORDS = 4;

/** The runner's own part of a grade: how candidates run and how results are written. */
const GRADING_SOURCES = ["grading/grade.ts", "grading/grade-child.ts", "grading/results.ts"];

/** What the record keeps: a pass, a fail, or a timeout. */
export const recordable = (results: Results): boolean => results.status !== "error" || results.errorKind === "timeout";

export interface GradedRecord {
  /** The result recorded for this submission of this challenge, if any (a pass, a fail or a timeout). */
  get(challenge: string, sourceSha: string): Results | undefined;
  put(challenge: string, sourceSha: string, results: Results): void;
}

/**
 * Results by submission, kept under .queuecraft/cache/graded/: a folder per
 * time limit and runner version, a file per challenge fingerprint (its hidden
 * tests, the harness, the kit, the lock file) and submission. A change to a
 * hidden test grades that challenge again, and no other. Passes, fails and
 * timeouts are kept (a looping submission costs its time limit once; the
 * folder is the time limit's, so a longer limit grades it again); any other
 * error may be the machine's (a crash, a server that did not start) and is
 * graded again.
 */
export function gradedRecord(root: string, lessons: Lesson[], timeoutMs: number, runnerDir: string): GradedRecord {
  const runner = sha256(GRADING_SOURCES.map((name) => (existsSync(path.join(runnerDir, name)) ? readFileSync(path.join(runnerDir, name)) : "")).join("\0"));
  const parent = path.join(root, ".queuecraft", "cache", "graded");
  const folder = path.join(parent, sha256(JSON.stringify([timeoutMs, RESULTS_VERSION, runner])).slice(0, 16));
  const prefixes = new Map(lessons.map((lesson) => [lesson.meta.id, `${courseFingerprint(root, [lesson]).slice(0, 16)}-`]));
  try {
    mkdirSync(folder, { recursive: true });
    const now = new Date();
    utimesSync(folder, now, now); // in use: the newest
    const byAge = readdirSync(parent).sort((a, b) => statSync(path.join(parent, b)).mtimeMs - statSync(path.join(parent, a)).mtimeMs);
    for (const stale of byAge.slice(KEPT_RECORDS + 1)) rmSync(path.join(parent, stale), { recursive: true, force: true });
    // Grades by hidden tests that have changed since are of no use again.
    for (const [challenge, prefix] of prefixes) {
      const dir = path.join(folder, challenge);
      for (const name of existsSync(dir) ? readdirSync(dir) : []) if (!name.startsWith(prefix)) rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // A read-only checkout: nothing is recorded (see put).
  }
  const file = (challenge: string, sourceSha: string) => {
    const prefix = prefixes.get(challenge);
    return prefix && path.join(folder, challenge, `${prefix}${sourceSha}.json`);
  };
  return {
    get(challenge, sourceSha) {
      try {
        const results = JSON.parse(readFileSync(file(challenge, sourceSha) || "", "utf8")) as Results;
        return recordable(results) ? results : undefined;
      } catch {
        return undefined; // not graded yet, or a damaged record: grade it
      }
    },
    put(challenge, sourceSha, results) {
      const where = file(challenge, sourceSha);
      if (!where || !recordable(results)) return;
      try {
        writeFileAtomic(where, JSON.stringify(results));
      } catch {
        // A read-only checkout: the next run grades it again.
      }
    },
  };
}
