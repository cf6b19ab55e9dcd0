// Per-call options ({ signal, timeoutMs, headers }), request hooks and the User-Agent, against the
// simulator through the installed package.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { FlexpertoClient, isFlexpertoError } from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

let sim;
let key;
before(async () => {
  sim = await startSim();
  key = await sim.apiKey("admin");
});
after(() => sim?.stop());

const client = (opts = {}) => new FlexpertoClient({ baseUrl: sim.url, apiKey: key, ...opts });
const usersPath = "/api/v2/users/users";
const listCalls = async () => (await sim.requests()).filter((r) => r.path === usersPath && r.method === "GET").length;

async function rejection(p) {
  return p.then(() => assert.fail("expected a rejection"), (e) => e);
}

describe("per-call options", () => {
  test("an aborted signal rejects with a typed AbortError and no retry follows", async () => {
    await sim.fault({ path: usersPath, method: "GET", delayMs: 1500, count: 3 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    let attempts = 0;
    const counting = (request, init) => ((attempts += 1), fetch(request, init));
    const e = await rejection(client({ maxRetries: 3, fetch: counting }).listUsers({ limit: 1 }, { signal: controller.signal }));
    assert.ok(isFlexpertoError(e), String(e));
    assert.equal(e.name, "AbortError");
    assert.equal(e.code, "ABORTED");
    assert.equal(e.operation, "listUsers");
    assert.ok(Date.now() - started < 1400, "the call ended at the abort, not after the server's delay");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(attempts, 1, "one attempt, no retry");
    await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" });
  });

  test("an abort while the global fetch waits on the server is an AbortError too (no panic, the client works after)", async () => {
    await sim.fault({ path: usersPath, method: "GET", delayMs: 1500, count: 1 });
    const c = client();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const e = await rejection(c.listUsers({ limit: 1 }, { signal: controller.signal }));
    assert.deepEqual([e.name, e.code], ["AbortError", "ABORTED"]);
    assert.ok(Array.isArray((await c.listUsers({ limit: 1 })).items), "the same instance still works");
  });

  test("a user fetch gets the built Request and { signal }; passing both on, it is ended by the timeout and by the caller's signal", async () => {
    const seen = [];
    const passOn = (input, init) => (seen.push([input, init]), globalThis.fetch(input, init));
    const c = client({ maxRetries: 0, fetch: passOn });
    await c.listUsers({ limit: 1 });
    const [request, init] = seen[0];
    assert.ok(request instanceof Request, "the first argument is the built Request");
    assert.equal(request.url, `${sim.url}${usersPath}?limit=1`);
    assert.equal(request.redirect, "manual");
    assert.deepEqual(Object.keys(init), ["signal"]);
    assert.ok(init.signal instanceof AbortSignal && !init.signal.aborted, "a fresh signal per request");
    await c.listUsers({ limit: 1 });
    assert.notEqual(seen[1][1].signal, init.signal, "each request has its own signal");

    // The timeout: the server waits 3 s, the call ends after 150 ms with TIMEOUT.
    await sim.fault({ path: usersPath, method: "GET", delayMs: 3000, count: 1 });
    let started = Date.now();
    let e = await rejection(c.listUsers({ limit: 1 }, { timeoutMs: 150 }));
    assert.deepEqual([e.name, e.code], ["NetworkError", "TIMEOUT"]);
    assert.ok(Date.now() - started < 2500, "ended by the timeout, not by the server's answer");
    assert.ok(seen.at(-1)[1].signal.aborted, "the signal the fetch got was aborted");

    // The caller's signal, aborted while the server waits.
    await sim.fault({ path: usersPath, method: "GET", delayMs: 3000, count: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    started = Date.now();
    e = await rejection(c.listUsers({ limit: 1 }, { signal: controller.signal }));
    assert.deepEqual([e.name, e.code], ["AbortError", "ABORTED"]);
    assert.ok(Date.now() - started < 2500, "ended by the caller's signal, not by the server's answer");
    assert.ok(seen.at(-1)[1].signal.aborted, "the signal the fetch got was aborted");
    await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" });
  });

  test("a fetch that rejects with something other than an Error is a NetworkError", async () => {
    for (const thrown of ["nope", 42, undefined, { reason: "x" }, new Event("abort")]) {
      const e = await rejection(client({ maxRetries: 0, fetch: async () => Promise.reject(thrown) }).listUsers({ limit: 1 }));
      assert.ok(isFlexpertoError(e), `${String(thrown)}: ${e}`);
      assert.equal(e.name, "NetworkError");
    }
  });

  test("a signal aborted before the call sends nothing", async () => {
    const before = await listCalls();
    const e = await rejection(client().listUsers(undefined, { signal: AbortSignal.abort() }));
    assert.equal(e.name, "AbortError");
    assert.equal(await listCalls(), before);
  });

  test("timeoutMs applies to this call only", async () => {
    await sim.fault({ path: usersPath, method: "GET", delayMs: 800, count: 1 });
    const c = client({ maxRetries: 0 });
    const e = await rejection(c.listUsers({ limit: 1 }, { timeoutMs: 100 }));
    assert.equal(e.name, "NetworkError");
    assert.equal(e.code, "TIMEOUT");
    await c.listUsers({ limit: 1 }); // the client's own timeout (30 s) is unchanged
    await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" });
  });

  test("headers are sent; the SDK's own headers cannot be overridden; bad options are refused", async () => {
    const seen = [];
    const c = client({ fetch: (request) => (seen.push(request), fetch(request)) });
    await c.listUsers({ limit: 1 }, { headers: { "X-Trace-Id": "abc123" } });
    assert.equal(seen.at(-1).headers.get("x-trace-id"), "abc123");
    assert.equal(seen.at(-1).headers.get("api-key"), key);
    const sent = seen.length;
    for (const name of ["api-key", "Accept", "content-type", "user-agent"]) {
      const e = await rejection(c.listUsers(undefined, { headers: { [name]: "x" } }));
      assert.equal(e.name, "ValidationError", name);
      assert.equal(e.field, `options.headers.${name}`);
    }
    for (const options of [{ timeoutMs: 0 }, { timeoutMs: "5" }, { signal: {} }, { headers: { "x-a": 1 } }, { headers: { "x-a": "a\nb" } }, { retries: 1 }, 42]) {
      const e = await rejection(c.confirmEmail("usr_1", options));
      assert.equal(e.name, "ValidationError", JSON.stringify(options));
      assert.equal(e.code, "INVALID_ARGUMENT");
      assert.match(e.field, /^options/);
    }
    assert.equal(seen.length, sent, "refused calls send nothing");
  });

  test("the SDK's own headers are the same on every request: a call's headers, a POST's content-type and a fetch that edits its Request leak into no later request", async () => {
    const seen = [];
    const editing = (request, init) => {
      seen.push({ method: request.method, headers: Object.fromEntries(request.headers) });
      request.headers.set("x-edited-by-fetch", "1"); // the Request's own copy
      return fetch(request, init);
    };
    const c = client({ fetch: editing });
    await c.listUsers({ limit: 1 }, { headers: { "x-trace-id": "first" } });
    await c.listUsers({ limit: 1 });
    await c.createApiToken({ name: "headers-test" });
    await c.listUsers({ limit: 1 });
    await c.listUsers({ limit: 1 }, { headers: { "x-trace-id": "last" } });
    assert.deepEqual(seen.map((r) => r.method), ["GET", "GET", "POST", "GET", "GET"]);
    for (const [i, r] of seen.entries()) {
      assert.equal(r.headers["api-key"], key, `request ${i}`);
      assert.equal(r.headers.accept, "application/json", `request ${i}`);
      assert.match(r.headers["user-agent"], /^flexperto-sdk\//, `request ${i}`);
      assert.equal(r.headers["x-edited-by-fetch"], undefined, `request ${i}: an edit of an earlier Request`);
      assert.equal(r.headers["content-type"], r.method === "POST" ? "application/json" : undefined, `request ${i}`);
    }
    assert.deepEqual(seen.map((r) => r.headers["x-trace-id"]), ["first", undefined, undefined, undefined, "last"]);
  });
});

describe("hooks", () => {
  test("onRequest and onResponse see every attempt, never the key; a throwing hook breaks nothing", async () => {
    const events = [];
    const c = client({
      maxRetries: 2,
      onRequest: (e) => {
        events.push(["request", e]);
        throw new Error("hook bug");
      },
      onResponse: async (e) => {
        events.push(["response", e]);
        throw new Error("async hook bug");
      },
    });
    await sim.fault({ path: usersPath, method: "GET", status: 503, count: 1 });
    const page = await c.listUsers({ limit: 1 });
    assert.ok(Array.isArray(page.items));
    const kinds = events.map(([k, e]) => `${k}:${e.attempt}:${e.status ?? "-"}`);
    assert.deepEqual(kinds, ["request:1:-", "response:1:503", "request:2:-", "response:2:200"]);
    for (const [, e] of events) {
      assert.equal(e.operationId, "listUsers");
      assert.equal(e.method, "GET");
      assert.equal(e.url, `${sim.url}${usersPath}?limit=1`);
      assert.equal(typeof e.durationMs, "number");
      assert.ok(!JSON.stringify(e).includes(key), "no key in what a hook receives");
    }
  });

  test("a hook that is not a function is a ConfigError", () => {
    assert.throws(() => client({ onResponse: 42 }), (e) => e.name === "ConfigError" && e.code === "INVALID_OPTION");
    assert.throws(() => client({ onRequest: {} }), (e) => e.name === "ConfigError" && e.code === "INVALID_OPTION");
  });
});

describe("User-Agent", () => {
  test("flexperto-sdk/<version>, then the appInfo, sent from Node", async () => {
    const seen = [];
    const fetchSpy = (request) => (seen.push(request.headers.get("user-agent")), fetch(request));
    const c = client({ fetch: fetchSpy, appInfo: { name: "crm-plugin", version: "1.2.0", url: "https://crm.example" } });
    assert.match(c.userAgent, /^flexperto-sdk\/\d+\.\d+\.\d+ crm-plugin\/1\.2\.0 \(\+https:\/\/crm\.example\)$/);
    await c.listUsers({ limit: 1 });
    assert.equal(seen[0], c.userAgent);
    assert.match(client().userAgent, /^flexperto-sdk\/\d+\.\d+\.\d+$/);
    for (const appInfo of [{ name: "a b" }, { name: "x", url: "http://insecure" }, { version: "1" }, { name: "x", extra: 1 }, "crm"]) {
      assert.throws(() => client({ appInfo }), (e) => e.name === "ConfigError" && e.code === "INVALID_OPTION", JSON.stringify(appInfo));
    }
  });
});
