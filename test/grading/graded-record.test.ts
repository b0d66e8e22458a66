import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import type { Lesson } from "../../runner/course/catalog.ts";
import { gradedRecord } from "../../runner/grading/graded-record.ts";
import type { Results } from "../../runner/grading/results.ts";

const results = (status: Results["status"]) => ({ version: 3, status, tests: [] }) as unknown as Results;

/** A course root with the hidden tests of two challenges, and their lessons as the catalog gives them. */
function course(): { root: string; lessons: Lesson[]; hiddenTest: (id: string) => string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "qc-record-"));
  const hiddenTest = (id: string) => path.join(root, "test", "hidden", "1-basics", id, "challenge.test.ts");
  const lessons = ["add", "pass"].map((id) => {
    mkdirSync(path.dirname(hiddenTest(id)), { recursive: true });
    writeFileSync(hiddenTest(id), `// the hidden tests of ${id}\n`);
    return { meta: { id }, folder: `1-basics/${id}` } as unknown as Lesson;
  });
  return { root, lessons, hiddenTest };
}

test("keeps passes, fails and timeouts by challenge and submission; other errors are never kept", () => {
  const { root, lessons } = course();
  const record = gradedRecord(root, lessons, 5000, root);
  record.put("add", "aa", results("pass"));
  record.put("add", "bb", { ...results("error"), errorKind: "crash" });
  record.put("add", "cc", { ...results("error"), errorKind: "timeout", message: "Timed out after 5 s" });
  expect(record.get("add", "aa")?.status).toBe("pass");
  expect(record.get("pass", "aa"), "another challenge").toBeUndefined();
  expect(record.get("add", "bb"), "a crash may be the machine's: graded again").toBeUndefined();
  expect(record.get("add", "cc"), "a loop costs its time limit once").toMatchObject({ status: "error", errorKind: "timeout" });
  expect(gradedRecord(root, lessons, 6000, root).get("add", "cc"), "another time limit may not time out").toBeUndefined();
  expect(gradedRecord(root, lessons, 6000, root).get("add", "aa"), "another time limit").toBeUndefined();
  expect(gradedRecord(root, lessons, 5000, root).get("add", "aa")?.status, "the same grading, another run").toBe("pass");
});

test("a changed hidden test grades its own challenge again, and no other", () => {
  const { root, lessons, hiddenTest } = course();
  const first = gradedRecord(root, lessons, 5000, root);
  first.put("add", "aa", results("pass"));
  first.put("pass", "aa", results("fail"));
  writeFileSync(hiddenTest("add"), "// a hidden test fixed by the instructor\n");
  const after = gradedRecord(root, lessons, 5000, root);
  expect(after.get("add", "aa"), "graded by the old hidden test").toBeUndefined();
  expect(after.get("pass", "aa")?.status).toBe("fail");
});

test("records of other gradings are pruned to the newest four besides the one in use", () => {
  const { root, lessons } = course();
  const parent = path.join(root, ".queuecraft", "cache", "graded");
  for (let i = 0; i < 6; i++) {
    mkdirSync(path.join(parent, `old-${i}`), { recursive: true });
    const when = new Date(Date.UTC(2026, 0, 1 + i));
    utimesSync(path.join(parent, `old-${i}`), when, when);
  }
  gradedRecord(root, lessons, 5000, root);
  const kept = readdirSync(parent);
  expect(kept).toHaveLength(5);
  expect(kept.filter((name) => name.startsWith("old-")).sort()).toEqual(["old-2", "old-3", "old-4", "old-5"]);
});
