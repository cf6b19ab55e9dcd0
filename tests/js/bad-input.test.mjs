// Bad input, tried as a new user would: every public method of the client, its constructor and
// validateCallbackUrl get each JS kind of value for each argument and each option. Each call
// must work or answer with a typed error (isFlexpertoError: a name and a code); an untyped error
// (a TypeError from generated glue, a RuntimeError from the wasm) fails the test.
import assert from "node:assert/strict";
import { test } from "node:test";

import { FlexpertoClient, claimFileName, isDownloadable, isFlexpertoError, isTerminal, validateCallbackUrl } from "flexperto-sdk";

const key = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln";
// Answers every request at once: valid calls "work" (or end in a typed INVALID_RESPONSE).
const fakeFetch = async () => new Response('{"items":[]}', { status: 200, headers: { "content-type": "application/json" } });
const newClient = () => new FlexpertoClient({ baseUrl: "https://api.example.com", apiKey: key, fetch: fakeFetch, maxRetries: 0 });

const FIELDS = ["email", "firstName", "lastName", "role", "limit", "offset", "status", "moderatorAccountId", "participants",
  "accessLinkNotBefore", "accessLinkValidUntil", "expert", "customer", "validForMinutes", "name", "userId", "expiresAt",
  "topic", "url", "pageSize", "signal", "timeoutMs", "headers", "suppressMails", "allowHttpLoopback", "enableAutomaticRecording",
  "tenant", "environment", "baseUrl", "apiKey", "maxRetries", "routes", "fetch", "onRequest", "onResponse", "appInfo"];

/** Every JS kind of value, made fresh for each call (proxies get revoked, objects mutated). */
function oddValues() {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const throwing = Object.defineProperties({}, Object.fromEntries(FIELDS.map((k) => [k, { enumerable: true, get() { throw new Error(`getter ${k}`); } }])));
  const trap = () => { throw new Error("trap"); };
  const hostile = new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap, has: trap, getOwnPropertyDescriptor: trap });
  const cyclic = { email: "a@b.de" };
  cyclic.self = cyclic;
  let deep = {};
  for (let i = 0; i < 200; i++) deep = { email: deep };
  return [
    ["undefined", undefined], ["null", null], ["NaN", NaN], ["0", 0], ["-1", -1], ["1.5", 1.5], ["2**60", 2 ** 60],
    ["Infinity", -Infinity], ["true", true], ["''", ""], ["'x'", "x"], ["'..'", ".."], ["long string", "x".repeat(100_000)],
    ["[]", []], ["[1,'a',{}]", [1, "a", {}]], ["BigInt", 10n], ["huge BigInt", 2n ** 100n], ["function", () => {}],
    ["Symbol", Symbol("s")], ["throwing getters", throwing], ["hostile Proxy", hostile], ["revoked Proxy", revocable.proxy],
    ["Proxy of an object", new Proxy({ email: "a@b.de" }, {})], ["Object.create(null)", Object.create(null)],
    ["invalid Date", new Date(NaN)], ["Date", new Date()], ["Map", new Map([["email", "a@b.de"]])], ["boxed String", new String("x")],
    ["Uint8Array", new Uint8Array(4)], ["cyclic", cyclic], ["deep", deep], ["AbortSignal", new AbortController().signal],
    ["object with unknown key", { bogus: 1 }],
  ];
}

const future = () => new Date(Date.now() + 3_600_000);
const SECRET = "0123456789abcdef0123456789abcdef";
const METHODS = {
  listUsers: () => [{ limit: 1, role: "expert" }, {}],
  createUser: () => [{ email: "a@b.de", firstName: "A" }, { suppressMails: true }],
  confirmEmail: () => ["usr_1", {}],
  ensureExpert: () => [{ email: "a@b.de", lastName: "B" }, { suppressMails: true }],
  reserveMeeting: () => [{ moderatorAccountId: "usr_1", accessLinkValidUntil: future(), participants: [{ email: "c@d.de" }] }, {}],
  startVideoCall: () => [{ expert: { accountId: "usr_1" }, customer: { email: "c@d.de" }, validForMinutes: 30 }, {}],
  getPlatformSettings: () => [{}],
  updatePlatformSettings: () => [{ enableAutomaticRecording: false }, {}],
  createApiToken: () => [{ name: "crm", expiresAt: future() }, {}],
  listApiTokens: () => [{}],
  revokeApiToken: () => ["tok_1", {}],
  createWebhookSubscription: () => [{ topic: "archive.available", url: `https://crm.example.com/cb/${SECRET}` }, { allowHttpLoopback: false }],
  listWebhookSubscriptions: () => [{}],
  deleteWebhookSubscription: () => ["sub_1", {}],
  listWebhookSubscriptionReports: () => ["sub_1", {}],
  listArchives: () => [{ limit: 1, status: "AVAILABLE" }, {}],
  getArchive: () => ["arc_1", {}],
  archiveDownloadUrl: () => ["arc_1", {}],
  abandonArchive: () => ["conf_1", {}],
  downloadArchive: () => ["arc_1", { maxResumes: 1 }, {}],
  checkSpec: () => [{}],
};
// The list iterators: each is called with odd values, and its first page asked for.
const ITERATORS = {
  users: () => [{ role: "expert", pageSize: 10 }, {}],
  archives: () => [{ status: "AVAILABLE", pageSize: 10 }, {}],
  webhookSubscriptions: () => [{}],
  apiTokens: () => [{}],
};
// Public methods of FlexpertoClient tried neither way, and why.
const ELSEWHERE = {
  free: "wasm-bindgen's: takes no argument",
  __destroy_into_raw: "wasm-bindgen's internal step of free()",
};
const OPTION_KEYS = ["signal", "timeoutMs", "headers"];

/** Every variant of `valid()`: each argument replaced by each odd value, and each key of an object argument too. */
function* variants(valid) {
  const base = valid();
  for (let i = 0; i < base.length; i++) {
    for (const [what, v] of oddValues()) {
      const args = valid();
      args[i] = v;
      yield [`argument ${i} = ${what}`, args];
    }
    if (base[i] === null || typeof base[i] !== "object") continue;
    const keys = new Set(Object.keys(base[i]));
    if (i === base.length - 1 && i > 0) OPTION_KEYS.forEach((k) => keys.add(k));
    for (const k of keys) {
      for (const [what, v] of oddValues()) {
        const args = valid();
        args[i] = { ...args[i], [k]: v };
        yield [`argument ${i}.${k} = ${what}`, args];
      }
    }
  }
  // One argument fewer, and one more.
  yield ["no arguments", []];
  yield ["an extra argument", [...valid(), 1]];
}

async function outcome(run) {
  let p;
  try {
    p = run();
  } catch (e) {
    return ["threw", e];
  }
  if (!(p instanceof Promise)) return ["ok", p];
  const timeout = new Promise((resolve) => setTimeout(() => resolve(["hung"]), 5000).unref());
  return Promise.race([p.then((v) => ["ok", v], (e) => ["rejected", e]), timeout]);
}

function describeError(e) {
  try {
    return `${e?.name}: ${String(e?.message).slice(0, 120)} (code ${String(e?.code)})`;
  } catch {
    return "unprintable";
  }
}

async function check(label, gen, run) {
  const bad = [];
  let n = 0;
  for (const [what, args] of gen) {
    n += 1;
    const [kind, e] = await outcome(() => run(args));
    if (kind === "hung") bad.push(`${label} ${what}: never settled`);
    else if (kind !== "ok" && !isFlexpertoError(e)) bad.push(`${label} ${what}: ${kind} untyped ${describeError(e)}`);
  }
  return { bad, n };
}

test("every client method answers bad input with a typed error or works", async () => {
  const client = newClient();
  let total = 0;
  const bad = [];
  for (const [name, valid] of Object.entries(METHODS)) {
    assert.equal(typeof client[name], "function", `client.${name}`);
    const r = await check(name, variants(valid), (args) => client[name](...args));
    total += r.n;
    bad.push(...r.bad);
  }
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} of ${total} calls gave no typed error`);
  // The wasm is still usable afterwards.
  await client.listUsers({ limit: 1 });
});

test("every list iterator answers bad input with a typed error, at the call or at its first page, or works", async () => {
  const client = newClient();
  let total = 0;
  const bad = [];
  for (const [name, valid] of Object.entries(ITERATORS)) {
    const r = await check(name, variants(valid), (args) => client[name](...args)[Symbol.asyncIterator]().next());
    total += r.n;
    bad.push(...r.bad);
  }
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} of ${total} calls gave no typed error`);
  await client.listUsers({ limit: 1 });
});

test("every public method of the client is tried here (a new endpoint's method fails this until it is)", () => {
  const names = new Set();
  for (let p = FlexpertoClient.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== "constructor" && typeof Object.getOwnPropertyDescriptor(p, k).value === "function") names.add(k);
    }
  }
  const missing = [...names].filter((k) => !(k in METHODS) && !(k in ITERATORS) && !(k in ELSEWHERE));
  assert.deepEqual(missing, [], "methods without odd-value calls");
});

test("the constructor answers bad options with a ConfigError or works", async () => {
  const valid = () => [{ baseUrl: "https://api.example.com", apiKey: key, fetch: fakeFetch, timeoutMs: 1000, maxRetries: 1, routes: { listUsers: "/u" }, suppressMailsParam: "sm", appInfo: { name: "crm" } }];
  const { bad, n } = await check("new FlexpertoClient", variants(valid), (args) => new FlexpertoClient(...args));
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} of ${n} constructions gave no typed error`);
  const tenant = () => [{ tenant: "demo", environment: "test", apiKey: key }];
  const r = await check("new FlexpertoClient (tenant)", variants(tenant), (args) => new FlexpertoClient(...args));
  assert.deepEqual(r.bad.slice(0, 40), []);
});

test("validateCallbackUrl answers bad input with a typed error or works", async () => {
  const valid = () => [`https://crm.example.com/cb/${SECRET}`, { allowHttpLoopback: false }];
  const { bad, n } = await check("validateCallbackUrl", variants(valid), (args) => validateCallbackUrl(...args));
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} of ${n} calls gave no typed error`);
});

test("the package's functions on archive statuses and claim file names take any value: an answer or a typed error, never a wasm fault", async () => {
  const outcomes = [];
  for (const [what, v] of oddValues()) {
    for (const f of [isDownloadable, isTerminal]) {
      const r = f(v);
      assert.equal(typeof r, "boolean", `${f.name}(${what})`);
      outcomes.push(r);
    }
    for (const args of [[v, "arc_1"], ["conf_1", v]]) {
      const { bad } = await check(`claimFileName ${what}`, [[what, args]], (a) => claimFileName(...a));
      assert.deepEqual(bad, []);
    }
  }
  assert.ok(isDownloadable("AVAILABLE") && isTerminal("EXPIRED") && !outcomes.includes(undefined));
  assert.equal(claimFileName("conf_1", "arc_1"), "conf_1--arc_1.zip");
});

test("confirmEmail(42) and confirmEmail(undefined) are ValidationErrors naming the argument", async () => {
  for (const v of [42, undefined, null, {}]) {
    const e = await newClient().confirmEmail(v).then(() => assert.fail("expected a rejection"), (err) => err);
    assert.equal(e.name, "ValidationError");
    assert.equal(e.code, "INVALID_ARGUMENT");
    assert.equal(e.field, "userId");
  }
});

test("a bad nested field is named by its path", async () => {
  const e = await newClient()
    .reserveMeeting({ moderatorAccountId: "usr_1", accessLinkValidUntil: future(), participants: [{}, { email: 5 }] })
    .then(() => assert.fail("expected a rejection"), (err) => err);
  assert.equal(e.name, "ValidationError");
  assert.equal(e.field, "participants[1].email");
  const u = await newClient().listUsers({ limit: 1, bogus: true }).then(() => assert.fail("expected a rejection"), (err) => err);
  assert.equal(u.field, "query");
  assert.match(u.message, /bogus/);
});
