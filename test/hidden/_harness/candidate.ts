// The one indirection between a test and the code it grades. The same test
// file runs against the learner's challenge, the reference solution and every
// mutant: the runner names the file in QUEUECRAFT_CANDIDATES, a JSON map from
// the lesson's folder (relative to lessons/) to an absolute path. A child
// process a test starts inherits the variable, so it grades the same
// candidate. Both suites use it: the hidden tests (test/hidden/<phase>/<lesson>/)
// and the public worked examples (test/public/<phase>/<lesson>/), which a
// student edition ships with this harness as test/harness/candidate.ts.
// Run by hand with no map, a test grades the reference solution; where there
// is none (a student edition), the learner's workspace copy.

import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SUITES = ["hidden", "public"].map((suite) => `${path.sep}test${path.sep}${suite}${path.sep}`);

/** The course root and lesson folder of a test at <root>/test/{hidden,public}/<phase>/<lesson>/*.test.ts. */
function locate(testFileUrl: string): { root: string; folder: string } {
  const file = fileURLToPath(testFileUrl);
  const [at, suite] = SUITES.map((suite) => [file.lastIndexOf(suite), suite] as const).sort((a, b) => b[0] - a[0])[0]!;
  if (at === -1) throw new Error(`${file} is not under test/hidden/ or test/public/`);
  const folder = path.dirname(file.slice(at + suite.length)).split(path.sep).join("/");
  return { root: file.slice(0, at), folder };
}

/** The file a test grades when no candidate is named: the reference solution, or in a student edition the workspace copy. */
function defaultCandidate(root: string, folder: string): string {
  const solution = path.join(root, "solutions", folder, "challenge.ts");
  if (existsSync(solution)) return solution;
  const workspace = process.env.QUEUECRAFT_WORKSPACE ? path.resolve(process.env.QUEUECRAFT_WORKSPACE) : path.join(root, "workspace");
  return path.join(workspace, path.basename(folder).replace(/^\d+-/, ""), "challenge.ts");
}

/** "1-foundations/01-request-cycle" for test/{hidden,public}/1-foundations/01-request-cycle/*.test.ts */
export function lessonFolderOf(testFileUrl: string): string {
  return locate(testFileUrl).folder;
}

/** Absolute path of the file under test for the test at `testFileUrl`. */
export function candidatePath(testFileUrl: string): string {
  const { root, folder } = locate(testFileUrl);
  const map = JSON.parse(process.env.QUEUECRAFT_CANDIDATES ?? "{}") as Record<string, string>;
  if (map[folder] === undefined) {
    // Named in the map from now on, so a child process the test starts grades the same file.
    map[folder] = defaultCandidate(root, folder);
    process.env.QUEUECRAFT_CANDIDATES = JSON.stringify(map);
  }
  return map[folder];
}

/**
 * Imports the candidate. Pass the stub's module type so the test is checked
 * against the signatures the learner was given:
 *   const { handle } = await loadCandidate<typeof import("<stub>")>(import.meta.url);
 */
export async function loadCandidate<Module>(testFileUrl: string): Promise<Module> {
  return (await import(pathToFileURL(candidatePath(testFileUrl)).href)) as Module;
}
