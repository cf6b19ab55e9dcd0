// node --test against the BUILT package (installed from its tarball), with a real simulator.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { FlexpertoClient, isFlexpertoError } from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

let sim;
let key;
let seq = 0;
const uniqueEmail = (tag) => `${tag}.${process.pid}.${++seq}@example.invalid`;

before(async () => {
  sim = await startSim();
  key = await sim.apiKey("admin");
});
after(() => sim?.stop());

const client = (opts = {}) => new FlexpertoClient({ baseUrl: sim.url, apiKey: key, ...opts });

async function expertsWith(email) {
  const page = await client().listUsers({ role: "expert", email });
  return page.items;
}

/** Asserts `promise` rejects with an SDK error of `name` and `code`; returns the error. */
async function rejectsWith(promise, name, code) {
  try {
    await promise;
  } catch (e) {
    assert.ok(isFlexpertoError(e), `not an SDK error: ${e}`);
    assert.equal(e.name, name, e.message);
    assert.equal(e.code, code, e.message);
    assert.ok(e instanceof Error);
    return e;
  }
  assert.fail(`expected ${name} ${code}`);
}

function assertNoKey(value) {
  const seen = [];
  const text = JSON.stringify(value, (k, v) => {
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack, ...v };
    return v;
  });
  assert.ok(!text.includes(key), "the API key leaked into an error");
  assert.ok(!String(value?.stack ?? "").includes(key));
  void seen;
}

describe("ensureExpert", () => {
  test("returns the same accountId twice, creating and confirming once", async () => {
    const email = uniqueEmail("max");
    const c = client();
    const first = await c.ensureExpert({ email, firstName: "Max", lastName: "Mustermann" });
    const second = await c.ensureExpert({ email, firstName: "Max", lastName: "Mustermann" });
    assert.deepEqual(Object.keys(first).sort(), ["accountId", "confirmed", "created"]);
    assert.equal(first.created, true);
    assert.equal(first.confirmed, true);
    assert.equal(second.accountId, first.accountId);
    assert.equal(second.created, false);
    assert.equal(second.confirmed, false);
    const experts = await expertsWith(email);
    assert.equal(experts.length, 1);
    assert.equal(experts[0].emailConfirmed, true);
    const creates = (await sim.requests()).filter((r) => r.method === "POST" && r.path === "/api/v2/users/users");
    assert.ok(creates.some((r) => r.query === "supressMails=true"), "mails are suppressed by default");
  });

  test("two concurrent calls for one e-mail create exactly one account", async () => {
    // Hold both lookups so that both calls see "not found" and both try to create. On a loaded
    // machine one lookup can still arrive after the other call created the account (no race at
    // all); so the scenario repeats, with a fresh address, until the race really happened.
    const c = client();
    let raced = false;
    for (let attempt = 0; attempt < 5 && !raced; attempt++) {
      const email = uniqueEmail("race");
      const seen = (await sim.requests()).length;
      await sim.fault({ path: "/api/v2/users/users", method: "GET", delayMs: 500, count: 2 });
      const [a, b] = await Promise.all([c.ensureExpert({ email, firstName: "Ada" }), c.ensureExpert({ email, firstName: "Ada" })]);
      assert.equal(a.accountId, b.accountId);
      assert.equal([a, b].filter((r) => r.created).length, 1);
      assert.equal((await expertsWith(email)).length, 1);
      const creates = (await sim.requests())
        .slice(seen)
        .filter((r) => r.method === "POST" && r.path === "/api/v2/users/users")
        .map((r) => r.status)
        .sort();
      raced = creates.length === 2;
      if (raced) assert.deepEqual(creates, [201, 409], "the loser of the create conflict found the winner's account");
      await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" });
    }
    assert.ok(raced, "the two calls raced on the create in one of 5 attempts");
  });

  test("an e-mail held by a customer account is a typed CONFLICT, and no expert is made", async () => {
    const email = uniqueEmail("customer");
    await client().createUser({ email, role: "customer" });
    const e = await rejectsWith(client().ensureExpert({ email }), "ApiError", "CONFLICT");
    assert.equal(e.status, 409);
    assert.equal((await expertsWith(email)).length, 0);
  });

  test("bad input is refused before any request", async () => {
    const before = (await sim.requests()).length;
    await rejectsWith(client().ensureExpert({ email: "not-an-email" }), "ValidationError", "INVALID_EMAIL");
    const e = await rejectsWith(client().ensureExpert({ firstName: "x" }), "ValidationError", "INVALID_ARGUMENT");
    assert.equal(e.field, "email");
    await rejectsWith(client().ensureExpert({ email: "a@b.de", role: "admin" }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(client().ensureExpert({ email: "a@b.de", firstName: 5 }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(client().ensureExpert("a@b.de"), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(client().ensureExpert({ email: "a@b.de" }, { suppressMail: true }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(client().confirmEmail(".."), "ValidationError", "INVALID_ID");
    await rejectsWith(client().listUsers({ limit: 0 }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(client().listUsers({ limit: 1.5 }), "ValidationError", "INVALID_ARGUMENT");
    assert.equal((await sim.requests()).length, before);
  });
});

describe("retries and timeouts", () => {
  test("a 429 with Retry-After is waited out, then the call succeeds", async () => {
    await sim.fault({ path: "/api/v2/users/users", method: "GET", status: 429, retryAfterSeconds: 1, count: 1 });
    const t0 = performance.now();
    const page = await client().listUsers({ limit: 1 });
    const waited = performance.now() - t0;
    assert.ok(Array.isArray(page.items));
    assert.ok(waited >= 900, `Retry-After: 1 was honoured (waited ${waited.toFixed(0)} ms)`);
    const last = (await sim.requests()).filter((r) => r.path === "/api/v2/users/users").slice(-2);
    assert.deepEqual(last.map((r) => r.status), [429, 200]);
  });

  test("a 429 beyond maxRetries is a typed RATE_LIMITED with retryAfterMs", async () => {
    await sim.fault({ path: "/api/v2/users/users", method: "GET", status: 429, retryAfterSeconds: 7, count: 1 });
    const e = await rejectsWith(client({ maxRetries: 0 }).listUsers(), "ApiError", "RATE_LIMITED");
    assert.equal(e.status, 429);
    assert.equal(e.retryAfterMs, 7000);
  });

  test("503 on an idempotent GET is retried; on a plain create it is not", async () => {
    await sim.fault({ path: "/api/v2/users/users", method: "GET", status: 503, count: 2 });
    await client().listUsers();
    await sim.fault({ path: "/api/v2/users/users", method: "POST", status: 503, count: 1 });
    const email = uniqueEmail("noretry");
    const e = await rejectsWith(client().createUser({ email }), "ApiError", "SERVER_ERROR");
    assert.equal(e.status, 503);
    assert.equal(e.operation, "createUser");
    assert.equal((await client().listUsers({ email })).items.length, 0);
  });

  test("a stalled answer times out with a typed TIMEOUT", async () => {
    await sim.fault({ path: "/api/v2/users/users", method: "GET", delayMs: 3000, count: 1 });
    const t0 = performance.now();
    const e = await rejectsWith(client({ timeoutMs: 200, maxRetries: 0 }).listUsers(), "NetworkError", "TIMEOUT");
    assert.ok(performance.now() - t0 < 2500, "the request was aborted at its timeout");
    assert.equal(e.operation, "listUsers");
  });

  test("connection refused is a typed NETWORK error", async () => {
    const c = new FlexpertoClient({ baseUrl: "http://127.0.0.1:9", apiKey: key, maxRetries: 0 });
    const e = await rejectsWith(c.listUsers(), "NetworkError", "NETWORK");
    assertNoKey(e);
  });
});

describe("authentication", () => {
  test("a key the platform did not issue is a typed 401 that never contains the key", async () => {
    const forged = key.slice(0, key.lastIndexOf(".")) + ".Zm9yZ2Vk";
    const c = new FlexpertoClient({ baseUrl: sim.url, apiKey: forged });
    const e = await rejectsWith(c.listUsers(), "ApiError", "UNAUTHORIZED");
    assert.equal(e.status, 401);
    assert.equal(typeof e.body, "object");
    for (const k of [forged, key]) {
      assert.ok(!JSON.stringify({ ...e, message: e.message, stack: e.stack }).includes(k));
    }
  });

  test("an expired key is a typed 401; an expert key on an admin route is 403", async () => {
    const expert = await sim.apiKey("expert");
    const e403 = await rejectsWith(new FlexpertoClient({ baseUrl: sim.url, apiKey: expert }).listUsers(), "ApiError", "FORBIDDEN");
    assert.equal(e403.status, 403);
    const old = await sim.apiKey("admin");
    const c = new FlexpertoClient({ baseUrl: sim.url, apiKey: old });
    assert.ok(c.apiKeyExpiresAt instanceof Date);
    const days = (c.apiKeyExpiresAt.getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 729 && days < 731, `keys are valid 2 years (${days.toFixed(1)} days)`);
    await sim.advanceClock(2 * 365 * 86_400 + 1);
    try {
      const e = await rejectsWith(c.listUsers(), "ApiError", "UNAUTHORIZED");
      assert.match(e.message, /expired/);
    } finally {
      await sim.reset();
      key = await sim.apiKey("admin");
    }
  });
});

describe("configuration", () => {
  const cases = [
    [{ tenant: "evil.com/x", environment: "test" }, "INVALID_TENANT"],
    [{ tenant: "Demo", environment: "live" }, "INVALID_TENANT"],
    [{ tenant: "demo", environment: "prod" }, "INVALID_ENVIRONMENT"],
    [{ tenant: "demo" }, "MISSING_TARGET"],
    [{}, "MISSING_TARGET"],
    [{ baseUrl: "http://api.example.com" }, "INSECURE_BASE_URL"],
    [{ baseUrl: "http://127.0.0.1.evil.com" }, "INSECURE_BASE_URL"],
    [{ baseUrl: "https://user:pw@example.com" }, "INVALID_BASE_URL"],
    [{ baseUrl: "https://example.com", timeoutMs: 0 }, "INVALID_OPTION"],
    [{ baseUrl: "https://example.com", tiemoutMs: 10 }, "INVALID_OPTION"],
    [{ baseUrl: "https://example.com", routes: { listUsers: "no-slash" } }, "INVALID_ROUTE"],
    [{ baseUrl: "https://example.com", routes: { confirmEmail: "/u/{id}" } }, "INVALID_ROUTE"],
  ];
  for (const [opts, code] of cases) {
    test(`${JSON.stringify(opts)} -> ${code}`, () => {
      assert.throws(
        () => new FlexpertoClient({ apiKey: key, ...opts }),
        (e) => isFlexpertoError(e) && e.name === "ConfigError" && e.code === code && !e.message.includes(key),
      );
    });
  }

  test("a key that is not a JWT is refused without echoing it", () => {
    for (const apiKey of ["my-secret-api-key", "a.b", "", "x.y.z"]) {
      assert.throws(
        () => new FlexpertoClient({ baseUrl: "https://example.com", apiKey }),
        (e) => e.code === "INVALID_API_KEY" && (apiKey.length < 4 || !e.message.includes(apiKey)),
      );
    }
  });

  test("a tenant maps to its platform URL", () => {
    const c = new FlexpertoClient({ tenant: "quirinprivatbank", environment: "test", apiKey: key });
    assert.equal(c.baseUrl, "https://quirinprivatbank.test.flexperto.com");
  });

  test("route overrides are used, and an injected fetch sees every request", async () => {
    const seen = [];
    const c = client({
      routes: { listUsers: "/api/v2/moved/users" },
      fetch: (request) => {
        seen.push([request.url, request.method, request.headers.get("api-key") === key]);
        return fetch(request);
      },
      maxRetries: 0,
    });
    const e = await rejectsWith(c.listUsers({ limit: 1 }), "ApiError", "NOT_FOUND");
    assert.equal(e.status, 404);
    assert.deepEqual(seen, [[`${sim.url}/api/v2/moved/users?limit=1`, "GET", true]]);
  });

  test("path parameters are percent-encoded: an id never changes the path", async () => {
    const e = await rejectsWith(client().confirmEmail("../x"), "ApiError", "NOT_FOUND");
    assert.equal(e.status, 404);
    const last = (await sim.requests()).at(-1);
    assert.equal(last.path, "/api/v2/users/users/..%2Fx/confirm-email");
  });
});
