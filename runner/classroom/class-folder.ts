// What `grade` refuses before it grades anything, because the folder it was
// given is not a class: grading it anyway would write a gradebook of wrong
// "not submitted" cells that nobody notices. Each refusal names the folder
// and the fix:
//
//   one student's work     its sub-folders are lesson ids, or it has workspace/ (a clone)
//   an empty folder        nothing in it, or nothing grade reads (no student folder, no archive)
//   a misnamed challenge   <student>/<name>/challenge.ts where <name> is no lesson id (the nearest ids suggested)
//   a student with nothing gradable
//                          a student folder holding files, but no <id>/challenge.ts, workspace/ or archive
//
// A student folder with nothing in it at all is a student who handed in
// nothing (an LMS makes one for everyone): listed, not refused. Archives are
// checked when they are unpacked (intake.ts), where a problem is one
// student's, and only warned about.
//
// classShape() reads the folder; notAClass() decides, without I/O.

import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { nearest } from "../course/nearest.ts";

export const ARCHIVE = /\.(tar\.gz|tgz)$/i;

export interface StudentShape {
  name: string;
  /** Names in the student's folder, dot-files left out. */
  entries: string[];
  /** A student clone: the folder has workspace/. */
  clone: boolean;
  /** Sub-folders (of the folder, or of workspace/ in a clone) that hold a challenge.ts. */
  challengeFolders: string[];
  archives: string[];
  /** A sub-folder that itself looks like the student's folder (one level too deep), if any. */
  nested?: string;
}

export interface ClassShape {
  /** Names in the class folder, dot-files left out. */
  entries: string[];
  /** The class folder has workspace/ itself. */
  clone: boolean;
  /** Sub-folders of the class folder named as lessons. */
  lessonFolders: string[];
  /** Loose archives in the class folder. */
  archives: string[];
  students: StudentShape[];
}

const visible = (dir: string) => readdirSync(dir).filter((name) => !name.startsWith(".")).sort();
const isDir = (file: string) => {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false; // a dangling link
  }
};
const holdsChallenge = (dir: string) => existsSync(path.join(dir, "challenge.ts"));

/** Sub-folders of `dir` holding a challenge.ts. */
const challengeFoldersIn = (dir: string) => visible(dir).filter((name) => isDir(path.join(dir, name)) && holdsChallenge(path.join(dir, name)));

function studentShape(dir: string, name: string, lessonIds: string[]): StudentShape {
  const folder = path.join(dir, name);
  const entries = visible(folder);
  const clone = isDir(path.join(folder, "workspace"));
  const challengeFolders = challengeFoldersIn(clone ? path.join(folder, "workspace") : folder);
  const archives = entries.filter((entry) => ARCHIVE.test(entry) && !isDir(path.join(folder, entry)));
  const looksLikeStudent = (sub: string) => isDir(path.join(sub, "workspace")) || challengeFoldersIn(sub).some((id) => lessonIds.includes(id));
  const nested = entries.find((entry) => isDir(path.join(folder, entry)) && looksLikeStudent(path.join(folder, entry)));
  return { name, entries, clone, challengeFolders, archives, ...(nested ? { nested } : {}) };
}

/** What `notAClass` needs to know of the folder `dir`. */
export function classShape(dir: string, lessonIds: string[]): ClassShape {
  const entries = visible(dir);
  const folders = entries.filter((name) => isDir(path.join(dir, name)));
  return {
    entries,
    clone: folders.includes("workspace"),
    lessonFolders: folders.filter((name) => lessonIds.includes(name)),
    archives: entries.filter((name) => ARCHIVE.test(name) && !folders.includes(name)),
    students: folders.map((name) => studentShape(dir, name, lessonIds)),
  };
}

const listed = (names: string[], max = 4) => `${names.slice(0, max).join(", ")}${names.length > max ? `, … (${names.length} in all)` : ""}`;
const LAYOUTS = "one folder per student (<student>/<lesson-id>/challenge.ts), student clones (<student>/workspace/<lesson-id>/challenge.ts) or `npm run submit` archives";

/**
 * Why `dir` (as the user named it) is not a class, one problem a line; none
 * when it is one. `lessonIds` are every lesson's id.
 */
export function notAClass(shape: ClassShape, dir: string, lessonIds: string[]): string[] {
  const at = (...parts: string[]) => path.join(dir, ...parts);
  if (shape.clone) {
    return [`${dir} looks like one student's clone (it has workspace/ directly): grade the folder that holds every student's clone, e.g. put it in class/<student>/ and run \`npm run grade class/\``];
  }
  // A student may be called like a lesson; a student's own workspace is all lessons.
  const lessons = shape.lessonFolders;
  if (lessons.length > 0 && lessons.length >= shape.students.length / 2) {
    return [`${dir} looks like one student's work (its folders ${listed(lessons)} are lesson ids): grade the folder that holds one folder per student, e.g. put it in class/<student>/ and run \`npm run grade class/\``];
  }
  if (shape.entries.length === 0) return [`${dir} is empty: it should hold ${LAYOUTS}`];
  if (shape.students.length === 0 && shape.archives.length === 0) {
    const zips = shape.entries.filter((name) => /\.zip$/i.test(name));
    const hint = zips.length ? `; ${zips[0]} is a zip: unzip the LMS's download first, or hand in with \`npm run submit\`` : "";
    return [`${dir} holds no student folder and no submit archive (found ${listed(shape.entries)}): it should hold ${LAYOUTS}${hint}`];
  }
  const problems: string[] = [];
  for (const student of shape.students) {
    for (const name of student.challengeFolders.filter((folder) => !lessonIds.includes(folder))) {
      const near = nearest(name, lessonIds);
      const suggestion = near.length ? `did you mean ${near.map((id) => `"${id}"`).join(" or ")}? Rename the folder` : "no lesson of this course is named like it (a submission for another course?): rename or remove the folder";
      problems.push(`${at(student.name, ...(student.clone ? ["workspace"] : []), name, "challenge.ts")}: "${name}" is not a lesson id; ${suggestion}`);
    }
    const gradable = student.clone || student.archives.length > 0 || student.challengeFolders.some((name) => lessonIds.includes(name));
    if (gradable || student.entries.length === 0 || student.challengeFolders.length > 0) continue;
    const fix = student.nested
      ? `${at(student.name, student.nested)} looks like the student's folder: move what it holds up one level`
      : student.entries.includes("challenge.ts")
        ? `move challenge.ts into a folder named after its lesson: ${at(student.name, "<lesson-id>", "challenge.ts")}`
        : "a student's folder holds <lesson-id>/challenge.ts folders, a workspace/ (a clone) or a submit archive: move the files there, or remove the folder";
    problems.push(`${at(student.name)} holds nothing to grade (found ${listed(student.entries)}): ${fix}`);
  }
  return problems;
}

/** The refusal for a class in which not one challenge.ts was found (of the assigned challenges, if any). */
export function noSubmissions(dir: string, students: number, assigned?: string[]): string {
  const which = assigned ? ` of the assigned challenge${assigned.length > 1 ? "s" : ""} (${listed(assigned)})` : "";
  return `no submissions${which} in ${dir}: none of its ${students} student${students === 1 ? "" : "s"} handed in a <lesson-id>/challenge.ts${assigned ? "; check --challenges or the assignment file" : ""}; it should hold ${LAYOUTS}`;
}
