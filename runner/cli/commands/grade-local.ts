// `grade` without --redis: the class graded here, in groups of students,
// `parallel` groups at a time, with the servers lessons need started for the
// run. A submission the same byte for byte as another is graded once; one an
// earlier run graded with the same hidden tests and time limit keeps that
// grade (a timeout too: a loop costs its time limit once), unless --force, or
// --retry-errors for recorded timeouts.

import path from "node:path";
import type { Lesson } from "../../course/catalog.ts";
import { installRoot } from "../../process/install-root.ts";
import type { Context } from "../args.ts";
import type { ClassFiles, ClassSubmission } from "../../classroom/submissions.ts";
import { gradedRecord } from "../../grading/graded-record.ts";
import { childBundleDir, pruneBundles } from "../../process/bundle.ts";
import { grade } from "../../grading/grade.ts";
import { stageCandidate, type GradeRequest } from "../../grading/wrapper.ts";
import type { Results } from "../../grading/results.ts";
import { runFolder } from "../../process/scratch.ts";
import { provideServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { groupStudents } from "../../classroom/groups.ts";
import { label, Progress } from "../progress.ts";

/** Why the class could not be graded at all: one line, exit 1. */
export class CannotGrade extends Error {}

/** A submission graded again because its run died in a way that may have been the machine's. */
export interface Regraded {
  submission: string;
  reason: string;
}

export interface LocalGrading {
  graded: Results[];
  /** Copies of a submission graded in this run. */
  reused: number;
  /** Grades kept from an earlier run. */
  recorded: number;
  /** Of those, timeouts (not waited for again). */
  recordedTimeouts: number;
  regraded: Regraded[];
}

/** (challenge, sha256 of the file): equal keys get the same grade. */
const keyOf = (file: ClassSubmission) => `${file.lesson.meta.id}\0${file.sha256}`;

/**
 * Grades a group's files in one grading run: vitest starts once for all of
 * them. Every file is graded in isolation from the others, and a crash is
 * pinned on its own file (see grading/grade.ts).
 */
async function gradeGroup(
  context: Context,
  files: ClassSubmission[],
  options: { timeoutMs: number; services: Promise<Record<string, string>>; progress: Progress; staging: string; regraded: Regraded[] },
): Promise<Results[]> {
  const labels = new Map<GradeRequest, string>();
  const requests = files.map((file) => {
    const request = { folder: file.lesson.folder!, candidate: stageCandidate(context.root, file.file, options.staging), displayName: `${file.lesson.meta.id}/challenge.ts` };
    labels.set(request, label(file.student, file.lesson.meta.id));
    return request;
  });
  const { progress } = options;
  // Forks: one student's code must not be able to kill this command (and the class with it).
  const results = await grade(requests, {
    root: context.root,
    timeoutMs: options.timeoutMs,
    services: options.services,
    onFileStarted: (request) => progress.started(labels.get(request)!),
    onFileDone: (request) => progress.finished(labels.get(request)!),
    onRegraded: (request, reason) => options.regraded.push({ submission: labels.get(request)!, reason }),
    pool: "forks",
    oneOff: true,
  });
  // Files whose run died report no end of their own.
  for (const text of labels.values()) progress.finished(text);
  return results;
}

export async function gradeLocally(context: Context, files: ClassFiles, lessons: Lesson[], options: { timeoutMs: number; parallel: number; force: boolean; retryErrors: boolean }): Promise<LocalGrading> {
  const { submitted } = files;
  const record = gradedRecord(context.root, lessons, options.timeoutMs, path.join(installRoot(), "runner"));
  const graded = new Map<string, Results>();
  const firstOfEach = new Map<string, ClassSubmission>();
  for (const file of submitted) if (!firstOfEach.has(keyOf(file))) firstOfEach.set(keyOf(file), file);
  const fresh: ClassSubmission[] = [];
  let recordedTimeouts = 0;
  for (const file of firstOfEach.values()) {
    const earlier = options.force ? undefined : record.get(file.lesson.meta.id, file.sha256);
    if (earlier && !(earlier.status === "error" && options.retryErrors)) {
      graded.set(keyOf(file), earlier);
      if (earlier.status === "error") recordedTimeouts++;
    } else fresh.push(file);
  }
  const recorded = graded.size;
  const reused = submitted.length - fresh.length - recorded;
  // Servers start while the first grading child loads vitest.
  const starting = provideServices(fresh.flatMap((file) => file.lesson.meta.services));
  const services = starting.then((running) => running.env);
  services.catch(() => {}); // grade() reports it; this keeps an early failure from counting as unhandled
  const owners = [...new Set(fresh.map(({ student }) => student))];
  const groups = groupStudents(owners, options.parallel).map((group) => fresh.filter(({ student }) => group.includes(student)));
  const progress = new Progress(context, submitted.length, submitted.length - fresh.length);
  const regraded: Regraded[] = [];
  // This run's copies of the submissions, removed at the end: grading class after class must not fill the disk.
  const { folder: staging, remove: removeStaging } = runFolder(path.join(context.root, ".queuecraft", "staging"), "grade-");
  try {
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++]!;
        const results = await gradeGroup(context, group, { timeoutMs: options.timeoutMs, services, progress, staging, regraded });
        group.forEach((file, index) => {
          graded.set(keyOf(file), results[index]!);
          record.put(file.lesson.meta.id, file.sha256, results[index]!);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.parallel, groups.length) }, worker));
  } catch (error) {
    if (error instanceof ServiceUnavailable) throw new CannotGrade(error.message);
    throw error;
  } finally {
    progress.finish();
    removeStaging();
    // Worker processes that hidden tests started ran bundles of these submissions (lessons/_kit/spawn-ts.ts).
    pruneBundles(childBundleDir(context.root));
    await starting.then((running) => running.stop(), () => {});
  }
  return { graded: submitted.map((file) => graded.get(keyOf(file))!), reused, recorded, recordedTimeouts, regraded: regraded.sort((a, b) => a.submission.localeCompare(b.submission)) };
}
