// A timeline of what happened to jobs, drawn by `npm run lesson <id> -- --timeline`:
// workers, slots and queues as lanes, jobs as bars, retries, waits, stalls and
// signals as marks. Recording is off unless the runner names a file in
// QUEUECRAFT_TIMELINE; then every event is appended to it as one JSON line, so
// child processes started with spawnTs (which inherit the environment) record
// into the same file as the experiment. Off, `timeline()` hands back one shared
// recorder whose methods do nothing: no allocation, no I/O, nothing printed.
// Recording never prints either, so an experiment's output stays the same.
//
//   const trace = timeline("3 copies of the seed loop", clock);
//   trace.job("started", "a", "slot 1");
//   trace.job("retry-scheduled", "a", "queue", "attempt 2", 400);
//   trace.lane("signal", "worker", "SIGTERM");

import { openSync, writeSync } from "node:fs";

/** The environment variable that turns recording on: the path of the NDJSON file to append to. */
export const TIMELINE_ENV = "QUEUECRAFT_TIMELINE";

/**
 * What happened. `started` and `reclaimed` open a job's bar on its lane;
 * `completed`, `failed`, `aborted`, `lease-expired` and `dead-lettered` close
 * the bar the same job has open on the same lane (record them on the lane the
 * job runs on); every other kind, or a closing kind with no bar open, is a
 * mark. An event given `ms` also draws the wait it starts: a backoff, a delay,
 * a rate-limit wait, a poll's sleep, a grace period.
 */
export const TIMELINE_KINDS = [
  "enqueued",
  "started",
  "progress",
  "completed",
  "failed",
  "aborted",
  "retry-scheduled",
  "delayed",
  "promoted",
  "waiting",
  "rate-limited",
  "stalled",
  "lease-expired",
  "reclaimed",
  "dead-lettered",
  "signal",
  "shutdown-began",
  "drained",
  "stopped",
] as const;

export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One line of the NDJSON file: the format the runner reads (version 1). */
export interface TimelineEvent {
  /** The part of the experiment it belongs to (one picture each): the title given to timeline(). */
  section: string;
  /** The clock's now() when it was recorded: a FakeClock's ms, or Date.now() where processes are real. */
  t: number;
  kind: TimelineKind;
  /** A worker, slot, tenant, process or queue: one row of the picture. */
  lane: string;
  job?: string;
  detail?: string;
  /** How long the wait this event starts lasts, in the clock's ms. */
  ms?: number;
  /** Lines the experiment had printed when this was recorded, so the output line printed next is line `out` (0-based); only in the experiment's own process. */
  out?: number;
}

export interface Timeline {
  /** True while recording: build a costly `detail` only then. */
  readonly on: boolean;
  /** Something happened to `job` on `lane`, now on this timeline's clock. */
  job(kind: TimelineKind, job: string, lane: string, detail?: string, ms?: number): void;
  /** Something happened to a lane as a whole: a signal, a drain, a worker waiting for a token. */
  lane(kind: TimelineKind, lane: string, detail?: string, ms?: number): void;
}

const noop = () => {};
const OFF: Timeline = Object.freeze({ on: false, job: noop, lane: noop });

const file = process.env[TIMELINE_ENV];

// The first process (or thread) to record is the experiment: it counts the
// lines it prints so an event can point at its output line. Its children
// inherit the marker and leave `out` out (their stdout is not the output).
const CHILD_ENV = "QUEUECRAFT_TIMELINE_CHILD";
let printed: number | undefined;
if (file && !process.env[CHILD_ENV]) {
  process.env[CHILD_ENV] = "1";
  printed = 0;
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : "";
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) printed!++;
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
}

let fd: number | undefined;
function append(event: TimelineEvent): void {
  // One write per event, in append mode: lines from several processes never interleave, and
  // nothing is lost when a process is killed.
  fd ??= openSync(file!, "a");
  writeSync(fd, `${JSON.stringify(event)}\n`);
}

function record(section: string, t: number, kind: TimelineKind, lane: string, job: string | undefined, detail: string | undefined, ms: number | undefined): void {
  const event: TimelineEvent = { section, t, kind, lane };
  if (job !== undefined) event.job = job;
  if (detail !== undefined) event.detail = detail;
  if (ms !== undefined) event.ms = ms;
  if (printed !== undefined) event.out = printed;
  append(event);
}

/**
 * A recorder for one section of the picture, stamping events with `clock.now()`
 * (a FakeClock, systemClock, or any `{ now }`). Sections are drawn in the order
 * their first event was recorded; lanes in the order they first appear.
 */
export function timeline(section: string, clock: { now(): number }): Timeline {
  if (!file) return OFF;
  return {
    on: true,
    job: (kind, job, lane, detail, ms) => record(section, clock.now(), kind, lane, job, detail, ms),
    lane: (kind, lane, detail, ms) => record(section, clock.now(), kind, lane, undefined, detail, ms),
  };
}
