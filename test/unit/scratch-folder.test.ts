import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { scratchFolder } from "../../runner/sandbox.ts";

const RAM = "/dev/shm";

describe.skipIf(!existsSync(RAM))("scratch folder for hidden tests", () => {
  test("is a fresh folder in RAM, handed over as TMPDIR, and removed with its files", () => {
    const scratch = scratchFolder();
    const folder = scratch.env.TMPDIR!;
    expect(path.dirname(folder)).toBe(RAM);
    expect(path.basename(folder)).toMatch(new RegExp(`^queuecraft-scratch-${process.pid}-`));
    writeFileSync(path.join(folder, "queue.db"), "x");
    scratch.remove();
    expect(existsSync(folder)).toBe(false);
  });

  test("folders left by runs that were killed are removed; a live run's folder is kept", () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const left = path.join(RAM, `queuecraft-scratch-${dead}-left`);
    const live = path.join(RAM, `queuecraft-scratch-${process.pid}-live`);
    mkdirSync(path.join(left, "db"), { recursive: true });
    mkdirSync(live, { recursive: true });
    const scratch = scratchFolder();
    try {
      expect(existsSync(left), "the killed run's folder").toBe(false);
      expect(existsSync(live), "this process is alive: its folder stays").toBe(true);
      expect(readdirSync(RAM)).toContain(path.basename(scratch.env.TMPDIR!));
    } finally {
      scratch.remove();
      rmSync(live, { recursive: true, force: true });
    }
  });
});
