// queuecraft:hidden-or-solution — never in a student edition
// Alternative: every value is a [tag, data] pair on the wire (no key escaping needed), ancestors are a stack array, bytes come from TextEncoder, and the store is a Map with a head counter.

export const FORMAT_VERSION = 1;
export const DEFAULT_MAX_BYTES = 64 * 1024;

export interface EncodeOptions {
  maxBytes?: number;
}

type Node =
  | ["z"] // null
  | ["b", boolean]
  | ["n", number]
  | ["s", string]
  | ["d", number] // Date, as epoch milliseconds
  | ["a", Node[]]
  | ["o", Array<[string, Node]>];

class PayloadError extends Error {}

function fail(path: string, what: string): never {
  throw new PayloadError(`${path} is ${what}`);
}

function kindOf(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value);
  const ctor = proto !== null && typeof proto === "object" ? (proto as { constructor?: { name?: unknown } }).constructor : undefined;
  const name = typeof ctor === "function" ? ctor.name : undefined;
  return typeof name === "string" && name.length > 0 ? `a ${name} (only plain objects, arrays and Dates are supported)` : "an unsupported object";
}

function encodeNode(value: unknown, path: string, stack: object[]): Node {
  if (value === null) return ["z"];
  if (typeof value === "boolean") return ["b", value];
  if (typeof value === "string") return ["s", value];
  if (typeof value === "number") {
    if (Number.isNaN(value)) fail(path, "NaN, which JSON cannot carry");
    if (!Number.isFinite(value)) fail(path, `${value}: not a finite number`);
    return ["n", value];
  }
  if (typeof value === "bigint") fail(path, "a BigInt");
  if (typeof value === "function") fail(path, "a function");
  if (typeof value === "symbol") fail(path, "a symbol");
  if (value === undefined) fail(path, "undefined");
  const object = value as object;
  if (stack.includes(object)) fail(path, "a circular reference");
  if (Object.prototype.toString.call(object) === "[object Date]" && object instanceof Date) {
    const time = object.getTime();
    if (time !== time) fail(path, "an invalid Date");
    return ["d", time];
  }
  stack.push(object);
  try {
    if (Array.isArray(object)) {
      const items: Node[] = [];
      for (let i = 0; i < object.length; i++) items.push(encodeNode(object[i], `${path}[${i}]`, stack));
      return ["a", items];
    }
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== null && proto !== Object.prototype) fail(path, kindOf(object));
    if (Object.getOwnPropertySymbols(object).length > 0) fail(path, "an object with a symbol key");
    const entries: Array<[string, Node]> = [];
    for (const key of Object.keys(object)) {
      const child = (object as Record<string, unknown>)[key];
      if (child !== undefined) entries.push([key, encodeNode(child, `${path}.${key}`, stack)]);
    }
    return ["o", entries];
  } finally {
    stack.pop();
  }
}

function decodeNode(node: Node): unknown {
  switch (node[0]) {
    case "z":
      return null;
    case "b":
    case "n":
    case "s":
      return node[1];
    case "d":
      return new Date(node[1]);
    case "a":
      return node[1].map(decodeNode);
    case "o": {
      const out: Record<string, unknown> = {};
      for (const [key, child] of node[1]) {
        Object.defineProperty(out, key, { value: decodeNode(child), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      throw new Error(`malformed payload: unknown node ${JSON.stringify(node[0])}`);
  }
}

const utf8 = new TextEncoder();

export function encodePayload(payload: unknown, options?: EncodeOptions): string {
  const limit = options?.maxBytes === undefined ? DEFAULT_MAX_BYTES : options.maxBytes;
  const text = JSON.stringify({ v: FORMAT_VERSION, tree: encodeNode(payload, "payload", []) });
  const size = utf8.encode(text).byteLength;
  if (size > limit) throw new Error(`the encoded payload takes ${size} bytes; the limit is ${limit} bytes`);
  return text;
}

export function decodePayload(encoded: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(encoded);
  } catch {
    throw new Error("not an encoded payload (invalid JSON)");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || !Object.prototype.hasOwnProperty.call(parsed, "v")) {
    throw new Error("not an encoded payload (no envelope with a v field)");
  }
  const version = (parsed as { v: unknown }).v;
  if (version !== FORMAT_VERSION) throw new Error(`cannot read payload format version ${String(version)} (expected version ${FORMAT_VERSION})`);
  const tree = (parsed as { tree?: unknown }).tree;
  if (!Array.isArray(tree)) throw new Error("not an encoded payload (no tree)");
  return decodeNode(tree as Node);
}

export interface StoredJob {
  id: string;
  type: string;
  payload: unknown;
}

export class JobStore {
  private readonly options: EncodeOptions;
  private readonly jobs = new Map<number, { type: string; text: string }>();
  private head = 0;
  private tail = 0;

  constructor(options?: EncodeOptions) {
    this.options = { ...options };
  }

  add(type: string, payload: unknown): string {
    const text = encodePayload(payload, this.options);
    const n = this.tail++;
    this.jobs.set(n, { type, text });
    return `job-${n}`;
  }

  take(): StoredJob | undefined {
    if (this.head === this.tail) return undefined;
    const n = this.head++;
    const job = this.jobs.get(n)!;
    this.jobs.delete(n);
    return { id: `job-${n}`, type: job.type, payload: decodeNode(JSON.parse(job.text).tree as Node) };
  }

  get size(): number {
    return this.tail - this.head;
  }
}
