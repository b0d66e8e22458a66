// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a producer that respects backpressure.
//
// write() says whether the sink wants more. After a `false`, wait for 'drain';
// after a `true`, keep going. `finished(sink)`, created up front, watches the
// sink for the whole run: it keeps an 'error' listener attached, and it settles
// on 'finish', on an error or on a premature close, which is what lets a
// producer waiting for 'drain' give up instead of hanging.

import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";

export async function produce<T>(items: Iterable<T> | AsyncIterable<T>, sink: Writable): Promise<number> {
  const done = finished(sink);
  done.catch(() => {}); // awaited below; this only marks the rejection as handled meanwhile
  let count = 0;
  try {
    for await (const item of items) {
      if (sink.destroyed) break; // failed or closed: stop pulling; `done` has the reason
      if (!sink.write(item)) await Promise.race([once(sink, "drain"), done]);
      count++;
    }
  } catch (error) {
    // The source threw, or the sink failed while we waited for 'drain'.
    if (!sink.destroyed) sink.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  if (!sink.destroyed) sink.end();
  await done;
  return count;
}
