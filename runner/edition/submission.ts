// A submission archive (`npm run submit`): the learner's workspace/ and a
// manifest, as one .tar.gz to upload to an LMS (Moodle, Canvas, …).
//
//   queuecraft-submission.json     the manifest (below)
//   workspace/<id>/challenge.ts    each challenge the learner has a copy of (and any file beside it)
//   workspace/progress.json        what their checks said
//
// Extracted into <student>/, an archive is a GitHub Classroom clone's layout
// (<student>/workspace/<id>/challenge.ts), so `grade` reads both alike.
//
// Why tar.gz, with the `tar` package: every grading machine (and Windows 10+)
// lists and unpacks it with the system's own `tar -xzf`, without the runner,
// so an instructor can look inside any upload; gzip packs a workspace of text
// to a few KB; and `tar` is npm's own archiver (no native code, maintained
// with npm), whose extraction refuses absolute paths, `..` and links out of
// the target folder by default, which matters for files students upload.
// Extraction here also takes regular files only, under workspace/ or the
// manifest, with a size cap, and checks every file against the manifest's hash.

import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";

export const MANIFEST_FILE = "queuecraft-submission.json";
/** An upload bigger than this is not a workspace of challenges. */
export const MAX_ARCHIVE_BYTES = 20 * 1024 * 1024;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface Manifest {
  kind: "queuecraft-submission";
  format: 1;
  /** When it was packed (ISO 8601, the learner's clock). */
  created: string;
  /** What the learner typed with --name, if anything (the LMS's own name for the upload is what grade trusts). */
  student?: string;
  /** The edition the work was made with: its course fingerprint and stub hashes (fingerprint.ts). */
  edition: { course: string; challenges: Record<string, string>; released?: string; commit?: string };
  /** Challenge ids with a challenge.ts in the archive. */
  lessons: string[];
  /** Path in the archive → sha256 of its bytes, for every file but the manifest. */
  files: Record<string, string>;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function filesUnder(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(file, base);
    return entry.isFile() ? [path.relative(base, file).split(path.sep).join("/")] : [];
  });
}

/** What `pack` puts in: each challenge's folder of the workspace, and progress.json; never .backups/. */
export function workspaceFiles(workspaceDir: string, challengeIds: string[]): string[] {
  const files = challengeIds.flatMap((id) => filesUnder(path.join(workspaceDir, id)).map((name) => `${id}/${name}`));
  if (existsSync(path.join(workspaceDir, "progress.json"))) files.push("progress.json");
  return files.sort();
}

/** Packs the workspace into `archive` (a .tar.gz); returns the manifest written into it. */
export async function packSubmission(options: { workspaceDir: string; challengeIds: string[]; edition: Manifest["edition"]; archive: string; student?: string; now?: Date }): Promise<Manifest> {
  const names = workspaceFiles(options.workspaceDir, options.challengeIds);
  const staging = mkdtempSync(path.join(os.tmpdir(), "queuecraft-submit-"));
  try {
    const files: Record<string, string> = {};
    for (const name of names) {
      const bytes = readFileSync(path.join(options.workspaceDir, name));
      files[`workspace/${name}`] = sha256(bytes);
      mkdirSync(path.dirname(path.join(staging, "workspace", name)), { recursive: true });
      writeFileSync(path.join(staging, "workspace", name), bytes);
    }
    const manifest: Manifest = {
      kind: "queuecraft-submission",
      format: 1,
      created: (options.now ?? new Date()).toISOString(),
      ...(options.student ? { student: options.student } : {}),
      edition: options.edition,
      lessons: options.challengeIds.filter((id) => names.includes(`${id}/challenge.ts`)),
      files,
    };
    writeFileSync(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    mkdirSync(path.dirname(path.resolve(options.archive)), { recursive: true });
    // portable: no user or group names, so the archive says nothing about the learner's machine.
    await tar.create({ gzip: true, file: options.archive, cwd: staging, portable: true }, [MANIFEST_FILE, ...(names.length ? ["workspace"] : [])]);
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export interface Unpacked {
  manifest?: Manifest;
  /** What is wrong with the archive: no manifest, a file that does not match its hash, a file that was left out. */
  problems: string[];
}

/** A manifest as read from an upload: the fields grade relies on, checked. */
function readManifest(text: string): Manifest | undefined {
  try {
    const value = JSON.parse(text) as Partial<Manifest>;
    if (value.kind !== "queuecraft-submission" || typeof value.files !== "object" || !value.files || !Array.isArray(value.lessons)) return undefined;
    if (typeof value.edition !== "object" || !value.edition || typeof value.edition.course !== "string") return undefined;
    return value as Manifest;
  } catch {
    return undefined;
  }
}

/** Unpacks an uploaded archive into `into` (<into>/workspace/…), taking regular files under workspace/ and the manifest only. */
export async function unpackSubmission(archive: string, into: string): Promise<Unpacked> {
  const problems: string[] = [];
  if (statSync(archive).size > MAX_ARCHIVE_BYTES) return { problems: [`larger than ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB: not a submission`] };
  mkdirSync(into, { recursive: true });
  const skipped: string[] = [];
  try {
    await tar.extract({
      file: archive,
      cwd: into,
      strict: true,
      filter: (name, entry) => {
        const stat = entry as { type?: string; size?: number };
        const clean = name.replace(/^\.\//, "");
        const wanted = clean === MANIFEST_FILE || (clean.startsWith("workspace/") && !clean.split("/").includes(".."));
        if (stat.type === "Directory") return wanted || clean === "workspace" || clean === "workspace/";
        const ok = wanted && stat.type === "File" && (stat.size ?? 0) <= MAX_FILE_BYTES;
        if (!ok) skipped.push(clean);
        return ok;
      },
    });
  } catch (error) {
    return { problems: [`not a readable .tar.gz: ${(error as Error).message}`] };
  }
  if (skipped.length) problems.push(`left out ${skipped.length} entr${skipped.length === 1 ? "y" : "ies"} that a submission does not have (${skipped.slice(0, 3).join(", ")})`);
  const manifestFile = path.join(into, MANIFEST_FILE);
  const manifest = existsSync(manifestFile) ? readManifest(readFileSync(manifestFile, "utf8")) : undefined;
  if (!manifest) return { problems: [...problems, `no valid ${MANIFEST_FILE}: not made by npm run submit`] };
  const present = filesUnder(path.join(into, "workspace")).map((name) => `workspace/${name}`);
  for (const [name, hash] of Object.entries(manifest.files)) {
    if (!present.includes(name)) problems.push(`${name} is in the manifest but not in the archive`);
    else if (sha256(readFileSync(path.join(into, name))) !== hash) problems.push(`${name} differs from the manifest's hash: changed after npm run submit`);
  }
  for (const name of present) if (!(name in manifest.files)) problems.push(`${name} is not in the manifest: added after npm run submit`);
  return { manifest, problems };
}

/** Copies a workspace-layout folder's challenges into the classic layout: <to>/<id>/challenge.ts. */
export function copyChallenges(workspaceDir: string, challengeIds: string[], to: string): string[] {
  const found: string[] = [];
  for (const id of challengeIds) {
    const file = path.join(workspaceDir, id, "challenge.ts");
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    mkdirSync(path.join(to, id), { recursive: true });
    cpSync(file, path.join(to, id, "challenge.ts"));
    found.push(id);
  }
  return found;
}
