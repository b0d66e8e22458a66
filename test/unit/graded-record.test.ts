import { mkdirSync, mkdtempSync, readdirSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { gradedRecord } from "../../runner/graded-record.ts";
import type { Results } from "../../runner/results.ts";

const results = (status: Results["status"]) => ({ version: 3, status, tests: [] }) as unknown as Results;

test("keeps passes and fails by challenge and submission; errors are never kept", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "qc-record-"));
  const record = gradedRecord(root, [], 5000, root);
  record.put("add", "aa", results("pass"));
  record.put("add", "bb", results("error"));
  expect(record.get("add", "aa")?.status).toBe("pass");
  expect(record.get("add", "bb"), "an error may be the machine's: graded again").toBeUndefined();
  expect(gradedRecord(root, [], 6000, root).get("add", "aa"), "another time limit").toBeUndefined();
  expect(gradedRecord(root, [], 5000, root).get("add", "aa")?.status, "the same grading, another run").toBe("pass");
});

test("records of other gradings are pruned to the newest four besides the one in use", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "qc-record-"));
  const parent = path.join(root, ".queuecraft", "cache", "graded");
  for (let i = 0; i < 6; i++) {
    mkdirSync(path.join(parent, `old-${i}`), { recursive: true });
    const when = new Date(Date.UTC(2026, 0, 1 + i));
    utimesSync(path.join(parent, `old-${i}`), when, when);
  }
  gradedRecord(root, [], 5000, root);
  const kept = readdirSync(parent);
  expect(kept).toHaveLength(5);
  expect(kept.filter((name) => name.startsWith("old-")).sort()).toEqual(["old-2", "old-3", "old-4", "old-5"]);
});
