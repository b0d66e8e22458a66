import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { cli, fixtures } from "./run-cli.ts";

// A copy of the fixture course beside it (its hidden tests import the harness by a relative path), with a cache of its own.
const copy = mkdtempSync(path.join(fixtures, "tmp-verify-"));
cpSync(path.join(fixtures, "course"), copy, { recursive: true, filter: (source) => !source.includes(`${path.sep}.queuecraft`) });
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const rejectionsFile = path.join(copy, ".queuecraft", "cache", "rejections.json");
const verify = () => cli(["verify", "add", "--no-types", "--json"], { root: copy });
const mutantsCheck = (run: ReturnType<typeof cli>) => JSON.parse(run.stdout).lessons[0].checks["mutants rejected"] as { ok: boolean; detail: string };

describe("verify's record of which hidden test rejected each mutant", () => {
  test("is written after a verify, and a record that no longer holds is never trusted", () => {
    const first = verify();
    expect(first.status, first.stderr).toBe(0);
    const recorded = JSON.parse(readFileSync(rejectionsFile, "utf8")) as Record<string, string>;
    expect(recorded["add/mutant:subtracts"]).toBe("adds two small numbers");
    expect(recorded["add/stub"]).toBe("adds two small numbers");

    // A renamed test, and a mutant that survives but is recorded as rejected by a test it passes:
    // both are graded again with every hidden test.
    appendFileSync(path.join(copy, "solutions", "1-basics", "02-add", "mutants.yaml"), '- name: swaps-operands\n  why: The same sum.\n  edits:\n    - find: "return a + b;"\n      replace: "return b + a;"\n');
    writeFileSync(rejectionsFile, JSON.stringify({ ...recorded, "add/mutant:subtracts": "a test that was renamed", "add/mutant:swaps-operands": "adds two small numbers" }));
    const second = verify();
    expect(second.status, "a surviving mutant fails verify, whatever the record says").toBe(1);
    const check = mutantsCheck(second);
    expect(check.detail).toContain("mutant swaps-operands passes every hidden test");
    expect(check.detail).toContain("subtracts ← \"adds two small numbers\"");
    const after = JSON.parse(readFileSync(rejectionsFile, "utf8")) as Record<string, string>;
    expect(after["add/mutant:subtracts"], "the record is corrected").toBe("adds two small numbers");
    expect(after["add/mutant:swaps-operands"], "a survivor has no record").toBeUndefined();
  });
});
