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
 * - [C1] null, booleans, strings, finite numbers (-0 may come back as 0),
 *   arrays and plain objects (prototype Object.prototype or null) come back
 *   deep-equal: decodePayload(encodePayload(x)) equals x. Falsy values (0, "",
 *   false, null, [], {}) are payloads like any other, as the whole payload or
 *   inside it, and a string stays a string even when it looks like a date.
 *   Decoded objects and arrays are ordinary ones: a worker may change, add
 *   and delete their properties.
 * - [C2] A property whose value is `undefined` is left out, as JSON does;
 *   reading it back still gives undefined.
 * - [C3] Valid Dates come back as Date objects with the same time in ms,
 *   wherever they are: the epoch (time 0), before 1970 and far in the future too.
 * - [C4] Every string is a valid object key and comes back as an own key with
 *   its value: "", keys that look like whatever tags your format uses (e.g.
 *   "$date", "__type"), and names that objects already have ("__proto__",
 *   "constructor", "toString", "hasOwnProperty").
 *
 * Rejected values:
 * - [C5] A rejected payload throws an Error (an Error object, not a string),
 *   before anything is stored, whose message contains the path of the first
 *   bad value found and says what it is. Paths start at "payload" and add
 *   ".key" for object properties and "[i]" for array items, e.g.
 *   "payload.user.id is a BigInt", "payload.items[2] is undefined".
 * - [C6] a BigInt (message mentions "BigInt"), a function ("function") (an own
 *   `toJSON` method too: it is a function-valued property), a symbol
 *   ("symbol"), and an object with a symbol key (JSON would drop it; the path is
 *   the object's, the message mentions "symbol");
 * - [C7] `undefined` as an array item (a hole in a sparse array counts as one) or as
 *   the payload itself ("undefined");
 * - [C8] NaN, Infinity, -Infinity ("NaN" / "Infinity" / "finite");
 * - [C9] an invalid Date ("invalid");
 * - [C10] a circular reference: the path is that of the property pointing back to an
 *   ancestor, e.g. "payload.node.parent is a circular reference" (mentions
 *   "circular" or "cycle"). The same object reached twice WITHOUT a cycle is
 *   fine: it is encoded twice and decodes as two equal copies. Depth alone is
 *   never a reason to reject: a payload nested hundreds of levels deep is fine;
 * - [C11] any other object: Map, Set, Buffer, typed arrays, RegExp, Error,
 *   boxed primitives (new String("x")), class instances... (the message names
 *   its constructor, e.g. "payload.tags is a Set"; one with no named
 *   constructor, such as an instance of an anonymous class or
 *   Object.create(Object.create(null)), is called an "object").
 *
 * - [C12] Size: if the whole encoded string is longer than `maxBytes` UTF-8 bytes
 *   (not characters: "é" is 2 bytes), throws an Error whose message contains the
 *   limit, e.g. "... 70012 bytes, over the limit of 65536 bytes". An encoding of
 *   exactly `maxBytes` bytes is fine. DEFAULT_MAX_BYTES applies only when
 *   `maxBytes` is omitted (undefined): an explicit 0 refuses every payload.
 *
 * - [C13] Format: the result is the JSON text of an object whose `v` property is
 *   FORMAT_VERSION. The rest of that object is yours to design.
 */
export function encodePayload(payload: unknown, options?: EncodeOptions): string {
  throw new Error("TODO: walk the payload, reject what JSON cannot carry exactly, tag Dates, check the byte size");
}

/**
 * Decodes a string made by encodePayload (of this format version).
 *
 * - [C14] Throws an Error if the text is not such an envelope (not JSON, not a
 *   JSON object, no `v`), instead of returning garbage.
 * - [C15] Checks `v` before anything else in the envelope: if `v` is not
 *   FORMAT_VERSION (2, 0, "1", null...), the message contains "version" and the
 *   version found (e.g. "unsupported payload format version 2; this code reads
 *   version 1"), whatever else the envelope holds or lacks.
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
 * - [C16] add(type, payload) encodes the payload now, with the store's
 *   `maxBytes` (DEFAULT_MAX_BYTES when omitted; an explicit 0 counts), so a bad
 *   or oversized payload throws HERE, at enqueue time, and nothing is stored.
 * - [C17] add() returns an id this store has never returned before, also after
 *   jobs were taken.
 * - [C18] Changing the caller's object after add() must not change the job.
 * - [C19] take() removes and returns the oldest job ({ id, type, payload }),
 *   its payload decoded; undefined when the store is empty.
 * - [C20] size is the number of jobs stored.
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
