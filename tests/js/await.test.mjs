// The promise machinery of the bindings: each call's future runs as a Promise
// (wasm-bindgen-futures) and awaits the user's fetch (JsFuture). These tests answer many calls at
// once, in another order than they were made, over several rounds, and check that every call gets
// its own answer; and that odd fetch outcomes settle the call with a typed error, leaving the
// client usable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlexpertoClient } from "flexperto-sdk";

const key = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln";
const page = (email) => JSON.stringify({ items: [{ id: `id-${email}`, email }], total: 1 });
const answer = (email) => new Response(page(email), { status: 200, headers: { "content-type": "application/json" } });
const emailOf = (request) => new URL(request.url).searchParams.get("email");

test("calls answered out of order each get their own answer, round after round", async () => {
  /** @type {{ request: Request, resolve: (r: Response) => void, reject: (e: unknown) => void }[]} */
  let pending = [];
  const fetch = (request) => new Promise((resolve, reject) => pending.push({ request, resolve, reject }));
  const client = new FlexpertoClient({ baseUrl: "http://127.0.0.1:1", apiKey: key, fetch, maxRetries: 0 });
  const emails = Array.from({ length: 40 }, (_, i) => `u${i}@example.com`);
  for (let round = 0; round < 4; round++) {
    const calls = emails.map((email) => client.listUsers({ email }));
    while (pending.length < emails.length) await new Promise((r) => setImmediate(r));
    const now = pending;
    pending = [];
    // Every third answer fails; the rest come back to front, interleaved with the failures.
    now.reverse().forEach((p, i) => (i % 3 === 1 ? p.reject(new TypeError("fetch failed")) : p.resolve(answer(emailOf(p.request)))));
    const settled = await Promise.allSettled(calls);
    settled.forEach((s, i) => {
      const failed = (emails.length - 1 - i) % 3 === 1;
      if (failed) {
        assert.equal(s.status, "rejected", `call ${i} of round ${round}`);
        assert.deepEqual([s.reason.name, s.reason.code], ["NetworkError", "NETWORK"]);
      } else {
        assert.equal(s.status, "fulfilled", `call ${i} of round ${round}`);
        assert.equal(s.value.items[0].email, emails[i]);
        assert.equal(s.value.items[0].id, `id-${emails[i]}`);
      }
    });
  }
});

test("a fetch that returns a Response (no promise), throws, or rejects with a non-Error settles the call", async () => {
  let mode = "value";
  const fetch = (request) => {
    if (mode === "value") return answer(emailOf(request));
    if (mode === "throw") throw new Error("boom");
    return Promise.reject("not an Error");
  };
  const client = new FlexpertoClient({ baseUrl: "http://127.0.0.1:1", apiKey: key, fetch, maxRetries: 0 });
  assert.equal((await client.listUsers({ email: "a@example.com" })).items[0].email, "a@example.com");
  mode = "throw";
  await assert.rejects(client.listUsers({ email: "b@example.com" }), (e) => e.name === "NetworkError" && e.code === "NETWORK");
  mode = "reject";
  await assert.rejects(client.listUsers({ email: "c@example.com" }), (e) => e.name === "NetworkError" && e.code === "NETWORK");
  mode = "value";
  assert.equal((await client.listUsers({ email: "d@example.com" })).items[0].email, "d@example.com");
});

test("a refused argument gives a rejected promise, and the client goes on", async () => {
  let calls = 0;
  const client = new FlexpertoClient({ baseUrl: "http://127.0.0.1:1", apiKey: key, fetch: (r) => (calls++, answer(emailOf(r))), maxRetries: 0 });
  const refused = client.listUsers({ limit: 0 });
  assert.ok(refused instanceof Promise);
  await assert.rejects(refused, (e) => e.name === "ValidationError" && e.field === "limit");
  assert.equal(calls, 0);
  assert.equal((await client.listUsers({ email: "e@example.com" })).items[0].email, "e@example.com");
});
