// What a run starts outside its own process (servers, scratch folders) must
// not outlive it when a signal stops it: `kill`, `timeout`, a cancelled CI
// job, a closed terminal. Without a listener, node dies at once and skips every
// `finally`, leaving a redis-server and a PostgreSQL (which then holds the kept
// cluster, so every later run initialises a throwaway one) running for good.

import { setTimeout as delay } from "node:timers/promises";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** A cleanup that hangs must not keep a stopped run alive (a server gets 3 s before SIGKILL). */
const CLEANUP_LIMIT_MS = 10_000;

const cleanups = new Set<() => unknown>();

/** Runs every pending cleanup, last registered first, one at a time, within the limit. */
async function cleanUpAll(): Promise<void> {
  uninstall();
  // Last registered, first run, one at a time: what was set up later may depend on what came
  // before it (a server runs in a folder made for it, which goes only once the server is down).
  const pending = [...cleanups].reverse();
  cleanups.clear();
  const cleanUp = async () => {
    for (const cleanup of pending) await Promise.resolve().then(cleanup).catch(() => {});
  };
  await Promise.race([cleanUp(), delay(CLEANUP_LIMIT_MS)]);
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  // A command with a listener of its own (grade --redis, grade-worker: they
  // drain) still needs its servers, and stops them itself when it is done.
  if (process.listenerCount(signal) > 1) return;
  await cleanUpAll();
  // Dies of the signal, as it would have without a listener (exit status 128 + n).
  process.kill(process.pid, signal);
}

let stopping = false;

/**
 * Ends the process with `code` after the same cleanups a signal runs: for a run
 * whose reader went away (a closed pipe), which is no error and needs no message.
 */
export async function stopQuietly(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await cleanUpAll();
  process.exit(code);
}

function install(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Runs `cleanup` if a signal stops the process before the returned function is
 * called (call it once the cleanup has run the usual way). A second signal
 * while cleaning up kills at once.
 */
export function cleanUpOnSignal(cleanup: () => unknown): () => void {
  if (cleanups.size === 0) install();
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) uninstall();
  };
}
