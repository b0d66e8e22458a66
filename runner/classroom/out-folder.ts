// The folder `grade` writes the gradebook to, made ready before any grading:
// created, proven writable, and refused where a gradebook does harm. Inside
// the class folder it would be read as a student next time; inside the
// checkout's lessons/ or solutions/ it would become course content. A folder
// that holds other things than an earlier gradebook is refused too: grade
// replaces its results/ folder, which must be grade's own.

import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Whether `inner` is `outer` or inside it (both absolute, resolved). */
const within = (inner: string, outer: string) => {
  const relative = path.relative(outer, inner);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
};

/** The real path of `file`, which may not exist yet: its nearest existing ancestor resolved, the rest appended. */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  if (existsSync(absolute)) return realpathSync(absolute);
  const parent = path.dirname(absolute);
  return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
}

/** Why `out` cannot take the gradebook, with the fix; undefined once it is ready (created and writable). */
export function prepareOutFolder(out: string, places: { classDir: string; root: string }): string | undefined {
  const real = realPath(out);
  const classDir = realPath(places.classDir);
  if (within(real, classDir)) return `--out ${out} is inside the class folder ${places.classDir}: the gradebook would be read as a student next time; choose a folder beside it, like ${path.join(places.classDir, "..", "gradebook")}`;
  for (const part of ["lessons", "solutions"]) {
    if (within(real, realPath(path.join(places.root, part)))) return `--out ${out} is inside the course's ${part}/ folder: choose a folder outside the checkout's lessons/ and solutions/, like ${path.join(places.classDir, "..", "gradebook")}`;
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) return `--out ${out} is a file: name a folder`;
    const held = readdirSync(out);
    if (held.length > 0 && !held.includes("gradebook.json")) {
      return `--out ${out} holds other files (${held.slice(0, 3).join(", ")}${held.length > 3 ? ", …" : ""}) and no gradebook: grade writes report.html, gradebook.* and results/ there and replaces results/; choose an empty folder, or one an earlier grade wrote`;
    }
  }
  try {
    mkdirSync(out, { recursive: true });
    // Writable means a file can be made there (a read-only mount passes an access() check as root).
    const probe = path.join(out, `.queuecraft-write-test-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return `--out ${out} cannot be written (${code}): choose a folder you can write to`;
  }
  return undefined;
}
