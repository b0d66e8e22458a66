// lessons/_kit/timeline.ts: off, one shared recorder that does nothing; on (the
// variable names a file), NDJSON lines appended, from child processes too, and
// what the experiment prints is unchanged.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const kit = fileURLToPath(new URL("../../lessons/_kit/", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/** Runs a script that imports the kit, in a fresh process (the kit reads its variable once, at import). */
function run(script: string, env: Record<string, string | undefined>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qc-timeline-kit-"));
  const file = path.join(dir, "script.mts");
  writeFileSync(file, script.replaceAll("KIT/", kit));
  const child = spawnSync(tsx, [file], { env: { ...process.env, QUEUECRAFT_TIMELINE: undefined, QUEUECRAFT_TIMELINE_CHILD: undefined, ...env }, encoding: "utf8" });
  return { ...child, dir };
}

const script = `
import { FakeClock } from "KIT/clock.ts";
import { timeline } from "KIT/timeline.ts";
const clock = new FakeClock();
const trace = timeline("one", clock);
const other = timeline("two", clock);
console.log("before", trace.on, trace === other);
trace.job("started", "a", "slot 1");
await clock.advance(300);
console.log("between");
trace.job("failed", "a", "slot 1", "boom");
trace.job("retry-scheduled", "a", "queue", "attempt 2", 400);
trace.lane("signal", "worker", "SIGTERM");
console.log("after");
`;

describe("the timeline kit", () => {
  test("off: one shared recorder, nothing written, the same output", () => {
    const result = run(script, {});
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("before false true\nbetween\nafter\n");
  });

  test("on: every event appended as a JSON line with the clock's time and the output line printed next", () => {
    const events = path.join(mkdtempSync(path.join(os.tmpdir(), "qc-timeline-kit-")), "events.ndjson");
    const result = run(script, { QUEUECRAFT_TIMELINE: events });
    expect(result.stderr).toBe("");
    expect(result.stdout, "recording prints nothing").toBe("before true false\nbetween\nafter\n");
    expect(readFileSync(events, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line))).toEqual([
      { section: "one", t: 0, kind: "started", lane: "slot 1", job: "a", out: 1 },
      { section: "one", t: 300, kind: "failed", lane: "slot 1", job: "a", detail: "boom", out: 2 },
      { section: "one", t: 300, kind: "retry-scheduled", lane: "queue", job: "a", detail: "attempt 2", ms: 400, out: 2 },
      { section: "one", t: 300, kind: "signal", lane: "worker", detail: "SIGTERM", out: 2 },
    ]);
  });

  test("on: a child process started with spawnTs appends to the same file, without output line numbers", () => {
    const events = path.join(mkdtempSync(path.join(os.tmpdir(), "qc-timeline-kit-")), "events.ndjson");
    const parent = `
import { spawnTs, exited } from "KIT/spawn-ts.ts";
import { systemClock } from "KIT/clock.ts";
import { timeline } from "KIT/timeline.ts";
import { writeFileSync } from "node:fs";
import path from "node:path";
const childFile = path.join(path.dirname(new URL(import.meta.url).pathname), "child.mts");
writeFileSync(childFile, 'import { timeline } from "KIT/timeline.ts"; timeline("s", { now: () => 2 }).job("completed", "j", "child");'.replaceAll("KIT/", ${JSON.stringify(kit)}));
timeline("s", { now: () => 1 }).job("started", "j", "child");
const child = await spawnTs(childFile);
await exited(child);
`;
    const result = run(parent, { QUEUECRAFT_TIMELINE: events });
    expect(result.stderr).toBe("");
    expect(readFileSync(events, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line))).toEqual([
      { section: "s", t: 1, kind: "started", lane: "child", job: "j", out: 0 },
      { section: "s", t: 2, kind: "completed", lane: "child", job: "j" },
    ]);
  });
});
