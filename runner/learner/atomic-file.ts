// Writes that a crash cannot tear: the new content goes to a temporary file in
// the same folder, is flushed to disk, and replaces the old file in one rename.

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";

export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // Unique per writer: threads of one process may write the same file at once.
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, typeof content === "string" ? Buffer.from(content) : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/**
 * A record the runner keeps to go faster (timings, which test rejected what):
 * missing or damaged reads as empty, and a write that fails (a read-only
 * checkout) is skipped. Nothing may depend on it being there.
 */
export const speedRecord = {
  read<T>(file: string): Record<string, T> {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Record<string, T>;
    } catch {
      return {};
    }
  },
  write(file: string, record: Record<string, unknown>): void {
    try {
      writeFileAtomic(file, JSON.stringify(record));
    } catch {
      // Only slower next time.
    }
  },
};
