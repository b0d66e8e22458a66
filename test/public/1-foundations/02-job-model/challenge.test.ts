// Public tests for job-model: worked examples of the contract in the stub's
// doc comments. The hidden tests check every clause, edge cases included.
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/02-job-model/challenge.ts");
const { encodePayload, decodePayload, JobStore } = await loadCandidate<Challenge>(import.meta.url);

test("[C1, C3] example: a payload with a Date comes back equal, the Date still a Date", () => {
  const payload = { user: { id: 7, name: "Ada" }, tags: ["a", "b"], at: new Date("2024-03-01T10:00:00Z"), ok: false };
  const back = decodePayload(encodePayload(payload)) as typeof payload;
  expect(back).toEqual(payload);
  expect(back.at).toBeInstanceOf(Date);
});

test("[C5, C6] example: a BigInt is rejected with the path of the bad value", () => {
  expect(() => encodePayload({ user: { id: 10n } })).toThrow(/payload\.user\.id.*BigInt/);
});

test("[C13, C15] example: the envelope says its version, and another version is refused", () => {
  expect(JSON.parse(encodePayload({ a: 1 })).v).toBe(1);
  expect(() => decodePayload(JSON.stringify({ v: 2 }))).toThrow(/version/);
});

test("[C16, C19] example: a store encodes at add() and hands jobs back oldest first", () => {
  const store = new JobStore();
  store.add("email", { to: "a@example.com" });
  store.add("email", { to: "b@example.com" });
  expect(() => store.add("email", { when: new Date(NaN) }), "an invalid Date is refused at enqueue time").toThrow();
  expect(store.size).toBe(2);
  expect(store.take()?.payload).toEqual({ to: "a@example.com" });
});
