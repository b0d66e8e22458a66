// Where the runner is installed, found from the running code itself: the
// CLI, the grading driver and the benchmark all need runner/bin.mjs and
// runner/dist/ beside the sources, whichever of them is running.

import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder this runner is installed in: the nearest one above this file
 * with runner/bin.mjs (this code runs from runner/, runner/dist/ or a chunk).
 */
export function installRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "runner", "bin.mjs"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find runner/bin.mjs above the runner's code");
    dir = parent;
  }
  return dir;
}
