// grade's intake: submit archives, student clones and the original layout,
// mixed in one folder, read into <student>/<id>/challenge.ts, with warnings
// for what a person should look at (runner/classroom/intake.ts).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { afterAll, describe, expect, test } from "vitest";
import { studentFromArchiveName, takeIn } from "../../runner/classroom/intake.ts";
import { packSubmission } from "../../runner/edition/submission.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "qc-intake-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const checkout = { course: "c".repeat(64), challenges: { add: "stub-add", pass: "stub-pass" } };
const ids = ["add", "pass"];

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A learner's workspace with `files` (id → source), packed into `archive`. */
async function archiveOf(archive: string, files: Record<string, string>, options: { course?: string; stubs?: Record<string, string>; created?: string; student?: string } = {}) {
  const workspace = mkdtempSync(path.join(tmp, "ws-"));
  for (const [id, source] of Object.entries(files)) write(path.join(workspace, id, "challenge.ts"), source);
  write(path.join(workspace, ".backups", "add", "old.ts"), "not packed");
  return packSubmission({
    workspaceDir: workspace,
    challengeIds: ids,
    edition: { course: options.course ?? checkout.course, challenges: options.stubs ?? checkout.challenges },
    archive,
    student: options.student,
    now: options.created ? new Date(options.created) : undefined,
  });
}

const tree = (dir: string) => readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts")).sort();

describe("grade's intake", () => {
  test("the original layout is graded in place", async () => {
    const dir = path.join(tmp, "classic");
    write(path.join(dir, "alice", "add", "challenge.ts"), "export const a = 1;");
    const intake = await takeIn(dir, ids, checkout, path.join(tmp, "scratch"));
    expect(intake.dir).toBe(dir);
    expect(intake.layouts).toEqual({ alice: "folder" });
    expect(intake.warnings).toEqual([]);
  });

  test("archives, clones and folders mixed, each student's challenge files in one layout", async () => {
    const dir = path.join(tmp, "mixed");
    const manifest = await archiveOf(path.join(dir, "smithjohn_12_34_queuecraft-submission-2026-01-01-120000.tar.gz"), { add: "export const add = 1;" });
    expect(manifest.lessons).toEqual(["add"]);
    expect(Object.keys(manifest.files).sort(), ".backups are not packed").toEqual(["workspace/add/challenge.ts"]);
    write(path.join(dir, "bob", "workspace", "pass", "challenge.ts"), "export const pass = 2;");
    write(path.join(dir, "carol", "add", "challenge.ts"), "export const add = 3;");
    await archiveOf(path.join(dir, "dave", "queuecraft-submission-2026.tar.gz"), { pass: "export const pass = 4;" });
    const intake = await takeIn(dir, ids, checkout, path.join(tmp, "scratch"));
    expect(intake.layouts).toEqual({ smithjohn_12_34: "archive", bob: "clone", carol: "folder", dave: "archive" });
    expect(tree(intake.dir)).toEqual(["bob/pass/challenge.ts", "carol/add/challenge.ts", "dave/pass/challenge.ts", "smithjohn_12_34/add/challenge.ts"]);
    expect(readFileSync(path.join(intake.dir, "smithjohn_12_34", "add", "challenge.ts"), "utf8")).toBe("export const add = 1;");
    expect(intake.warnings).toEqual([]);
    intake.remove();
  });

  test("warns about another edition, a changed file, a broken archive and a second archive of one student", async () => {
    const dir = path.join(tmp, "warnings");
    await archiveOf(path.join(dir, "erin_queuecraft-submission-1.tar.gz"), { add: "old" }, { stubs: { add: "another stub", pass: "stub-pass" }, course: "d".repeat(64), created: "2026-01-01T00:00:00Z" });
    await archiveOf(path.join(dir, "erin_queuecraft-submission-2.tar.gz"), { add: "new" }, { stubs: { add: "another stub", pass: "stub-pass" }, created: "2026-01-02T00:00:00Z" });
    write(path.join(dir, "frank_queuecraft-submission.tar.gz"), "not an archive");
    const intake = await takeIn(dir, ids, checkout, path.join(tmp, "scratch"));
    expect(readFileSync(path.join(intake.dir, "erin", "add", "challenge.ts"), "utf8"), "the newest archive").toBe("new");
    expect(tree(path.join(intake.dir, "frank")), "a student whose archive is unreadable is listed with nothing").toEqual([]);
    const text = intake.warnings.join("\n");
    expect(text).toMatch(/erin: made with an edition whose stub differs from this checkout's for add/);
    expect(text).toMatch(/erin: more than one archive; the newest \(2026-01-02T00:00:00.000Z\) is graded/);
    expect(text).toMatch(/frank \(frank_queuecraft-submission.tar.gz\): not a readable .tar.gz/);
    expect(text).toMatch(/1 submission\(s\) were made with an edition released before/);
    intake.remove();
  });

  test("a file changed after submit, or added to the archive, is named", async () => {
    const dir = path.join(tmp, "tampered");
    const packed = path.join(tmp, "tamper-src");
    write(path.join(packed, "workspace", "add", "challenge.ts"), "changed");
    write(path.join(packed, "workspace", "pass", "challenge.ts"), "added");
    const manifest = { kind: "queuecraft-submission", format: 1, created: "2026-01-01T00:00:00Z", edition: checkout, lessons: ["add"], files: { "workspace/add/challenge.ts": "0".repeat(64) } };
    write(path.join(packed, "queuecraft-submission.json"), JSON.stringify(manifest));
    mkdirSync(dir, { recursive: true });
    await tar.create({ gzip: true, file: path.join(dir, "gina.tar.gz"), cwd: packed }, ["queuecraft-submission.json", "workspace"]);
    const intake = await takeIn(dir, ids, checkout, path.join(tmp, "scratch"));
    expect(intake.warnings.join("\n")).toContain("gina (gina.tar.gz): workspace/add/challenge.ts differs from the manifest's hash: changed after npm run submit");
    expect(intake.warnings.join("\n")).toContain("workspace/pass/challenge.ts is not in the manifest: added after npm run submit");
    intake.remove();
  });

  test("an LMS's name for an archive names the student", () => {
    expect(studentFromArchiveName("smithjohn_12345_678_queuecraft-submission-Ada-2026-01-01-120000.tar.gz")).toBe("smithjohn_12345_678");
    expect(studentFromArchiveName("queuecraft-submission-2026.tar.gz")).toBe("");
    expect(studentFromArchiveName("ada.tgz")).toBe("ada");
  });
});
