// createWebRequestHandler with real Request objects: the same checks and answers as the Node
// handler (one flow, two adapters), the stores shared with it, waitUntil, typed dispatch by
// topic, and deliveries made the way the platform makes them (flexperto-sdk/testing's deliver).
import assert from "node:assert/strict";
import http from "node:http";
import { describe, test } from "node:test";

import { MemorySeenStore, WebhookVerifier, createWebRequestHandler, createWebhookHandler, generateWebhookSecret, isTopic } from "flexperto-sdk";
import { archiveNotification, deliver, deliveryPolicy } from "flexperto-sdk/testing";

const SECRET = generateWebhookSecret();
const OTHER = generateWebhookSecret();
const BASE = "https://crm.example";
const JSON_CT = { "content-type": "application/json" };
const body = (v) => (typeof v === "string" ? v : JSON.stringify(v));

const request = (path, { method = "POST", headers = JSON_CT, payload = archiveNotification(), stream } = {}) => {
  const init = { method, headers };
  if (stream !== undefined) Object.assign(init, { body: stream, duplex: "half" });
  else if (payload !== null) init.body = body(payload);
  return new Request(BASE + path, init);
};

/** A body stream of `n` chunks of `size` bytes, with no content-length. */
const chunks = (n, size) =>
  new ReadableStream({
    start(c) {
      for (let i = 0; i < n; i++) c.enqueue(new Uint8Array(size).fill(0x20));
      c.close();
    },
  });

describe("createWebRequestHandler: the checks, in the Node handler's order", () => {
  const events = [];
  const errors = [];
  const handler = createWebRequestHandler({
    verifier: new WebhookVerifier({ secrets: [SECRET], maxBodyBytes: 4096, allowedIps: ["127.0.0.1/32"] }),
    remoteAddress: (req) => req.headers.get("x-test-peer") ?? "127.0.0.1",
    onAny: (e) => void events.push(e),
    onError: (err, e) => void errors.push([err, e]),
  });
  const cb = `/cb/${SECRET}`;
  const table = [
    ["wrong secret", `/cb/${OTHER}`, {}, 404],
    ["wrong secret, GET", `/cb/${OTHER}`, { method: "GET", payload: null }, 404],
    ["address not allowed", cb, { headers: { ...JSON_CT, "x-test-peer": "203.0.113.9" } }, 403, "IP_NOT_ALLOWED"],
    ["GET", cb, { method: "GET", payload: null }, 405, "METHOD_NOT_ALLOWED"],
    ["PUT with a valid body", cb, { method: "PUT" }, 405, "METHOD_NOT_ALLOWED"],
    ["DELETE with a valid body", cb, { method: "DELETE" }, 405, "METHOD_NOT_ALLOWED"],
    ["wrong content type", cb, { headers: { "content-type": "text/plain" } }, 415, "BAD_CONTENT_TYPE"],
    ["oversize, declared", cb, { payload: " ".repeat(5000) }, 413, "BODY_TOO_LARGE"],
    ["oversize, streamed without a length", cb, { stream: chunks(10, 1000) }, 413, "BODY_TOO_LARGE"],
    ["not JSON", cb, { payload: "{nope" }, 400, "MALFORMED_JSON"],
    ["empty", cb, { payload: "" }, 400, "MALFORMED_JSON"],
    ["schema", cb, { payload: archiveNotification({ data: { archive_id: 42 } }) }, 400, "SCHEMA_VIOLATION", "data.archive_id"],
    ["valid", cb, {}, 202],
    ["valid, streamed in pieces", cb, { stream: new Blob([body(archiveNotification())]).stream() }, 202],
  ];
  for (const [name, path, opts, status, code, errPath] of table) {
    test(`${name} -> ${status}${code ? ` ${code}` : ""}`, async () => {
      const res = await handler(request(path, opts));
      assert.ok(res instanceof Response);
      assert.equal(res.status, status);
      assert.equal(res.headers.get("allow"), status === 405 ? "POST" : null);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const text = await res.text();
      if (status === 404) assert.equal(text, "");
      else if (code) assert.deepEqual(JSON.parse(text), errPath ? { code, path: errPath } : { code });
      else assert.deepEqual(JSON.parse(text), { accepted: true });
      assert.ok(!text.includes(SECRET));
    });
  }

  test("only the valid deliveries reached onAny; nothing was reported", async () => {
    await handler.drain();
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => e.topic === "archive.available" && typeof e.archiveId === "string"));
    assert.deepEqual(errors, []);
  });

  test("bad options and a call without a Request are refused", async () => {
    const verifier = new WebhookVerifier({ secrets: [SECRET] });
    assert.throws(() => createWebRequestHandler({ verifier }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options" && /on: \{ topic: handler \}, onAny/.test(e.message));
    assert.throws(() => createWebRequestHandler({ verifier, onAny: () => {}, onEvent: () => {} }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.onAny" && /pass onAny or onEvent/.test(e.message));
    assert.throws(() => createWebRequestHandler({ verifier, on: { "archive.available": 1 } }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === 'options.on["archive.available"]' && /must be a function/.test(e.message));
    assert.throws(() => createWebRequestHandler({ verifier, onAny: () => {}, waitUntil: 1 }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.waitUntil" && /must be a function/.test(e.message));
    assert.throws(() => createWebRequestHandler({ verifier, onAny: () => {}, bogus: 1 }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options" && /unknown field `bogus`/.test(e.message));
    assert.throws(() => createWebRequestHandler({ onAny: () => {} }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.verifier" && /must be a WebhookVerifier/.test(e.message));
    await assert.rejects(handler({ url: "/x" }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "request" && /takes a Request/.test(e.message));
  });
});

describe("one flow, two adapters: the Node handler and the Fetch handler share verifier and store", () => {
  test("a delivery taken by one is a duplicate at the other", async () => {
    const verifier = new WebhookVerifier({ secrets: [SECRET] });
    const seen = new MemorySeenStore();
    const got = [];
    const web = createWebRequestHandler({ verifier, seen, onAny: (e) => void got.push(["web", e.archiveId]) });
    const node = createWebhookHandler({ verifier, seen, onAny: (e) => void got.push(["node", e.archiveId]) });
    const server = http.createServer(node);
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    try {
      const n = archiveNotification();
      const viaNode = await deliver(n, `http://127.0.0.1:${server.address().port}/cb/${SECRET}`);
      const viaWeb = await deliver(n, web, { url: `${BASE}/cb/${SECRET}` });
      assert.deepEqual([viaNode.attempts[0].status, viaWeb.attempts[0].status], [202, 200]);
      const other = archiveNotification();
      assert.equal((await deliver(other, web, { url: `${BASE}/cb/${SECRET}` })).attempts[0].status, 202);
      await Promise.all([web.drain(), node.drain()]);
      assert.deepEqual(got, [["node", n.data.archive_id], ["web", other.data.archive_id]]);
      assert.equal(seen.size, 2);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("acknowledge at once, then the work", () => {
  const verifier = new WebhookVerifier({ secrets: [SECRET] });
  const slow = () => {
    let release;
    const gate = new Promise((r) => (release = r));
    const done = [];
    const handler = createWebRequestHandler({ verifier, onAny: async (e) => (await gate, done.push(e.archiveId)) });
    return { handler, release, done };
  };

  test("with a waitUntil (a worker's ctx as the second argument): the answer first, the work kept alive", async () => {
    const { handler, release, done } = slow();
    const kept = [];
    const res = await handler(request(`/cb/${SECRET}`), { waitUntil: (p) => kept.push(p) });
    assert.equal(res.status, 202);
    assert.equal(kept.length, 1, "the work went to waitUntil");
    assert.equal(handler.pending, 1);
    assert.deepEqual(done, []);
    release();
    await kept[0];
    assert.equal(done.length, 1);
    assert.equal(handler.pending, 0);
  });

  test("Cloudflare's (request, env, ctx) is found too", async () => {
    const { handler, release } = slow();
    const kept = [];
    await handler(request(`/cb/${SECRET}`), { SOME_BINDING: 1 }, { waitUntil: (p) => kept.push(p), passThroughOnException() {} });
    assert.equal(kept.length, 1);
    release();
    await kept[0];
  });

  test("without one, the work continues after the response", async () => {
    const { handler, release, done } = slow();
    const res = await handler(request(`/cb/${SECRET}`));
    assert.equal(res.status, 202);
    assert.equal(handler.pending, 1);
    release();
    await handler.drain();
    assert.equal(done.length, 1);
  });
});

describe("typed dispatch by topic", () => {
  const verifier = new WebhookVerifier({ secrets: [SECRET] });
  const other = (topic) => ({ id: `n_${Math.random()}`, topic, data: { anything: [1, 2] } });

  test("on[topic] gets its events, onAny every event; unknown topics reach onAny, never dropped", async () => {
    const seen = [];
    const handler = createWebRequestHandler({
      verifier,
      on: { "archive.available": (e) => void seen.push(["archive", e.archiveId, e.conferenceId]) },
      onAny: (e) => void seen.push(["any", e.topic]),
    });
    const a = archiveNotification({ conferenceId: "conf_7" });
    assert.equal((await handler(request(`/cb/${SECRET}`, { payload: a }))).status, 202);
    assert.equal((await handler(request(`/cb/${SECRET}`, { payload: other("meeting.ended") }))).status, 202);
    await handler.drain();
    assert.deepEqual(seen, [["archive", a.data.archive_id, "conf_7"], ["any", "archive.available"], ["any", "meeting.ended"]]);
  });

  test("with only on: an unknown topic goes to onError as UNHANDLED_TOPIC and its claim is released", async () => {
    const errors = [];
    const seenStore = new MemorySeenStore();
    const handler = createWebRequestHandler({
      verifier,
      seen: seenStore,
      on: { "archive.available": () => {} },
      onError: (err, e) => void errors.push([err.name, err.code, e.topic]),
    });
    const n = other("meeting.ended");
    assert.equal((await handler(request(`/cb/${SECRET}`, { payload: n }))).status, 202);
    await handler.drain();
    assert.deepEqual(errors, [["WebhookError", "UNHANDLED_TOPIC", "meeting.ended"]]);
    assert.equal(seenStore.size, 0, "released: a redelivery is processed again");
  });

  test("archiveTopic: the tenant's archive topic dispatches to on[\"archive.available\"]", async () => {
    const got = [];
    // The tenant's topic is the verifier's (its archive fields are checked under it); the
    // handler may state it too, and must agree.
    const tenant = new WebhookVerifier({ secrets: [SECRET], archiveTopic: "archive.ready" });
    assert.throws(() => createWebRequestHandler({ verifier, archiveTopic: "archive.ready", onAny: () => {} }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.archiveTopic" && /differs from the verifier's/.test(e.message));
    const any = [];
    const handler = createWebRequestHandler({
      verifier: tenant,
      archiveTopic: "archive.ready",
      on: { "archive.available": (e) => void got.push([e.topic, isTopic(e, "archive.available")]) },
      onAny: (e) => void any.push([e.topic, isTopic(e, "archive.available")]),
    });
    await handler(request(`/cb/${SECRET}`, { payload: { ...archiveNotification(), topic: "archive.ready" } }));
    // Under this verifier "archive.available" is another topic: not an archive event, not its handler's.
    await handler(request(`/cb/${SECRET}`, { payload: { id: "n-other", topic: "archive.available" } }));
    await handler.drain();
    assert.deepEqual(got, [["archive.ready", true]]);
    assert.deepEqual(any, [["archive.ready", true], ["archive.available", false]]);
    // Both names of the archive topic in on: refused, not one of them silently never called.
    assert.throws(
      () => createWebRequestHandler({ verifier: tenant, on: { "archive.available"() {}, "archive.ready"() {} } }),
      (e) => e.name === "ValidationError" && e.field === "options.on" && /both name the archive topic/.test(e.message),
    );
  });

  test("a throwing topic handler is reported and released; the redelivery runs it again", async () => {
    let calls = 0;
    const errors = [];
    const handler = createWebRequestHandler({
      verifier,
      on: { "archive.available": () => { if (++calls === 1) throw new Error("db down"); } },
      onError: (err) => void errors.push(err.message),
    });
    const n = archiveNotification();
    await handler(request(`/cb/${SECRET}`, { payload: n }));
    await handler.drain();
    assert.equal((await handler(request(`/cb/${SECRET}`, { payload: n }))).status, 202);
    await handler.drain();
    assert.deepEqual([calls, errors], [2, ["db down"]]);
  });
});

describe("deliver() as the platform: retries, timeouts, duplicates", () => {
  const verifier = new WebhookVerifier({ secrets: [SECRET] });
  const url = `${BASE}/cb/${SECRET}`;

  test("the policy is the guide's", () => {
    assert.deepEqual(deliveryPolicy(), { attempts: 4, attemptTimeoutMs: 3000, backoffMs: [0, 100, 200, 400] });
  });

  test("a failing store answers 500 twice: delivered at the third attempt, processed once", async () => {
    let fails = 2;
    const inner = new MemorySeenStore();
    const seen = { claim: (k, t) => (fails-- > 0 ? Promise.reject(new Error("store down")) : inner.claim(k, t)), release: (k) => inner.release(k) };
    const done = [];
    const handler = createWebRequestHandler({ verifier, seen, onAny: (e) => void done.push(e), onError: () => {} });
    const r = await deliver(archiveNotification(), handler, { url });
    assert.equal(r.delivered, true);
    assert.deepEqual(r.attempts.map((a) => a.status), [500, 500, 202]);
    await handler.drain();
    assert.equal(done.length, 1);
  });

  test("a handler that answers too late: the attempt times out and the next one is a duplicate", async () => {
    let release;
    const gate = new Promise((r) => (release = r));
    const inner = new MemorySeenStore();
    let first = true;
    const seen = { claim: async (k, t) => (first ? ((first = false), await gate) : null, inner.claim(k, t)), release: (k) => inner.release(k) };
    const handler = createWebRequestHandler({ verifier, seen, onAny: () => {} });
    setTimeout(release, 300);
    const r = await deliver(archiveNotification(), handler, { url, attemptTimeoutMs: 150 });
    assert.equal(r.delivered, true);
    assert.equal(r.attempts[0].error, "timeout");
    assert.ok(r.attempts.length >= 2);
    await handler.drain();
  });

  test("never acknowledged: 4 attempts, then given up", async () => {
    const handler = createWebRequestHandler({ verifier, seen: { claim: () => Promise.reject(new Error("x")), release: async () => {} }, onAny: () => {}, onError: () => {} });
    const r = await deliver(archiveNotification(), handler, { url });
    assert.equal(r.delivered, false);
    assert.deepEqual(r.attempts.map((a) => a.status), [500, 500, 500, 500]);
  });

  test("duplicates sent at once: one is processed, every copy acknowledged", async () => {
    const done = [];
    const handler = createWebRequestHandler({ verifier, onAny: (e) => void done.push(e) });
    const r = await deliver(archiveNotification(), handler, { url, duplicates: 3 });
    const statuses = [r, ...r.copies].map((c) => c.attempts.at(-1).status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 202]);
    await handler.drain();
    assert.equal(done.length, 1);
  });
});
