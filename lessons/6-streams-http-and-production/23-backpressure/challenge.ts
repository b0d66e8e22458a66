// Challenge: a producer that respects backpressure.
//
// A Writable buffers whatever you write() and never refuses a chunk. Its only
// way to say "slow down" is write()'s return value. A producer that ignores it
// fills memory as fast as it can produce; one that waits for the wrong event
// hangs forever. Write the one that gets it right, including when the sink
// breaks halfway through.

import type { Writable } from "node:stream";

/**
 * Writes every item of `items`, in order, into `sink` (an objectMode Writable),
 * with one write() per item, and returns how many items were written.
 *
 * - Backpressure: when write() returns false, wait for the sink's 'drain' event
 *   before writing the next item. When write() returns true, write the next item
 *   right away: 'drain' is only emitted after a write() that returned false, so
 *   waiting for it after a true waits forever. As a result, the sink's
 *   `writableLength` never exceeds its `writableHighWaterMark` (+1 at most) while
 *   the consumer is slower than the producer.
 * - When `items` is exhausted: call sink.end(), and resolve with the number of
 *   items written only once the sink has emitted 'finish' (everything consumed).
 * - The sink fails (an 'error') or closes before finishing (destroy() without
 *   an error), at any moment, including while you wait for 'drain': stop pulling
 *   from `items` (a generator's finally block runs) and reject with the sink's
 *   error, or with an Error for a premature close. Never hang, and never
 *   leave the sink's 'error' event unhandled.
 * - `items` throws: destroy the sink with that error and reject with it.
 */
export function produce<T>(items: Iterable<T> | AsyncIterable<T>, sink: Writable): Promise<number> {
  throw new Error("TODO: produce — write while write() returns true, wait for 'drain' after false, end and wait for 'finish'");
}
