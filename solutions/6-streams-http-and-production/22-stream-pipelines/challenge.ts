// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a stream pipeline with partial success and a DLQ sink.
//
// Readable.from(source) -> one Transform that runs `work` on one item at a time
// -> the results sink, all inside stream/promises pipeline(), so an error in any
// of them (or an abort) tears the whole run down and rejects. The DLQ is a side
// sink: the Transform awaits each DLQ write, ends the DLQ in flush() and waits
// for it to finish, and a DLQ error destroys the Transform, which fails the run.

import { Readable, Transform, type Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";

export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: string };

export interface DeadLetter<I> {
  index: number;
  item: I;
  error: string;
}

export interface PipelineOptions<I, O> {
  source: Iterable<I> | AsyncIterable<I>;
  work: (item: I, signal: AbortSignal) => Promise<O>;
  results: Writable;
  dlq: Writable;
  signal?: AbortSignal;
}

export interface PipelineSummary {
  ok: number;
  failed: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves once `stream` has processed `chunk`; rejects if that write fails. */
function writeTo(stream: Writable, chunk: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

export async function runPipeline<I, O>(options: PipelineOptions<I, O>): Promise<PipelineSummary> {
  const { source, work, results, dlq } = options;
  // Aborted when the run fails for any reason, so in-flight work stops too.
  const teardown = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, teardown.signal]) : teardown.signal;
  const summary: PipelineSummary = { ok: 0, failed: 0 };
  let index = 0;

  // Also keeps an 'error' listener on the DLQ for the whole run.
  const dlqFinished = finished(dlq);

  async function handle(item: I, position: number): Promise<ItemResult<O>> {
    try {
      return { ok: true, value: await work(item, signal) };
    } catch (error) {
      // Cancelled, not failed: no result line, no DLQ entry, the run is over.
      if (signal.aborted) throw signal.reason;
      const message = messageOf(error);
      await writeTo(dlq, { index: position, item, error: message } satisfies DeadLetter<I>);
      return { ok: false, error: message };
    }
  }

  const worker = new Transform({
    objectMode: true,
    // One item at a time: each result is pushed before the next item starts,
    // so the output order is the input order whatever each item's latency.
    transform(item: I, _encoding, callback) {
      handle(item, index++).then((result) => {
        summary[result.ok ? "ok" : "failed"]++;
        callback(null, result);
      }, callback);
    },
    flush(callback) {
      dlq.end();
      dlqFinished.then(() => callback(), callback);
    },
  });
  dlqFinished.catch((error: unknown) => worker.destroy(error instanceof Error ? error : new Error(String(error))));

  try {
    await pipeline(Readable.from(source), worker, results, options.signal ? { signal: options.signal } : {});
    return summary;
  } catch (error) {
    teardown.abort(error);
    // Keep the failures already recorded: end the DLQ unless it is what broke.
    if (!dlq.destroyed && !dlq.writableEnded) dlq.end();
    throw error;
  }
}
