// Folders a run owns: one per run under a parent (removed at the end, by a
// signal, or by the next run when this one was killed outright), and the
// RAM-backed scratch folder hidden tests get as TMPDIR.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync } from "node:fs";
import path from "node:path";
import { cleanUpOnSignal } from "./interrupt.ts";
import { processAlive } from "./sandbox.ts";

/** Linux's RAM-backed folder: scratch files there never wait for the disk. */
export const RAM_FOLDER = "/dev/shm";

export const SCRATCH_PREFIX = "queuecraft-scratch-";

/**
 * A whole-course verify peaks at about 12 MB of scratch files; this leaves a
 * wide margin. A container's /dev/shm is often 64 MB: if it filled up,
 * students' tests would fail, so a small one is not used.
 */
export const MIN_SCRATCH_BYTES = 512 * 1024 * 1024;

export const NO_SCRATCH = { env: {}, remove: () => {} };

/**
 * A new folder `<parent>/<prefix><pid>-XXXXXX` for one run, and how to remove
 * it; a signal that stops the run removes it too. Folders of runs that were
 * killed outright (SIGKILL, a crash) are removed here, next time.
 */
export function runFolder(parent: string, prefix: string): { folder: string; remove: () => void } {
  mkdirSync(parent, { recursive: true });
  for (const name of readdirSync(parent)) {
    const owner = Number(name.slice(prefix.length).split("-")[0]);
    if (name.startsWith(prefix) && owner > 0 && !processAlive(owner)) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  const folder = mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  const forget = cleanUpOnSignal(remove);
  return {
    folder,
    remove: () => {
      forget();
      remove();
    },
  };
}

/**
 * A folder for one run's scratch files, to hand to its processes as TMPDIR,
 * and how to remove it. Hidden tests make SQLite databases by the dozen, and
 * each commit, WAL switch and close waits for fsync on a disk; in RAM the
 * sqlite-queue, leases-stalled and capstone hidden tests take a third less
 * time. Without a RAM folder with room to spare (not Linux, a container's
 * small /dev/shm), or one that cannot be written, the usual temporary folder
 * (no TMPDIR).
 */
export function scratchFolder(ram = { folder: RAM_FOLDER, minFreeBytes: MIN_SCRATCH_BYTES }): { env: Record<string, string>; remove: () => void } {
  try {
    const { bavail, bsize } = statfsSync(ram.folder);
    if (bavail * bsize < ram.minFreeBytes) return NO_SCRATCH;
    const { folder, remove } = runFolder(ram.folder, SCRATCH_PREFIX);
    return { env: { TMPDIR: folder }, remove };
  } catch {
    return NO_SCRATCH; // missing or not writable
  }
}
