// Every hidden-test and solution file starts with the marker line that
// `release` greps for (runner/edition/marker.ts): a new file without it is
// caught here, before a release refuses to run.
import { expect, test } from "vitest";
import { loadCatalog } from "../../runner/course/catalog.ts";
import { hiddenOrSolutionFiles, isMarked, MARKER_LINE, markerLineFor, unmarkedFiles, withoutMarker } from "../../runner/edition/marker.ts";
import { repo } from "../cli/run-cli.ts";

test("every solution, alternative, wrong answer, mutants.yaml and hidden test of the course starts with the marker", () => {
  const lessons = loadCatalog(repo).lessons.filter((lesson) => lesson.folder);
  expect(lessons.length).toBeGreaterThan(20);
  const files = lessons.flatMap((lesson) => hiddenOrSolutionFiles(repo, lesson.folder!));
  expect(files.length, "a guard against a scan that sees nothing").toBeGreaterThan(100);
  const unmarked = lessons.flatMap((lesson) => unmarkedFiles(repo, lesson.folder!));
  expect(unmarked, `make line 1 of each: ${MARKER_LINE} (in YAML: # …)`).toEqual([]);
});

test("the marker is a comment for its file type, found on line 1 only, and stripped before a wrong answer's first comment is read", () => {
  expect(markerLineFor("a/mutants.yaml").startsWith("# ")).toBe(true);
  expect(markerLineFor("a/challenge.ts").startsWith("// ")).toBe(true);
  expect(isMarked(`${MARKER_LINE}\nexport const x = 1;\n`)).toBe(true);
  expect(isMarked(`// something else\n${MARKER_LINE}\n`)).toBe(false);
  expect(withoutMarker(`${MARKER_LINE}\n// claims one job too many\ncode\n`)).toBe("// claims one job too many\ncode\n");
  expect(withoutMarker("// claims one job too many\n")).toBe("// claims one job too many\n");
});
