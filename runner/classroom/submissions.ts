// A class's submissions as `grade` finds them: one folder per student, laid
// out like the learner's workspace (<student>/<lesson-id>/challenge.ts). Only
// challenge.ts is read. A file that is the lesson's stub, unchanged, is not
// an attempt: it is not graded (its grade is known: it fails) and counts as
// not submitted, shown apart as "not attempted".

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Lesson } from "../course/catalog.ts";
import { sha256 } from "../grading/graded-record.ts";
import type { Results } from "../grading/results.ts";
import type { ChallengeSubmissions } from "./copy-flags.ts";
import type { StudentResults } from "./outcome.ts";

export interface ClassSubmission {
  student: string;
  lesson: Lesson;
  /** The submitted challenge.ts. */
  file: string;
  source: Buffer;
  sha256: string;
}

export interface ClassFiles {
  students: string[];
  /** What is graded: every challenge.ts that is not the untouched stub. */
  submitted: ClassSubmission[];
  /** Student → challenges handed in as the stub, unchanged. */
  unchanged: Map<string, string[]>;
}

export const submissionFile = (dir: string, student: string, lesson: Lesson): string => path.join(dir, student, lesson.meta.id, "challenge.ts");

/**
 * The stub, unchanged: the same bytes, or the same once a UTF-8 byte order
 * mark is dropped and CRLF line ends read as LF (what an editor or git's
 * autocrlf does to a file nobody touched). Pure.
 */
export function isUnchangedStub(source: Buffer, stub: Buffer): boolean {
  if (source.equals(stub)) return true;
  const plain = (bytes: Buffer) => bytes.toString("utf8").replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  return plain(source) === plain(stub);
}

/** The student folders of `dir`, sorted (by UTF-16 code units: the same on every machine). */
export function studentsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith(".") && statSync(path.join(dir, name)).isDirectory())
    .sort();
}

/** Reads the class; `stubs` maps a challenge id to its stub's bytes. */
export function readClass(dir: string, lessons: Lesson[], stubs: Map<string, Buffer>): ClassFiles {
  const students = studentsIn(dir);
  const submitted: ClassSubmission[] = [];
  const unchanged = new Map<string, string[]>();
  for (const student of students) {
    for (const lesson of lessons) {
      const file = submissionFile(dir, student, lesson);
      if (!existsSync(file)) continue;
      const source = readFileSync(file);
      const stub = stubs.get(lesson.meta.id);
      if (stub && isUnchangedStub(source, stub)) unchanged.set(student, [...(unchanged.get(student) ?? []), lesson.meta.id]);
      else submitted.push({ student, lesson, file, source, sha256: sha256(source) });
    }
  }
  return { students, submitted, unchanged };
}

/** Each student's results, in the class's order; `graded` is aligned with `files.submitted`. */
export function classResults(files: ClassFiles, graded: Results[]): StudentResults[] {
  const byStudent = new Map<string, Record<string, Results>>(files.students.map((student) => [student, {}]));
  files.submitted.forEach((submission, index) => (byStudent.get(submission.student)![submission.lesson.meta.id] = graded[index]!));
  return files.students.map((student) => ({ student, challenges: byStudent.get(student)!, unchanged: files.unchanged.get(student) ?? [] }));
}

/** What copy flags compare: per challenge, the stub, the reference solution and the graded submissions. */
export function copyInput(files: ClassFiles, lessons: Lesson[], read: (lesson: Lesson) => { stub?: string; reference?: string }): ChallengeSubmissions[] {
  return lessons.map((lesson) => ({
    id: lesson.meta.id,
    ...read(lesson),
    submissions: files.submitted.filter((s) => s.lesson === lesson).map((s) => ({ student: s.student, source: s.source.toString("utf8") })),
  }));
}
