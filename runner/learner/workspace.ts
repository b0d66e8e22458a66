// Where the learner's own work lives: workspace/<id>/challenge.ts, outside the
// course's tracked files, so `git pull`, a course upgrade and `reset` never
// touch it without a backup. QUEUECRAFT_WORKSPACE moves it elsewhere.

import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "./atomic-file.ts";

export interface Workspace {
  dir: string;
  progressFile: string;
}

export function workspaceAt(root: string): Workspace {
  const dir = process.env.QUEUECRAFT_WORKSPACE ? path.resolve(process.env.QUEUECRAFT_WORKSPACE) : path.join(root, "workspace");
  return { dir, progressFile: path.join(dir, "progress.json") };
}

export function challengeFileOf(workspace: Workspace, id: string): string {
  return path.join(workspace.dir, id, "challenge.ts");
}

/** The learner's copy of the challenge, created from the stub the first time. */
export function ensureChallengeFile(workspace: Workspace, id: string, stub: string): { file: string; created: boolean } {
  const file = challengeFileOf(workspace, id);
  if (existsSync(file)) return { file, created: false };
  writeFileAtomic(file, readFileSync(stub, "utf8"));
  return { file, created: true };
}

/** Copies the learner's file into workspace/.backups/<id>/ and returns the copy's path. */
export function backupChallenge(workspace: Workspace, id: string, now: Date = new Date()): string | undefined {
  const file = challengeFileOf(workspace, id);
  if (!existsSync(file)) return undefined;
  const backupDir = path.join(workspace.dir, ".backups", id);
  mkdirSync(backupDir, { recursive: true });
  const backup = path.join(backupDir, `challenge-${now.toISOString().replace(/[:.]/g, "-")}.ts`);
  copyFileSync(file, backup);
  return backup;
}

/** Puts the stub back, after backing up the learner's version. */
export function resetChallenge(workspace: Workspace, id: string, stub: string): { file: string; backup?: string } {
  const backup = backupChallenge(workspace, id);
  const file = challengeFileOf(workspace, id);
  writeFileAtomic(file, readFileSync(stub, "utf8"));
  return { file, backup };
}
