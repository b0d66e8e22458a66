// Challenge: a versioned wire format for job payloads, and a store that uses it.
//
// A payload crosses a process boundary (Redis, a database row), so it must
// become bytes and come back as the same value. Decide what is supported,
// keep it exact, and reject everything else loudly, at enqueue time.

/** The format version written by encodePayload. */
export const FORMAT_VERSION = 1;

/** The size limit when no `maxBytes` is given: 64 KiB of encoded UTF-8. */
export const DEFAULT_MAX_BYTES = 64 * 1024;

export interface EncodeOptions {
  /** Refuse payloads whose encoded form is longer than this many UTF-8 bytes. Default DEFAULT_MAX_BYTES. */
  maxBytes?: number;
}

/**
 * Encodes a payload as a string that decodePayload turns back into an equal value.
 *
 * Supported values, nested to any depth:
 * - null, booleans, strings, finite numbers (-0 may come back as 0);
 * - arrays;
 * - plain objects (prototype Object.prototype or null). A property whose value
 *   is `undefined` is left out, as JSON does; reading it back still gives undefined;
 * - Dates (valid ones): they come back as Date objects with the same time.
 * Every string is a valid object key, including ones that look like whatever
 * tags your format uses (e.g. "$date", "__type").
 *
 * Rejected: throws an Error, before anything is stored, whose message contains
 * the path of the first bad value found and says what it is. Paths start at
 * "payload" and add ".key" for object properties and "[i]" for array items,
 * e.g. "payload.user.id is a BigInt", "payload.items[2] is undefined".
 * - a BigInt (message mentions "BigInt"), a function ("function"), a symbol ("symbol");
 * - `undefined` as an array item (a hole in a sparse array counts as one) or as
 *   the payload itself ("undefined");
 * - NaN, Infinity, -Infinity ("NaN" / "Infinity" / "finite");
 * - an invalid Date ("invalid");
 * - a circular reference: the path is that of the property pointing back to an
 *   ancestor, e.g. "payload.node.parent is a circular reference" (mentions
 *   "circular" or "cycle"). The same object reached twice WITHOUT a cycle is
 *   fine: it is encoded twice and decodes as two equal copies;
 * - any other object: Map, Set, Buffer, class instances... (the message names
 *   its constructor, e.g. "payload.tags is a Set").
 *
 * Size: if the encoded string is longer than `maxBytes` UTF-8 bytes (not
 * characters: "é" is 2 bytes), throws an Error whose message contains the
 * limit, e.g. "... 70012 bytes, over the limit of 65536 bytes".
 *
 * Format: the result is the JSON text of an object whose `v` property is
 * FORMAT_VERSION. The rest of that object is yours to design.
 */
export function encodePayload(payload: unknown, options?: EncodeOptions): string {
  throw new Error("TODO: walk the payload, reject what JSON cannot carry exactly, tag Dates, check the byte size");
}

/**
 * Decodes a string made by encodePayload (of this format version).
 * Throws an Error if the text is not such an envelope; if its `v` is not
 * FORMAT_VERSION, the message contains "version" and the version found
 * (e.g. "unsupported payload format version 2; this code reads version 1").
 */
export function decodePayload(encoded: string): unknown {
  throw new Error("TODO: parse, check the version, turn tagged values back into Dates");
}

export interface StoredJob {
  id: string;
  type: string;
  payload: unknown;
}

/**
 * An in-memory job store that keeps jobs the way a real queue does: encoded.
 *
 * - add(type, payload): encodes the payload now (so a bad or oversized payload
 *   throws HERE, at enqueue time, and nothing is stored) and returns a new id.
 *   Changing the caller's object after add() must not change the job.
 * - take(): removes and returns the oldest job, its payload decoded; undefined when empty.
 * - size: the number of jobs stored.
 */
export class JobStore {
  constructor(options?: EncodeOptions) {
    throw new Error("TODO: keep the options and an empty list of encoded jobs");
  }

  add(type: string, payload: unknown): string {
    throw new Error("TODO: encode first, then store");
  }

  take(): StoredJob | undefined {
    throw new Error("TODO: remove the oldest job and decode its payload");
  }

  get size(): number {
    throw new Error("TODO");
  }
}
