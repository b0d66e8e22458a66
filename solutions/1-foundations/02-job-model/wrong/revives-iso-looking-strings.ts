// queuecraft:hidden-or-solution — never in a student edition
// Writes Dates as plain ISO strings and turns every ISO-looking string back into a Date on decode, so a string payload such as "2024-03-01T00:00:00.000Z" (a user's note, an id) comes back as a Date.
export const FORMAT_VERSION = 1;

export const DEFAULT_MAX_BYTES = 64 * 1024;

export interface EncodeOptions {
  maxBytes?: number;
}

type Key = string | number;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Envelope {
  v: number;
  data: Json;
  dates: [Key[], string][];
}

function describe(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor === "function" && typeof ctor.name === "string" && ctor.name !== "" ? ctor.name : "object of an unsupported kind";
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

function toData(value: unknown, path: string, keys: Key[], ancestors: Set<object>, dates: [Key[], string][]): Json {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isNaN(value)) throw new Error(`${path} is NaN, which JSON cannot carry`);
      if (!Number.isFinite(value)) throw new Error(`${path} is ${value}, not a finite number`);
      return value;
    case "bigint":
      throw new Error(`${path} is a BigInt, which JSON cannot carry`);
    case "function":
      throw new Error(`${path} is a function`);
    case "symbol":
      throw new Error(`${path} is a symbol`);
    case "undefined":
      throw new Error(`${path} is undefined`);
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Date && Object.getPrototypeOf(obj) === Date.prototype) {
    const time = obj.getTime();
    if (Number.isNaN(time)) throw new Error(`${path} is an invalid Date`);
    return obj.toISOString();
  }
  if (ancestors.has(obj)) throw new Error(`${path} is a circular reference`);
  if (Array.isArray(obj)) {
    ancestors.add(obj);
    const out: Json[] = [];
    for (let i = 0; i < obj.length; i++) {
      const itemPath = `${path}[${i}]`;
      if (!(i in obj)) throw new Error(`${itemPath} is undefined (a hole in a sparse array)`);
      keys.push(i);
      out.push(toData(obj[i], itemPath, keys, ancestors, dates));
      keys.pop();
    }
    ancestors.delete(obj);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) throw new Error(`${path} is ${describe(obj)}, not a plain object`);
  if (Object.getOwnPropertySymbols(obj).length > 0) throw new Error(`${path} has a symbol key, which JSON would drop`);
  ancestors.add(obj);
  const out: { [key: string]: Json } = Object.create(null) as { [key: string]: Json };
  for (const key of Object.keys(obj)) {
    const child = (obj as Record<string, unknown>)[key];
    if (child === undefined) continue;
    keys.push(key);
    const encoded = toData(child, `${path}.${key}`, keys, ancestors, dates);
    keys.pop();
    Object.defineProperty(out, key, { value: encoded, enumerable: true, writable: true, configurable: true });
  }
  ancestors.delete(obj);
  return out;
}

export function encodePayload(payload: unknown, options?: EncodeOptions): string {
  const maxBytes = options?.maxBytes === undefined ? DEFAULT_MAX_BYTES : options.maxBytes;
  const dates: [Key[], string][] = [];
  const data = toData(payload, "payload", [], new Set(), dates);
  const envelope: Envelope = { v: FORMAT_VERSION, data, dates };
  const text = JSON.stringify(envelope);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) throw new Error(`the encoded payload is ${bytes} bytes, over the limit of ${maxBytes} bytes`);
  return text;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function reviveDates(data: unknown): unknown {
  return JSON.parse(JSON.stringify(data), (_key, value: unknown) => (typeof value === "string" && ISO.test(value) ? new Date(value) : value));
}

function setOwn(target: object, key: Key, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function decodePayload(encoded: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(encoded);
  } catch (error) {
    throw new Error(`not an encoded payload: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an encoded payload: expected a JSON object");
  if (!Object.hasOwn(parsed, "v")) throw new Error("not an encoded payload: it has no format version (v)");
  const version = (parsed as { v: unknown }).v;
  if (version !== FORMAT_VERSION) {
    throw new Error(`unsupported payload format version ${JSON.stringify(version)}; this code reads version ${FORMAT_VERSION}`);
  }
  const envelope = parsed as Partial<Envelope>;
  if (!Object.hasOwn(envelope, "data") || !Array.isArray(envelope.dates)) throw new Error("not an encoded payload: data or dates missing");
  let root: unknown = reviveDates(envelope.data);
  for (const entry of envelope.dates) {
    const [keys, iso] = entry;
    const date = new Date(iso);
    if (keys.length === 0) {
      root = date;
      continue;
    }
    let parent = root as Record<Key, unknown>;
    for (const key of keys.slice(0, -1)) parent = parent[key] as Record<Key, unknown>;
    setOwn(parent, keys[keys.length - 1]!, date);
  }
  return root;
}

export interface StoredJob {
  id: string;
  type: string;
  payload: unknown;
}

export class JobStore {
  readonly #maxBytes: number | undefined;
  readonly #jobs: { id: string; type: string; encoded: string }[] = [];
  #counter = 0;

  constructor(options?: EncodeOptions) {
    this.#maxBytes = options?.maxBytes;
  }

  add(type: string, payload: unknown): string {
    const encoded = encodePayload(payload, { maxBytes: this.#maxBytes });
    this.#counter += 1;
    const id = `job-${this.#counter}`;
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
