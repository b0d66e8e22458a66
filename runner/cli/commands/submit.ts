// `npm run submit`: packs workspace/ into one .tar.gz with a manifest, to
// upload to an LMS (runner/edition/submission.ts has the format and why).

import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { challengeFiles, loadCatalog } from "../../course/catalog.ts";
import { studentEdition } from "../../edition/edition.ts";
import { checkoutOf } from "../../edition/fingerprint.ts";
import { packSubmission } from "../../edition/submission.ts";
import { workspaceAt } from "../../learner/workspace.ts";
import { EXIT, UsageError, type Command } from "../args.ts";
import { printProblems } from "../course.ts";

const slug = (text: string) => text.normalize("NFKD").replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);

export const submitCommand: Command = {
  summary:
    "Packs your workspace/ (each challenge's folder and progress.json, not .backups/) into queuecraft-submission-<time>.tar.gz with a manifest: " +
    "the course's fingerprint, the lessons, a hash of every file and the time. Upload that one file. --name puts your name in the manifest and the file's name; --out names the file or its folder.",
  usage: "npm run submit [-- --name <your name>] [--out <file.tar.gz | folder>] [--json]",
  flags: { name: "string", out: "string" },
  async run(context, args) {
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}: submit packs every challenge`);
    const catalog = loadCatalog(context.root);
    if (catalog.problems.length > 0) {
      printProblems(context, catalog.problems);
      return EXIT.failed;
    }
    const lessons = catalog.lessons.filter((lesson) => challengeFiles(context.root, lesson));
    const workspace = workspaceAt(context.root);
    const started = lessons.filter((lesson) => existsSync(path.join(workspace.dir, lesson.meta.id, "challenge.ts")));
    if (started.length === 0) {
      context.err(`Nothing to submit: ${path.relative(process.cwd(), workspace.dir) || "workspace"}/ has no challenge yet. Start one with npm run lesson ${lessons[0]?.meta.id ?? "<id>"}.`);
      return EXIT.failed;
    }
    const name = args.flags.get("name");
    const student = typeof name === "string" && name.trim() ? name.trim() : undefined;
    const now = new Date();
    const fileName = `queuecraft-submission-${student ? `${slug(student)}-` : ""}${now.toISOString().replace(/[:]/g, "").replace(/\..*$/, "").replace("T", "-")}.tar.gz`;
    const outFlag = args.flags.get("out");
    const archive = typeof outFlag !== "string" ? path.resolve(fileName) : /\.(tar\.gz|tgz)$/.test(outFlag) ? path.resolve(outFlag) : path.resolve(outFlag, fileName);
    const edition = studentEdition(context.root);
    const manifest = await packSubmission({
      workspaceDir: workspace.dir,
      challengeIds: lessons.map((lesson) => lesson.meta.id),
      edition: edition ? { course: edition.course, challenges: edition.challenges, released: edition.released, ...(edition.commit ? { commit: edition.commit } : {}) } : checkoutOf(context.root, catalog.lessons),
      archive,
      student,
      now,
    });
    const untouched = started.filter((lesson) => readFileSync(path.join(workspace.dir, lesson.meta.id, "challenge.ts")).equals(readFileSync(challengeFiles(context.root, lesson)!.stub))).map((lesson) => lesson.meta.id);
    if (context.json) {
      context.out(JSON.stringify({ ok: true, archive, bytes: statSync(archive).size, untouched, manifest }));
      return EXIT.ok;
    }
    context.out(`Wrote ${path.relative(process.cwd(), archive)} (${Math.max(1, Math.round(statSync(archive).size / 1024))} KB): ${manifest.lessons.length} of ${lessons.length} challenges, ${Object.keys(manifest.files).length} files.`);
    if (untouched.length) context.out(context.style.yellow(`Still the stub, unchanged (graded as not attempted): ${untouched.join(", ")}.`));
    context.out("Upload that one file. Submitting again writes a new file: upload the newest.");
    return EXIT.ok;
  },
};
