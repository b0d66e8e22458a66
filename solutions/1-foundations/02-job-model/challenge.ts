// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a versioned, exact, size-limited wire format for payloads.
//
// Wire format, version 1:  {"v":1,"payload":<value>}
//   - JSON values as themselves;
//   - a Date as {"$date":"<ISO 8601>"};
//   - an object key that starts with "$" gets one more "$" in front, so the
//     only single-"$" key on the wire is a tag, and no user data can fake one.

export const FORMAT_VERSION = 1;
export const DEFAULT_MAX_BYTES = 64 * 1024;

export interface EncodeOptions {
  maxBytes?: number;
}

type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

const DATE_TAG = "$date";

function reject(path: string, problem: string): never {
  throw new Error(`${path} ${problem}`);
}

function describe(value: object): string {
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === "string" && name !== "" ? name : "non-plain object";
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Converts a payload to JSON-safe data, or throws naming the first bad path. */
function toWire(value: unknown, path: string, ancestors: Set<object>): Wire {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) reject(path, `is ${value}; only finite numbers survive JSON (it would become null)`);
      return value;
    case "bigint":
      return reject(path, "is a BigInt; JSON has no BigInt: send it as a string");
    case "function":
      return reject(path, "is a function; code cannot be serialized, send the data it needs");
    case "symbol":
      return reject(path, "is a symbol; symbols cannot be serialized");
    case "undefined":
      return reject(path, "is undefined; JSON would turn it into null or drop it");
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) reject(path, "is a circular reference (it points back to an object that contains it)");

  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) reject(path, "is an invalid Date");
    return { [DATE_TAG]: object.toISOString() };
  }

  ancestors.add(object);
  let wire: Wire;
  if (Array.isArray(object)) {
    // Array.from visits holes too: [1, , 3] is rejected like [1, undefined, 3].
    wire = Array.from(object, (item, i) => toWire(item, `${path}[${i}]`, ancestors));
  } else if (isPlainObject(object)) {
    if (Object.getOwnPropertySymbols(object).length > 0) reject(path, "has a symbol key; JSON would drop it");
    // No prototype: assigning the key "__proto__" then makes an own property, not a prototype.
    const out: { [key: string]: Wire } = Object.create(null) as { [key: string]: Wire };
    for (const [key, child] of Object.entries(object)) {
      if (child === undefined) continue;
      out[key.startsWith("$") ? `$${key}` : key] = toWire(child, `${path}.${key}`, ancestors);
    }
    wire = out;
  } else {
    return reject(path, `is a ${describe(object)}; use plain objects, arrays, strings, numbers, booleans, null or Dates`);
  }
  ancestors.delete(object); // siblings may share this object; only ancestors make a cycle
  return wire;
}

function fromWire(wire: Wire): unknown {
  if (wire === null || typeof wire !== "object") return wire;
  if (Array.isArray(wire)) return wire.map(fromWire);
  const keys = Object.keys(wire);
  if (keys.length === 1 && keys[0] === DATE_TAG) return new Date(wire[DATE_TAG] as string);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.startsWith("$") && !key.startsWith("$$")) throw new Error(`malformed payload: unknown tag "${key}"`);
    // defineProperty, not assignment: a key named "__proto__" stays a plain key.
    Object.defineProperty(out, key.startsWith("$") ? key.slice(1) : key, {
      value: fromWire(wire[key]!),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function encodePayload(payload: unknown, options: EncodeOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const text = JSON.stringify({ v: FORMAT_VERSION, payload: toWire(payload, "payload", new Set()) });
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    throw new Error(`payload is ${bytes} bytes encoded, over the limit of ${maxBytes} bytes; store it elsewhere and enqueue its id`);
  }
  return text;
}

export function decodePayload(encoded: string): unknown {
  let envelope: unknown;
  try {
    envelope = JSON.parse(encoded);
  } catch {
    throw new Error("malformed payload: not JSON");
  }
  if (typeof envelope !== "object" || envelope === null || !("v" in envelope)) {
    throw new Error("malformed payload: no format version (v) found");
  }
  const { v, payload } = envelope as { v: unknown; payload?: Wire };
  if (v !== FORMAT_VERSION) {
    throw new Error(`unsupported payload format version ${JSON.stringify(v)}; this code reads version ${FORMAT_VERSION}`);
  }
  if (payload === undefined) throw new Error("malformed payload: no payload field");
  return fromWire(payload);
}

export interface StoredJob {
  id: string;
  type: string;
  payload: unknown;
}

export class JobStore {
  #maxBytes: number;
  #nextId = 1;
  #jobs: Array<{ id: string; type: string; encoded: string }> = [];

  constructor(options: EncodeOptions = {}) {
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  add(type: string, payload: unknown): string {
    const encoded = encodePayload(payload, { maxBytes: this.#maxBytes });
    const id = String(this.#nextId++);
    this.#jobs.push({ id, type, encoded });
    return id;
  }

  take(): StoredJob | undefined {
    const job = this.#jobs.shift();
    if (!job) return undefined;
    return { id: job.id, type: job.type, payload: decodePayload(job.encoded) };
  }

  get size(): number {
    return this.#jobs.length;
  }
}
