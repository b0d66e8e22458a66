// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/02-job-model/challenge.ts");
const { encodePayload, decodePayload, JobStore, FORMAT_VERSION, DEFAULT_MAX_BYTES } = await loadCandidate<Challenge>(import.meta.url);

const roundTrip = (payload: unknown) => decodePayload(encodePayload(payload, { maxBytes: 1e9 }));

/** The error `fn` throws, or undefined if it returns normally. */
function thrownBy(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  return undefined;
}

// --- generators ----------------------------------------------------------------
/** Keys include strings that look like tags a format might use: they must stay plain keys. */
const key = fc
  .oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom("$date", "$$date", "__date", "$type", "__type", "_type", "type", "value", "$", "$v", "v", "payload", "__class", "iso") },
  )
  .filter((k) => k !== "__proto__");
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.date({ noInvalidDate: true }),
);
const { value: supportedValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
}));

const ident = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,6}$/);
const BAD: Array<{ name: string; make: () => unknown; says: RegExp }> = [
  { name: "a BigInt", make: () => 10n, says: /bigint/i },
  { name: "a function", make: () => () => 1, says: /function/i },
  { name: "a symbol", make: () => Symbol("s"), says: /symbol/i },
  { name: "NaN", make: () => NaN, says: /NaN|finite/i },
  { name: "Infinity", make: () => -Infinity, says: /Infinity|finite/i },
  { name: "a Map", make: () => new Map([["a", 1]]), says: /Map/ },
  { name: "a Set", make: () => new Set([1]), says: /Set/ },
  { name: "an invalid Date", make: () => new Date(Number.NaN), says: /invalid/i },
];
/** A valid payload with exactly one bad value buried at a random depth, and that value's path. */
const buried = fc
  .record({
    bad: fc.nat(BAD.length - 1),
    steps: fc.array(fc.oneof(fc.record({ key: ident }), fc.record({ index: fc.nat(3) })), { maxLength: 4 }),
    filler: fc.dictionary(ident, fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }),
  })
  .map(({ bad, steps, filler }) => {
    const kind = BAD[bad]!;
    let value = kind.make();
    let path = "";
    for (const step of [...steps].reverse()) {
      if ("key" in step) {
        value = { ...filler, [step.key]: value };
        path = `.${step.key}${path}`;
      } else {
        value = [...Array.from({ length: step.index }, (_, i) => i), value];
        path = `[${step.index}]${path}`;
      }
    }
    return { payload: value, path: `payload${path}`, kind };
  });

// --- round trip ------------------------------------------------------------------
describe("[C1][C2][C3][C4] round trip", () => {
  test("[C1][C3][C4] any supported payload decodes deep-equal to what was encoded, Dates included", () => {
    fc.assert(
      fc.property(supportedValue, (payload) => {
        const back = roundTrip(payload);
        // expect() only on a mismatch: it costs more than the code under test.
        if (isDeepStrictEqual(back, payload)) return;
        expect(back, "decodePayload(encodePayload(x)) must deep-equal x (Dates as Dates, tag-like keys as plain keys)").toEqual(payload);
      }),
    );
  });

  test("[C3] Dates come back as Date objects with the same time, at the top and nested in objects and arrays", () => {
    const at = new Date("2024-03-01T09:30:00.123Z");
    const back = roundTrip({ createdAt: at, history: [{ at }, at], nested: { deeper: { when: at } } }) as {
      createdAt: unknown;
      history: [{ at: unknown }, unknown];
      nested: { deeper: { when: unknown } };
    };
    expect(back.createdAt, "payload.createdAt must come back as a Date, not an ISO string (plain JSON.stringify loses this)").toBeInstanceOf(Date);
    expect((back.createdAt as Date).getTime(), "the Date must keep its exact time, milliseconds included").toBe(at.getTime());
    expect(back.history[0].at, "a Date inside an object inside an array must come back as a Date").toBeInstanceOf(Date);
    expect(back.history[1], "a Date directly inside an array must come back as a Date").toBeInstanceOf(Date);
    expect(back.nested.deeper.when, "a deeply nested Date must come back as a Date").toBeInstanceOf(Date);
    expect(roundTrip(at), "a Date as the whole payload must come back as a Date").toBeInstanceOf(Date);
  });

  test("[C4] plain objects that look like a tag stay plain objects", () => {
    const lookalikes: unknown[] = [
      { $date: "2024-03-01T00:00:00.000Z" },
      { $date: 0 },
      { __type: "Date", value: "2024-03-01T00:00:00.000Z" },
      { type: "Date", value: "2024-03-01T00:00:00.000Z" },
      { __date: "2024-03-01T00:00:00.000Z" },
      { $$date: "x", $: 1, $type: "Map" },
      ["$date", "2024-03-01T00:00:00.000Z"],
    ];
    for (const payload of lookalikes) {
      expect(roundTrip(payload), `${JSON.stringify(payload)} is user data, not one of your tags: escape user keys so they cannot be mistaken for tags`).toEqual(payload);
    }
  });

  test("[C1] falsy payloads and strings that look like dates come back exactly as they were", () => {
    const payloads: unknown[] = [0, "", false, null, [], {}, { a: 0, b: "", c: false, d: null, e: [], f: {} }, [0, "", false, null, [], {}],
      "2024-03-01T09:30:00.123Z", { at: "2024-03-01T09:30:00.123Z", day: "2024-03-01" }, ["2024-03-01T09:30:00.000Z"], "0", "null", "undefined"];
    for (const payload of payloads) {
      const back = roundTrip(payload);
      if (!isDeepStrictEqual(back, payload)) {
        expect(back, `${JSON.stringify(payload)} must come back exactly (a falsy payload is still a payload; a string that looks like a date stays a string)`).toEqual(payload);
      }
    }
  });

  test("[C3] Dates at the edges keep their exact time: the epoch, before 1970, the first and last valid instants", () => {
    for (const time of [0, -1, 1, -8.64e15, 8.64e15, Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-1, 5, 1)]) {
      const at = new Date(time);
      for (const [where, payload, pick] of [
        ["the whole payload", at, (x: unknown) => x],
        ["a property", { at }, (x: unknown) => (x as { at: unknown }).at],
        ["an array item", [at], (x: unknown) => (x as unknown[])[0]],
      ] as const) {
        let back: unknown;
        const error = thrownBy(() => (back = pick(roundTrip(payload))));
        expect(error?.message, `the valid Date ${at.toISOString()} (time ${time}) as ${where} must be accepted`).toBeUndefined();
        expect(back, `the Date ${at.toISOString()} as ${where} must come back as a Date`).toBeInstanceOf(Date);
        expect((back as Date).getTime(), `the Date ${at.toISOString()} as ${where} must keep its time (${time})`).toBe(time);
      }
    }
  });

  test("[C4] keys named __proto__, constructor, toString, hasOwnProperty or \"\" come back as own keys with their values", () => {
    const payload = JSON.parse(
      '{"__proto__":{"admin":true},"constructor":"c","toString":"t","hasOwnProperty":0,"valueOf":null,"":"empty","nested":{"__proto__":5,"$date":"2024-01-01T00:00:00.000Z","__type":"Date"}}',
    ) as Record<string, unknown>;
    const back = roundTrip(payload) as Record<string, unknown>;
    expect(Object.keys(back).sort(), "every key of the payload must come back as an own key, __proto__ included").toEqual(Object.keys(payload).sort());
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value, 'the key "__proto__" must come back as a plain key with its value, not be dropped or become the prototype').toEqual({ admin: true });
    expect((back as { admin?: unknown }).admin, 'a "__proto__" key must not become the decoded object\'s prototype').toBeUndefined();
    for (const key of ["constructor", "toString", "hasOwnProperty", "valueOf", ""]) {
      expect(Object.getOwnPropertyDescriptor(back, key)?.value, `the key ${JSON.stringify(key)} must come back with its value`).toBe(payload[key]);
    }
    const nested = back.nested as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(nested ?? {}, "__proto__")?.value, 'a nested "__proto__" key must come back with its value').toBe(5);
    expect(nested?.$date, 'a nested "$date" key is user data: it stays a string').toBe("2024-01-01T00:00:00.000Z");

    const bare: unknown = Object.assign(Object.create(null) as object, { constructor: "x", items: [Object.assign(Object.create(null) as object, { toString: "y" })] });
    expect(roundTrip(bare), "objects with a null prototype are plain objects: they round-trip with their keys").toEqual({ constructor: "x", items: [{ toString: "y" }] });
  });

  test("[C1][C10] a payload nested 300 levels deep is not mistaken for a cycle", () => {
    let object: unknown = { leaf: true };
    let array: unknown = ["leaf"];
    for (let i = 0; i < 300; i++) {
      object = { child: object };
      array = [array];
    }
    for (const payload of [object, array]) {
      let back: unknown;
      const error = thrownBy(() => (back = roundTrip(payload)));
      expect(error?.message, "depth alone is no reason to reject a payload: only an object that contains itself is circular").toBeUndefined();
      if (!isDeepStrictEqual(back, payload)) expect(back, "a deeply nested payload must round-trip").toEqual(payload);
    }
  });

  test("[C10] the same object reached twice without a cycle is accepted and decodes as equal copies", () => {
    const address = { street: "1 Main St", city: "Springfield" };
    const payload = { billing: address, shipping: address, all: [address, address] };
    const error = thrownBy(() => encodePayload(payload));
    expect(error?.message, "a shared object is not a cycle: only an object that contains itself is circular").toBeUndefined();
    expect(roundTrip(payload), "shared objects decode as copies with equal contents").toEqual(payload);
  });

  test("[C2] object properties that are undefined are left out", () => {
    const back = roundTrip({ a: 1, b: undefined, c: { d: undefined } }) as Record<string, unknown>;
    expect(Object.keys(back).sort(), "a property whose value is undefined is left out, as JSON does").toEqual(["a", "c"]);
    expect(back.c, "also in nested objects").toEqual({});
  });

  test("[C1] decoded objects and arrays are ordinary: their properties can be changed, added and deleted", () => {
    const back = roundTrip({ attempts: 0, $date: "x", nested: { done: false }, list: [1] }) as {
      attempts: number;
      $date?: string;
      nested: { done?: boolean };
      list: number[];
    };
    const error = thrownBy(() => {
      back.attempts = 1;
      delete back.$date;
      back.nested.done = true;
      delete back.nested.done;
      back.list[0] = 2;
      back.list.push(3);
    });
    expect(error?.message, "a worker may change its payload: decoded properties must be writable and configurable (as JSON.parse makes them)").toBeUndefined();
    expect(back, "the changes a worker makes to a decoded payload stick").toEqual({ attempts: 1, nested: {}, list: [2, 3] });
  });

  test("[C13] the encoded form is JSON with the format version in `v`", () => {
    const envelope = JSON.parse(encodePayload({ orderId: 42 })) as Record<string, unknown>;
    expect(envelope.v, "the encoded text must be a JSON object whose `v` is FORMAT_VERSION").toBe(FORMAT_VERSION);
    expect(FORMAT_VERSION, "FORMAT_VERSION is 1").toBe(1);
  });
});

// --- rejection -------------------------------------------------------------------
describe("[C5][C6][C7][C8][C9][C10][C11] unserializable payloads", () => {
  test("[C5][C6][C7][C8][C9][C10][C11] each kind of bad value is rejected with the path of the bad field and what it is", () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const cases: Array<[unknown, string, RegExp]> = [
      [{ user: { id: 10n } }, "payload.user.id", /bigint/i],
      [{ onDone: () => undefined }, "payload.onDone", /function/i],
      [{ kind: Symbol("urgent") }, "payload.kind", /symbol/i],
      [{ items: [1, undefined, 3] }, "payload.items[1]", /undefined/],
      [{ items: [1, , 3] }, "payload.items[1]", /undefined/], // a hole: .map() skips it and JSON turns it into null
      [{ ratio: NaN }, "payload.ratio", /NaN|finite/i],
      [{ max: Infinity }, "payload.max", /Infinity|finite/i],
      [{ when: new Date("not a date") }, "payload.when", /invalid/i],
      [{ tags: new Set(["gift"]) }, "payload.tags", /Set/],
      [{ meta: new Map([["source", "web"]]) }, "payload.meta", /Map/],
      [{ file: Buffer.from("hi") }, "payload.file", /Buffer|Uint8Array/],
      [{ price: new Money(500) }, "payload.price", /Money/],
      [{ orders: [{ lines: [{ sku: "a", qty: 1n }] }] }, "payload.orders[0].lines[0].qty", /bigint/i],
      [10n, "payload", /bigint/i],
      [undefined, "payload", /undefined/],
      [[undefined], "payload[0]", /undefined/],
      [{ a: { toJSON: () => "fine", v: 1 } }, "payload.a.toJSON", /function/i],
      [{ a: { [Symbol("k")]: 1, b: 2 } }, "payload.a", /symbol/i],
      [{ pattern: /ab+c/ }, "payload.pattern", /RegExp/],
      [{ failure: new Error("boom") }, "payload.failure", /Error/],
      [{ bytes: new Uint8Array([1, 2]) }, "payload.bytes", /Uint8Array/],
      [{ name: new String("ada") }, "payload.name", /String/],
      [{ count: new Number(3) }, "payload.count", /Number/],
      [{ flag: new Boolean(false) }, "payload.flag", /Boolean/],
      [{ done: Promise.resolve(1) }, "payload.done", /Promise/],
      [{ ratio: -Infinity }, "payload.ratio", /Infinity|finite/i],
      [[0, [1, [2, NaN]]], "payload[1][1][1]", /NaN|finite/i],
    ];
    for (const [payload, path, says] of cases) {
      let raw: unknown = undefined;
      try {
        encodePayload(payload);
      } catch (thrown) {
        raw = thrown ?? "a falsy value";
      }
      expect(raw, `${path} must be rejected, not silently dropped or converted`).toBeDefined();
      expect(raw instanceof Error, `the rejection of ${path} must be thrown as an Error object (throw new Error(...)), not a string`).toBe(true);
      const error = raw as Error;
      expect(error?.message, `the error must name the path of the bad field ("${path}")`).toContain(path);
      expect(error?.message, `the error for ${path} must say what the value is (${says})`).toMatch(says);
    }
  });

  test("[C5] a bad value buried anywhere in a valid payload is rejected with its exact path", () => {
    fc.assert(
      fc.property(buried, ({ payload, path, kind }) => {
        const error = thrownBy(() => encodePayload(payload));
        if (error !== undefined && error.message.includes(path) && kind.says.test(error.message)) return;
        expect(error, `${kind.name} at ${path} must be rejected, never dropped or turned into null`).toBeDefined();
        expect(error?.message, `the error must contain the path "${path}"`).toContain(path);
        expect(error?.message, `the error must say it is ${kind.name}`).toMatch(kind.says);
      }),
    );
  });

  test("[C5][C11] an object with no named constructor is rejected with its path and called an object", () => {
    const nameless: Array<[string, unknown]> = [
      ["an instance of an anonymous class", new (class {})()],
      ["an object whose prototype has no constructor", Object.create(Object.create(null) as object) as unknown],
      ["an object whose prototype's constructor is not a function", Object.create({ constructor: 42 }) as unknown],
    ];
    for (const [what, value] of nameless) {
      const error = thrownBy(() => encodePayload({ odd: value }));
      expect(error?.message, `${what} is not a plain object: it must be rejected (use constructor?.name: it may have none)`).toContain("payload.odd");
      expect(error?.message, `${what} has no constructor name: the message must call it an "object" (not "undefined", not "a ")`).toMatch(/\bobject\b/i);
    }
  });

  test("[C10] a circular reference is rejected with the path of the property that points back", () => {
    const node: Record<string, unknown> = { name: "root" };
    node.self = node;
    const error = thrownBy(() => encodePayload({ node }));
    expect(error, "a payload that contains itself must be rejected").toBeDefined();
    expect(error?.message, 'the error must name the property closing the cycle: "payload.node.self"').toContain("payload.node.self");
    expect(error?.message, "the error must say it is circular").toMatch(/circular|cycle/i);

    const list: unknown[] = [1];
    list.push({ back: list });
    const arrayError = thrownBy(() => encodePayload({ list }));
    expect(arrayError?.message ?? "", 'cycles through arrays too: "payload.list[1].back"').toContain("payload.list[1].back");
  });
});

// --- size and version ---------------------------------------------------------------
describe("[C12] size limit", () => {
  test("[C12] the limit counts UTF-8 bytes of the encoded form: exactly at the limit passes, one byte over is refused", () => {
    const payloads = fc.record({
      note: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
      at: fc.date({ noInvalidDate: true }),
      n: fc.integer(),
    });
    fc.assert(
      fc.property(payloads, (payload) => {
        const bytes = Buffer.byteLength(encodePayload(payload, { maxBytes: 1e9 }), "utf8");
        const atLimit = thrownBy(() => encodePayload(payload, { maxBytes: bytes }));
        const error = thrownBy(() => encodePayload(payload, { maxBytes: bytes - 1 }));
        if (atLimit === undefined && error !== undefined && error.message.includes(String(bytes - 1))) return;
        expect(atLimit?.message, `an encoding of exactly maxBytes (${bytes}) bytes is allowed`).toBeUndefined();
        expect(error, `an encoding of ${bytes} bytes is over maxBytes ${bytes - 1}: refuse it (count bytes, not string length)`).toBeDefined();
        expect(error?.message, "the size error must state the limit").toContain(String(bytes - 1));
      }),
    );
  });

  test("[C12] multi-byte characters count as bytes, not characters", () => {
    const payload = { note: "é".repeat(1000) + "😀".repeat(100) };
    const encoded = encodePayload(payload, { maxBytes: 1e9 });
    const bytes = Buffer.byteLength(encoded, "utf8");
    expect(thrownBy(() => encodePayload(payload, { maxBytes: bytes - 1 })), `"é" is 2 bytes and "😀" 4: an encoding of ${bytes} bytes (${encoded.length} UTF-16 units) is over ${bytes - 1}`).toBeDefined();
  });

  test("[C12] without options the limit is 64 KiB", () => {
    expect(thrownBy(() => encodePayload({ blob: "x".repeat(70_000) })), "a 70 KB payload is over the default 64 KiB limit").toBeDefined();
    expect(thrownBy(() => encodePayload({ blob: "x".repeat(60_000) }))?.message, "a 60 KB payload is under the default 64 KiB limit").toBeUndefined();
  });
});

describe("[C12] explicit limits", () => {
  test("[C12] the default limit is exactly DEFAULT_MAX_BYTES (65536) bytes: an encoding of 65536 bytes passes, 65537 is refused", () => {
    expect(DEFAULT_MAX_BYTES, "DEFAULT_MAX_BYTES is 64 KiB: 64 * 1024 bytes").toBe(65_536);
    const overhead = Buffer.byteLength(encodePayload({ blob: "" }, { maxBytes: 1e9 }), "utf8");
    const exact = { blob: "x".repeat(65_536 - overhead) };
    const over = { blob: "x".repeat(65_536 - overhead + 1) };
    expect(Buffer.byteLength(encodePayload(exact, { maxBytes: 1e9 }), "utf8"), "(the test builds a payload whose encoding is exactly 65536 bytes)").toBe(65_536);
    expect(thrownBy(() => encodePayload(exact))?.message, "without options, an encoding of exactly 65536 bytes (64 KiB) is allowed").toBeUndefined();
    expect(thrownBy(() => encodePayload(over)), "without options, an encoding of 65537 bytes is over the 64 KiB limit").toBeDefined();
    expect(thrownBy(() => new JobStore().add("x", over)), "a JobStore without options uses the same 64 KiB limit").toBeDefined();
  });

  test("[C12] an explicit maxBytes of 0 refuses every payload; only an omitted maxBytes means 64 KiB", () => {
    for (const payload of [null, 0, {}, { a: 1 }]) {
      const error = thrownBy(() => encodePayload(payload, { maxBytes: 0 }));
      expect(error, `maxBytes 0 is a limit like any other (read it with ??, not ||): ${JSON.stringify(payload)} must be refused`).toBeDefined();
    }
    expect(thrownBy(() => encodePayload({ blob: "x".repeat(70_000) }, { maxBytes: undefined })), "maxBytes undefined means the default 64 KiB: a 70 KB payload is refused").toBeDefined();
    expect(thrownBy(() => encodePayload({ blob: "x".repeat(70_000) }, {}))?.message, "an empty options object means the default 64 KiB").toBeDefined();
    expect(thrownBy(() => encodePayload({ blob: "x".repeat(70_000) }, { maxBytes: 2 ** 32 }))?.message, "a limit of 2^32 bytes is far above 70 KB: accept it").toBeUndefined();
  });
});

describe("[C14][C15] versions", () => {
  test("[C15] decoding an unknown format version fails with a message naming the version", () => {
    const envelope = JSON.parse(encodePayload({ orderId: 42 })) as Record<string, unknown>;
    const error = thrownBy(() => decodePayload(JSON.stringify({ ...envelope, v: 99 })));
    expect(error, "a payload written by format version 99 must not be decoded as version 1").toBeDefined();
    expect(error?.message, "the error must mention the version").toMatch(/version/i);
    expect(error?.message, "the error must say which version it found (99)").toContain("99");
    expect(thrownBy(() => decodePayload(JSON.stringify({ ...envelope, v: "1" }))), 'v "1" (a string) is not version 1').toBeDefined();
    const { v: _dropped, ...unversioned } = envelope;
    expect(thrownBy(() => decodePayload(JSON.stringify(unversioned))), "an envelope without v must be refused").toBeDefined();
  });

  test("[C15] v is checked before anything else: any other version is refused naming that version, whatever the envelope holds", () => {
    const valid = JSON.parse(encodePayload({ orderId: 42 })) as Record<string, unknown>;
    for (const v of [2, 0, -1, 1.5, "2", "v1", null, true, false]) {
      for (const [shape, envelope] of [
        ["with nothing else", { v }],
        ["with a field of another design", { v, data: { orderId: 42 }, format: "other" }],
        ["with this version's fields", { ...valid, v }],
      ] as const) {
        const error = thrownBy(() => decodePayload(JSON.stringify(envelope)));
        if (error === undefined || !/version/i.test(error.message) || !error.message.includes(String(v))) {
          expect(error, `an envelope of version ${JSON.stringify(v)} ${shape} must be refused`).toBeDefined();
          expect(error?.message, `the error must mention the version: check v first, before looking for anything else`).toMatch(/version/i);
          expect(error?.message, `the error must say which version it found (${String(v)})`).toContain(String(v));
        }
      }
    }
  });

  test("[C14] decoding text that is not an envelope fails instead of returning garbage", () => {
    for (const text of ["not json", "", "null", "42", '"hello"', "true", "[]", "[1]", '{"payload":1}', "{"]) {
      expect(thrownBy(() => decodePayload(text)), `decodePayload(${JSON.stringify(text)}) must throw`).toBeDefined();
    }
  });
});

// --- the store ---------------------------------------------------------------------
describe("[C16][C17][C18][C19][C20] JobStore", () => {
  test("[C16][C20] rejects a bad payload at add() time and stores nothing", () => {
    const store = new JobStore();
    expect(thrownBy(() => store.add("charge", { amount: 10n })), "add() must throw for an unserializable payload, at enqueue time").toBeDefined();
    expect(store.size, "a rejected payload must not be stored").toBe(0);
    expect(store.take(), "nothing to take after a rejected add").toBeUndefined();

    const small = new JobStore({ maxBytes: 100 });
    expect(thrownBy(() => small.add("upload", { data: "x".repeat(200) })), "add() must refuse a payload over the store's maxBytes").toBeDefined();
    expect(small.size, "an oversized payload must not be stored").toBe(0);
  });

  test("[C17][C19][C20] returns jobs oldest first, with their type and a payload equal to what was added", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("email", "report", "charge"), supportedValue), { maxLength: 6 }), (jobs) => {
        const store = new JobStore({ maxBytes: 1e9 });
        const ids = jobs.map(([type, payload]) => store.add(type, payload));
        expect(new Set(ids).size, "every add() returns a new id").toBe(ids.length);
        expect(store.size, "size counts the stored jobs").toBe(jobs.length);
        jobs.forEach(([type, payload], i) => {
          const taken = store.take();
          // expect() only on a mismatch: it costs more than the store in a property's inner loop.
          if (taken?.id !== ids[i]) expect(taken?.id, "take() returns the oldest job first").toBe(ids[i]);
          if (taken?.type !== type) expect(taken?.type, "take() returns the job's type").toBe(type);
          if (!isDeepStrictEqual(taken?.payload, payload)) expect(taken?.payload, "take() returns a payload equal to the one added (decoded)").toEqual(payload);
        });
        expect(store.take(), "take() on an empty store returns undefined").toBeUndefined();
        expect(store.size, "an emptied store has size 0").toBe(0);
      }),
    );
  });

  test("[C17] add() never returns an id it returned before, also after take()", () => {
    const store = new JobStore();
    const ids: string[] = [];
    ids.push(store.add("a", 1), store.add("b", 2));
    store.take();
    ids.push(store.add("c", 3));
    store.take();
    store.take();
    ids.push(store.add("d", 4));
    expect(new Set(ids).size, `ids ${JSON.stringify(ids)}: every add() returns a new id, even when jobs were taken in between (do not derive it from the current size)`).toBe(ids.length);
    expect(store.take()?.id, "take() returns the job with the id add() gave it").toBe(ids[3]);
  });

  test("[C16] the store encodes with its own maxBytes: an explicit 0 refuses everything, no option means 64 KiB", () => {
    const zero = new JobStore({ maxBytes: 0 });
    expect(thrownBy(() => zero.add("ping", null)), "a store built with maxBytes 0 refuses every payload (0 is not \"no limit given\")").toBeDefined();
    expect(zero.size, "a refused payload is not stored").toBe(0);
    const plain = new JobStore();
    expect(thrownBy(() => plain.add("upload", { blob: "x".repeat(70_000) })), "a store built without options refuses a 70 KB payload (64 KiB default)").toBeDefined();
    expect(plain.size, "a refused payload is not stored").toBe(0);
    const big = new JobStore({ maxBytes: 1e6 });
    expect(thrownBy(() => big.add("upload", { blob: "x".repeat(70_000) }))?.message, "a store built with maxBytes 1e6 accepts a 70 KB payload").toBeUndefined();
    expect(big.size, "an accepted payload is stored").toBe(1);
  });

  test("[C19] falsy payloads go through the store unchanged", () => {
    const store = new JobStore();
    const payloads: unknown[] = [0, "", false, null, [], {}];
    for (const payload of payloads) store.add("t", payload);
    expect(store.size, "every falsy payload is a job").toBe(payloads.length);
    for (const payload of payloads) {
      const job = store.take();
      expect(job, `a job whose payload is ${JSON.stringify(payload)} is still a job: take() must return it`).toBeDefined();
      expect(job?.payload, `the payload ${JSON.stringify(payload)} must come back unchanged`).toEqual(payload);
    }
    expect(store.take(), "then the store is empty").toBeUndefined();
  });

  test("[C18] changing the caller's object after add() does not change the job", () => {
    const store = new JobStore();
    const payload = { to: "ada@example.com", tags: ["welcome"], sendAt: new Date("2024-03-01T09:00:00Z") };
    store.add("email", payload);
    payload.to = "someone-else@example.com";
    payload.tags.push("changed");
    payload.sendAt.setUTCFullYear(1999);
    expect(store.take()?.payload, "the job is a snapshot taken at add(): store the encoded form, not the caller's object").toEqual({
      to: "ada@example.com",
      tags: ["welcome"],
      sendAt: new Date("2024-03-01T09:00:00Z"),
    });
  });
});
