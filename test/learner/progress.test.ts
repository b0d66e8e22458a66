import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import { lessonStates, loadProgress, saveProgress, unmetPrerequisites, updateProgress } from "../../runner/learner/progress.ts";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "qc-progress-"));

describe("progress file", () => {
  test("a missing file is empty progress", () => {
    expect(loadProgress(path.join(tmp(), "progress.json")).progress).toEqual({ version: 1, lessons: {} });
  });

  test("updates are kept", () => {
    const file = path.join(tmp(), "progress.json");
    updateProgress(file, "a", (entry) => void (entry.hintsShown = 2));
    updateProgress(file, "b", (entry) => void (entry.challengePassedAt = "t"));
    expect(loadProgress(file).progress.lessons).toEqual({ a: { hintsShown: 2 }, b: { challengePassedAt: "t" } });
  });

  test("an update that changes nothing does not rewrite the file", () => {
    const file = path.join(tmp(), "progress.json");
    updateProgress(file, "a", (entry) => void (entry.experimentMatchedAt ??= "first"));
    const written = statSync(file).ino;
    updateProgress(file, "a", (entry) => void (entry.experimentMatchedAt ??= "second"));
    expect(statSync(file).ino, "an atomic rewrite would have replaced the file").toBe(written);
    expect(loadProgress(file).progress.lessons.a).toEqual({ experimentMatchedAt: "first" });
  });

  test("a corrupt file is moved aside with a message, never silently erased", () => {
    const dir = tmp();
    const file = path.join(dir, "progress.json");
    writeFileSync(file, '{"version": 1, "lessons": {"a": ');
    const loaded = loadProgress(file, () => new Date("2026-01-02T03:04:05Z"));
    expect(loaded.warning).toMatch(/could not be read, so it was moved to .*progress\.json\.corrupt-2026-01-02T03-04-05-000Z/);
    expect(readFileSync(path.join(dir, "progress.json.corrupt-2026-01-02T03-04-05-000Z"), "utf8")).toBe('{"version": 1, "lessons": {"a": ');
    expect(existsSync(file)).toBe(false);
  });

  test("a writer killed with SIGKILL at random moments never leaves a torn file (100 kills)", async () => {
    const dir = tmp();
    const file = path.join(dir, "progress.json");
    saveProgress(file, { version: 1, lessons: {} });
    // Bundled once, so each of the hundred victims is a plain `node` start, not a TypeScript loader's.
    const writer = path.join(dir, "writer.mjs");
    await build({ entryPoints: [path.join(import.meta.dirname, "..", "fixtures", "progress-writer.ts")], bundle: true, platform: "node", format: "esm", outfile: writer, logLevel: "silent" });
    const kills = 100;
    const batch = 10;
    for (let done = 0; done < kills; done += batch) {
      await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          new Promise<void>((resolve) => {
            const child = spawn(process.execPath, [writer, file, String(done + i)], { stdio: ["ignore", "pipe", "inherit"] });
            // Kill once it is writing, after a different delay each time.
            child.stdout!.once("data", () => setTimeout(() => child.kill("SIGKILL"), ((done + i) * 7) % 40));
            child.on("exit", () => resolve());
          }),
        ),
      );
      const loaded = loadProgress(file);
      expect(loaded.warning, "the progress file must always parse").toBeUndefined();
    }
    const leftovers = readdirSync(dir).filter((name) => !["progress.json", "writer.mjs"].includes(name) && !name.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  });
});

describe("lessonStates", () => {
  const lessons = [
    { id: "a", prerequisites: [], hasChallenge: true },
    { id: "b", prerequisites: ["a"], hasChallenge: false },
    { id: "c", prerequisites: ["b"], hasChallenge: true },
    { id: "d", prerequisites: [], hasChallenge: true },
  ];
  test("done needs the experiment matched and the challenge passed; next is the first open one", () => {
    const states = lessonStates(lessons, { version: 1, lessons: { a: { experimentMatchedAt: "t" } } });
    expect([...states]).toEqual([["a", "next"], ["b", "locked"], ["c", "locked"], ["d", "available"]]);
  });
  test("finishing a lesson unlocks the ones that need it", () => {
    const states = lessonStates(lessons, { version: 1, lessons: { a: { experimentMatchedAt: "t", challengePassedAt: "t" }, b: { experimentMatchedAt: "t" } } });
    expect([...states]).toEqual([["a", "done"], ["b", "done"], ["c", "next"], ["d", "available"]]);
  });
});

describe("one truth about what is unlocked", () => {
  const lessons = [
    { id: "a", prerequisites: [], hasChallenge: true },
    { id: "b", prerequisites: ["a"], hasChallenge: true },
    { id: "c", prerequisites: ["d"], hasChallenge: false },
    { id: "d", prerequisites: [], hasChallenge: false },
  ];
  const hasChallenge = (id: string) => lessons.find((lesson) => lesson.id === id)!.hasChallenge;

  test("a prerequisite whose experiment matched but whose challenge has not passed is unmet, and the menu locks the lesson for the same reason", () => {
    const progress = { version: 1 as const, lessons: { a: { experimentMatchedAt: "t" }, d: { experimentMatchedAt: "t" } } };
    expect(unmetPrerequisites(["a"], hasChallenge, progress)).toEqual(["a"]);
    expect(lessonStates(lessons, progress).get("b")).toBe("locked");
    // A lesson without a challenge is done once its experiment matched.
    expect(unmetPrerequisites(["d"], hasChallenge, progress)).toEqual([]);
    expect(lessonStates(lessons, progress).get("c")).not.toBe("locked");
  });

  test("once the challenge passed, neither the prerequisite check nor the menu holds the lesson back", () => {
    const progress = { version: 1 as const, lessons: { a: { experimentMatchedAt: "t", challengePassedAt: "t" } } };
    expect(unmetPrerequisites(["a"], hasChallenge, progress)).toEqual([]);
    expect(lessonStates(lessons, progress).get("b")).not.toBe("locked");
  });
});
