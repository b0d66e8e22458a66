import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runFolder, scratchFolder } from "../../runner/process/scratch.ts";

/** Stands in for /dev/shm, so these run on any machine. */
const ramFolder = () => mkdtempSync(path.join(os.tmpdir(), "qc-ram-"));

describe("scratch folder for hidden tests", () => {
  test("is a fresh folder in the RAM folder, handed over as TMPDIR, and removed with its files", () => {
    const ram = ramFolder();
    const scratch = scratchFolder({ folder: ram, minFreeBytes: 1 });
    const folder = scratch.env.TMPDIR!;
    expect(path.dirname(folder)).toBe(ram);
    expect(path.basename(folder)).toMatch(new RegExp(`^queuecraft-scratch-${process.pid}-`));
    writeFileSync(path.join(folder, "queue.db"), "x");
    scratch.remove();
    expect(existsSync(folder)).toBe(false);
  });

  test("folders left by runs that were killed are removed; a live run's folder is kept", () => {
    const ram = ramFolder();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const left = path.join(ram, `queuecraft-scratch-${dead}-left`);
    const live = path.join(ram, `queuecraft-scratch-${process.pid}-live`);
    mkdirSync(path.join(left, "db"), { recursive: true });
    mkdirSync(live);
    const scratch = scratchFolder({ folder: ram, minFreeBytes: 1 });
    expect(existsSync(left), "the killed run's folder").toBe(false);
    expect(existsSync(live), "this process is alive: its folder stays").toBe(true);
    expect(readdirSync(ram).sort()).toEqual([path.basename(live), path.basename(scratch.env.TMPDIR!)].sort());
  });

  test("a RAM folder without room to spare, or none at all, leaves TMPDIR alone", () => {
    const ram = ramFolder();
    expect(scratchFolder({ folder: ram, minFreeBytes: Number.MAX_SAFE_INTEGER }).env, "too small (a container's 64 MB /dev/shm)").toEqual({});
    expect(readdirSync(ram), "nothing made in a folder that is too small").toEqual([]);
    expect(scratchFolder({ folder: path.join(ram, "missing"), minFreeBytes: 1 }).env, "no RAM folder (not Linux)").toEqual({});
  });

  test("grade's staging folders are kept the same way: a killed run's is removed by the next run", () => {
    const staging = path.join(ramFolder(), "staging"); // made on first use
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const left = path.join(staging, `grade-${dead}-1795460390410`);
    mkdirSync(path.join(left, "3f2a"), { recursive: true });
    const run = runFolder(staging, "grade-");
    expect(existsSync(left), "the killed run's copies of a class").toBe(false);
    expect(path.basename(run.folder)).toMatch(new RegExp(`^grade-${process.pid}-`));
    run.remove();
    expect(readdirSync(staging)).toEqual([]);
  });
});
