// The one indirection between a hidden test and the code it grades. The same
// test file runs against the learner's challenge, the reference solution and
// every mutant: the runner names the file in QUEUECRAFT_CANDIDATES, a JSON map
// from the lesson's folder (relative to lessons/) to an absolute path. A child
// process a hidden test starts inherits the variable, so it grades the same
// candidate. Run by hand with no map, a hidden test grades the reference solution.

import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HIDDEN = `${path.sep}test${path.sep}hidden${path.sep}`;

/** The course root and lesson folder of a hidden test at <root>/test/hidden/<phase>/<lesson>/*.test.ts. */
function locate(testFileUrl: string): { root: string; folder: string } {
  const file = fileURLToPath(testFileUrl);
  const at = file.lastIndexOf(HIDDEN);
  if (at === -1) throw new Error(`${file} is not under test/hidden/`);
  const folder = path.dirname(file.slice(at + HIDDEN.length)).split(path.sep).join("/");
  return { root: file.slice(0, at), folder };
}

/** "1-foundations/01-request-cycle" for test/hidden/1-foundations/01-request-cycle/*.test.ts */
export function lessonFolderOf(testFileUrl: string): string {
  return locate(testFileUrl).folder;
}

/** Absolute path of the file under test for the hidden test at `testFileUrl`. */
export function candidatePath(testFileUrl: string): string {
  const { root, folder } = locate(testFileUrl);
  const map = JSON.parse(process.env.QUEUECRAFT_CANDIDATES ?? "{}") as Record<string, string>;
  if (map[folder] === undefined) {
    // Named in the map from now on, so a child process the test starts grades the same file.
    map[folder] = path.join(root, "solutions", folder, "challenge.ts");
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
