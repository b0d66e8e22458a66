// What `grade` accepts, turned into the one layout it grades
// (<student>/<lesson-id>/challenge.ts, submissions.ts). A folder of:
//
//   <student>/<id>/challenge.ts             a workspace copied out per student (the original layout)
//   <student>/workspace/<id>/challenge.ts   student clones of the edition's repository (GitHub Classroom)
//   <name>.tar.gz                           archives from `npm run submit`, as an LMS hands them back
//   <student>/<name>.tar.gz                 the same, one folder per student (Moodle's "download all")
//
// Layouts may be mixed, one per entry. A folder that is all of the first kind
// is graded where it is, as before; otherwise the challenge files are copied
// into a folder of this run (removed afterwards, or by the next run after a
// kill). Only challenge.ts files are taken from any of them.
//
// A student's name is the folder's name, or for a loose archive the LMS's name
// for it: what comes before "queuecraft-submission" in the file name (Canvas
// prefixes "<name>_<id>_<id>_"), else the name the student typed (--name),
// else the file name. Two archives of one student: the newest (by the
// manifest's time) is graded, and a warning says so.
//
// Warnings, never refusals: an archive that cannot be read, a file changed
// after `submit` (its hash), and a submission made with another edition of the
// course (edition/fingerprint.ts says which differences matter).

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { EDITION_FILE, type EditionInfo } from "../edition/edition.ts";
import { compareEdition, type Checkout } from "../edition/fingerprint.ts";
import { copyChallenges, unpackSubmission, type Manifest } from "../edition/submission.ts";
import { runFolder } from "../process/scratch.ts";
import { ARCHIVE } from "./class-folder.ts";

export type Layout = "folder" | "clone" | "archive";

export interface Intake {
  /** The class in the graded layout: the given folder when nothing needed copying. */
  dir: string;
  /** How each student's work was found. */
  layouts: Record<string, Layout>;
  warnings: string[];
  /** Removes what the intake wrote (nothing for a folder graded in place). */
  remove(): void;
}

const isDir = (file: string) => statSync(file).isDirectory();

/** A student's name from an archive's file name (see the top of the file); "" when the name says nothing. */
export function studentFromArchiveName(file: string): string {
  const stem = path.basename(file).replace(ARCHIVE, "");
  const at = stem.toLowerCase().indexOf("queuecraft-submission");
  if (at === -1) return stem;
  return stem.slice(0, at).replace(/[\s_-]+$/, "");
}

/** A name usable as a folder: no separators, no leading dots. */
const safeName = (name: string) => name.replace(/[/\\\0]/g, "_").replace(/^\.+/, "_").slice(0, 120) || "_";

interface Entry {
  student: string;
  layout: Layout;
  /** The folder holding <id>/challenge.ts (folder, clone), or the archive. */
  source: string;
}

function classify(dir: string, name: string, ids: string[]): Entry | undefined {
  const full = path.join(dir, name);
  if (!isDir(full)) return ARCHIVE.test(name) ? { student: studentFromArchiveName(name), layout: "archive", source: full } : undefined;
  if (existsSync(path.join(full, "workspace")) && isDir(path.join(full, "workspace"))) return { student: name, layout: "clone", source: path.join(full, "workspace") };
  if (ids.some((id) => existsSync(path.join(full, id, "challenge.ts")))) return { student: name, layout: "folder", source: full };
  const archives = readdirSync(full).filter((inner) => ARCHIVE.test(inner) && !isDir(path.join(full, inner)));
  if (archives.length > 0) return { student: name, layout: "archive", source: path.join(full, archives.sort().at(-1)!) };
  return { student: name, layout: "folder", source: full };
}

/** The edition a clone was made from, if it says. */
function cloneEdition(clone: string): EditionInfo | undefined {
  try {
    return JSON.parse(readFileSync(path.join(clone, "..", EDITION_FILE), "utf8")) as EditionInfo;
  } catch {
    return undefined;
  }
}

/** Reads the class in `dir`; `ids` are the challenge ids graded (all, or those assigned), `checkout` what submissions are compared with. */
export async function takeIn(dir: string, ids: string[], checkout: Checkout, scratchParent: string): Promise<Intake> {
  const entries = readdirSync(dir)
    .filter((name) => !name.startsWith("."))
    .sort()
    .flatMap((name) => classify(dir, name, ids) ?? []);
  const layouts: Record<string, Layout> = {};
  if (entries.every((entry) => entry.layout === "folder")) {
    for (const entry of entries) layouts[entry.student] = "folder";
    return { dir, layouts, warnings: [], remove: () => {} };
  }
  mkdirSync(scratchParent, { recursive: true });
  const { folder, remove } = runFolder(scratchParent, "intake-");
  const classDir = path.join(folder, "class");
  const warnings: string[] = [];
  const fromOtherEditions: string[] = [];
  const compare = (student: string, edition: Pick<EditionInfo, "course" | "challenges">, submitted: string[]) => {
    const difference = compareEdition(edition, checkout, submitted);
    if (difference.changedStubs.length) warnings.push(`${student}: made with an edition whose stub differs from this checkout's for ${difference.changedStubs.join(", ")} (the contract changed since that edition): check those grades by hand`);
    if (difference.courseChanged) fromOtherEditions.push(student);
  };
  const newest = new Map<string, { created: string; unpacked: string }>();
  let unpacks = 0;
  for (const entry of entries) {
    const student = safeName(entry.student);
    if (entry.layout !== "archive") {
      if (layouts[student]) warnings.push(`${student}: found twice; the second (${path.basename(entry.source)}) is left out`);
      else {
        layouts[student] = entry.layout;
        const found = copyChallenges(entry.source, ids, path.join(classDir, student));
        mkdirSync(path.join(classDir, student), { recursive: true });
        const edition = entry.layout === "clone" ? cloneEdition(entry.source) : undefined;
        if (edition) compare(student, edition, found);
      }
      continue;
    }
    const unpacked = path.join(folder, "unpacked", String(++unpacks));
    const { manifest, problems } = await unpackSubmission(entry.source, unpacked);
    const name = safeName(entry.student || (manifest?.student ?? "") || path.basename(entry.source).replace(ARCHIVE, ""));
    for (const problem of problems) warnings.push(`${name} (${path.basename(entry.source)}): ${problem}`);
    // An archive that cannot be read still names a student: listed, with nothing submitted.
    mkdirSync(path.join(classDir, name), { recursive: true });
    if (!manifest) {
      layouts[name] ??= "archive";
      continue;
    }
    if (layouts[name] && layouts[name] !== "archive") {
      warnings.push(`${name}: found twice; ${path.basename(entry.source)} is left out`);
      continue;
    }
    const earlier = newest.get(name);
    if (earlier) warnings.push(`${name}: more than one archive; the newest (${earlier.created > manifest.created ? earlier.created : manifest.created}) is graded`);
    if (!earlier || manifest.created > earlier.created) newest.set(name, { created: manifest.created, unpacked });
    layouts[name] = "archive";
    compare(name, (manifest as Manifest).edition, manifest.lessons.filter((id) => ids.includes(id)));
  }
  for (const [student, { unpacked }] of newest) {
    copyChallenges(path.join(unpacked, "workspace"), ids, path.join(classDir, student));
    mkdirSync(path.join(classDir, student), { recursive: true });
  }
  mkdirSync(classDir, { recursive: true });
  if (fromOtherEditions.length) {
    warnings.push(
      `${fromOtherEditions.length} submission(s) were made with an edition released before this checkout's hidden tests, harness, kit or lock file changed (${fromOtherEditions.slice(0, 5).join(", ")}${fromOtherEditions.length > 5 ? ", …" : ""}): ` +
        "fine if you fixed tests since; the grades are this checkout's.",
    );
  }
  return { dir: classDir, layouts, warnings, remove };
}
