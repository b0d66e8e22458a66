// Challenge: a stream pipeline with partial success and a dead-letter sink.
//
// Items flow Readable -> Transform -> Writable. One bad item must not sink the
// batch: it becomes a failure result and a DLQ entry, and the rest carry on.
// What must still stop the run: a broken sink, a broken source, an abort.

import type { Writable } from "node:stream";

/** One line of output per input item. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: string };

/** What the DLQ sink receives for each failed item. */
export interface DeadLetter<I> {
  /** The item's 0-based position in the source. */
  index: number;
  item: I;
  /** Same text as the failure result's `error`. */
  error: string;
}

export interface PipelineOptions<I, O> {
  /** The items, in order. Arrays, generators, async generators and Readables all qualify. */
  source: Iterable<I> | AsyncIterable<I>;
  /**
   * The per-item work. May take any time, may throw or reject. `signal` aborts
   * when the run is cancelled or fails; pass it on to whatever you await.
   */
  work: (item: I, signal: AbortSignal) => Promise<O>;
  /** objectMode sink for the ItemResult objects. */
  results: Writable;
  /** objectMode sink for the DeadLetter objects. */
  dlq: Writable;
  /** Cancels the run. */
  signal?: AbortSignal;
}

export interface PipelineSummary {
  ok: number;
  failed: number;
}

/**
 * Runs every item of `source` through `work` and writes the outcomes.
 *
 * - `results` receives exactly one ItemResult per input item, in input order,
 *   even when a later item's work finishes before an earlier one's would:
 *   `{ ok: true, value }` when work resolved, `{ ok: false, error }` when it threw
 *   or rejected. `error` is the Error's `message`, or `String(thrown)` for non-Errors.
 * - Every failure is ALSO written to `dlq` as `{ index, item, error }`, in input order.
 *   A failing item never stops the others.
 * - On success, both sinks are ended, and the promise resolves with the counts
 *   only after both have finished (their 'finish' event: everything flushed).
 * - An error in either sink (a write that fails, an error in its final(), a
 *   destroy(err)) or in the source rejects the promise with that error, and no
 *   more items are pulled from the source.
 * - When `signal` aborts, the promise rejects with an error whose `name` is
 *   "AbortError" (what stream/promises pipeline() gives you), the source is not
 *   pulled any more (a generator's `finally` runs), the work in flight sees its
 *   signal aborted, and the item cancelled mid-work produces neither a result
 *   nor a DLQ entry: it did not fail, it was cancelled. A signal that is
 *   already aborted at the call rejects the same way.
 */
export function runPipeline<I, O>(options: PipelineOptions<I, O>): Promise<PipelineSummary> {
  throw new Error("TODO: runPipeline — Readable -> Transform -> Writable with failure results, a DLQ sink, sink errors and abort");
}
