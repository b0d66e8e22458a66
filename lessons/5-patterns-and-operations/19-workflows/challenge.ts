// Workflows: a flow runner in the style of BullMQ's FlowProducer. A parent job
// waits for all of its children, runs exactly once, and reads their results.

/** One node of a flow tree, as given to add(). */
export interface FlowJob {
  /** Unique across every job ever added to this runner. */
  name: string;
  data?: unknown;
  /** Jobs that must all complete before this one may run. Children may have children. */
  children?: FlowJob[];
  /** Processor calls this job may get before it fails for good. Default 1 (no retries). */
  attempts?: number;
  /**
   * If THIS job fails for good, its parent fails too, without ever running (and if the
   * parent has failParentOnFailure as well, the failure continues upwards).
   * Without it, a failed child leaves its parent in "waiting-children" forever (as BullMQ does).
   */
  failParentOnFailure?: boolean;
}

export type FlowJobState = "waiting-children" | "waiting" | "active" | "completed" | "failed";

/** What the processor receives for one attempt. */
export interface ProcessorJob {
  name: string;
  data: unknown;
  /** 1 for the first call for this job, 2 for its first retry, ... */
  attempt: number;
  /** Return values of this job's DIRECT children, by child name ({} for a job without children). */
  childrenValues: Record<string, unknown>;
}

/** A snapshot of one job. */
export interface JobView {
  name: string;
  state: FlowJobState;
  /** Processor calls so far. */
  attemptsMade: number;
  /** Set once the job completed. */
  returnValue?: unknown;
  /** Set once the job failed for good: its last error message, or which child failed. */
  failedReason?: string;
}

export interface FlowRunnerOptions {
  /** Runs one attempt of one job; resolving completes it, rejecting fails the attempt. */
  processor: (job: ProcessorJob) => Promise<unknown>;
  /** Most processor calls in flight at once. Default: no limit. */
  concurrency?: number;
}

export interface FlowRunner {
  /**
   * Adds a whole flow tree. Jobs with children start in "waiting-children", the others in
   * "waiting". Throws (adding nothing) if a name is repeated or already used.
   */
  add(flow: FlowJob): void;
  /** A snapshot of the named job, or undefined. */
  getJob(name: string): JobView | undefined;
}

/**
 * Creates a flow runner. It starts waiting jobs (oldest first) as long as fewer than
 * `concurrency` processor calls are in flight. The contract:
 *
 * - A parent runs only after EVERY child has completed, however the children finish:
 *   in any order, several in the same tick, concurrently, after retries.
 * - A parent whose children all completed runs exactly once (plus its own retries, if it
 *   fails and has attempts left), never twice, and gets every child's return value in
 *   `childrenValues`.
 * - A failed attempt with attempts left puts the job back to "waiting"; with none left the
 *   job is "failed". A child failing for good with failParentOnFailure fails its parent
 *   (state "failed", failedReason naming the child); that parent never runs, even if its
 *   other children complete later. Without failParentOnFailure the parent stays
 *   "waiting-children" and never runs.
 */
export function createFlowRunner(options: FlowRunnerOptions): FlowRunner {
  throw new Error("TODO: createFlowRunner — release each parent once, when its last child completes");
}
