// Challenge: a producer that respects backpressure.
//
// A Writable buffers whatever you write() and never refuses a chunk. Its only
// way to say "slow down" is write()'s return value. A producer that ignores it
// fills memory as fast as it can produce; one that waits for the wrong event
// hangs forever. Write the one that gets it right, including when the sink
// breaks halfway through.

import type { Writable } from "node:stream";

/**
 * Writes every item of `items` into `sink` (an objectMode Writable) and returns
 * how many items were written.
 *
 * - [C1] One write() per item, in order, every item (0, "", false, NaN and
 *   undefined included: an objectMode stream carries them all; `items` never
 *   holds null, the one value it cannot carry).
 * - [C2] Backpressure: when write() returns false, wait for the sink's 'drain'
 *   event before writing the next item. As a result, the sink's `writableLength`
 *   never exceeds its `writableHighWaterMark` (+1 at most) while the consumer is
 *   slower than the producer.
 * - [C3] When write() returns true, write the next item right away: 'drain' is
 *   only emitted after a write() that returned false, so waiting for it after a
 *   true waits forever.
 * - [C4] When `items` is exhausted (also when it was empty): call sink.end(), and
 *   resolve with the number of items written only once the sink has emitted
 *   'finish' (everything consumed, its final() done).
 * - [C5] The sink fails (an 'error') or closes before finishing (destroy()
 *   without an error) while items are still being written: while you wait for
 *   'drain', while you wait for the next item of a slow source, or already
 *   before the call (its 'error' and 'close' events long emitted). Then stop
 *   pulling from `items` (a generator's finally block runs) and reject with the
 *   sink's error, or, for a premature close, with an Error (an instance of
 *   Error, never null or undefined). Never hang (not even when the sink is destroyed after end(), before
 *   'finish'), and never leave the sink's 'error' event unhandled.
 * - [C6] `items` throws: destroy the sink with that error (an Error made from it
 *   if the thrown value is not one) and reject with the thrown value itself,
 *   unchanged, even when it is a string or another non-Error.
 */
export function produce<T>(items: Iterable<T> | AsyncIterable<T>, sink: Writable): Promise<number> {
  throw new Error("TODO: produce — write while write() returns true, wait for 'drain' after false, end and wait for 'finish'");
}
