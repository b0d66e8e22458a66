// `npm run release -- --out <dir>`: the student edition (runner/edition/release.ts
// says what ships and how it is proved free of hidden tests and solutions).

import path from "node:path";
import { loadCatalog } from "../../course/catalog.ts";
import { release, ReleaseError } from "../../edition/release.ts";
import { EXIT, UsageError, type Command } from "../args.ts";

export const releaseCommand: Command = {
  summary:
    "Instructors: writes the student edition into --out: the lessons, the kit, the runner and the public tests, with a README for students and " +
    "queuecraft-edition.json (the course fingerprint `grade` compares submissions with). No solutions, hidden tests, mutants or caches: " +
    "every file written is grepped for the marker each of those carries. An earlier edition in --out is replaced (its node_modules kept).",
  usage: "npm run release -- --out <dir> [--json]",
  flags: { out: "string" },
  async run(context, args) {
    const out = args.flags.get("out");
    if (typeof out !== "string") throw new UsageError("name the folder to write the student edition to: --out <dir>");
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}`);
    let released;
    try {
      released = release(context.root, out, loadCatalog(context.root));
    } catch (error) {
      if (!(error instanceof ReleaseError)) throw error;
      context.err(context.style.red(error.message));
      return EXIT.failed;
    }
    if (context.json) {
      context.out(JSON.stringify({ ok: true, out: released.out, files: released.files, bytes: released.bytes, edition: released.info }));
      return EXIT.ok;
    }
    const relative = path.relative(process.cwd(), released.out);
    const where = relative === "" ? "." : relative.startsWith("..") ? released.out : relative;
    context.out(`Wrote the student edition to ${where}: ${released.files} files, ${Math.round(released.bytes / 1024)} KB, no hidden-test or solution content (grepped).`);
    context.out(context.style.dim(`Course fingerprint ${released.info.course.slice(0, 16)}…, ${Object.keys(released.info.challenges).length} challenges${released.info.commit ? `, commit ${released.info.commit.slice(0, 12)}` : ""}.`));
    context.out(`\nTry it: cd ${where} && npm ci && npm run lesson\nHand it out as a repository (GitHub Classroom template) or an archive; collect with npm run submit or the students' repositories, then npm run grade <folder> here.`);
    return EXIT.ok;
  },
};
