// Bad input, tried as a new user would: every public method of the client, its constructor and
// validateCallbackUrl get each JS kind of value for each argument and each option. Each call
// must work or answer with a typed error (isFlexpertoError: a name and a code); an untyped error
// (a TypeError from generated glue, a RuntimeError from the wasm) fails the test.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import * as sdk from "flexperto-sdk";
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

// Calls whose valid arguments are refused by design (with a typed error): the others must work
// with them, or a stale baseline would have every variant refused for the same reason and the
// readers of the other arguments never tried.
const REFUSED_BY_DESIGN = {
  "new ArchiveInspector": "ArchiveInspector.open makes them",
  "new FileSeenStore": "FileSeenStore.open makes them",
  "new WebhookEvent": "WebhookVerifier.verify makes them",
  "createWebhookHandler()": "takes a node:http request and response only",
  // Not refused by the SDK: every argument is read before the first request, which the fake
  // fetch answers without a subscription (INVALID_RESPONSE). webhooks.test.mjs runs it against
  // the simulator.
  rotateWebhookSecret: "reaches the API, which fakeFetch answers with no subscription",
};

/**
 * Runs `run` on each variant of `gen`; with `valid`, first on the unmodified valid arguments,
 * which must work (or, for REFUSED_BY_DESIGN, be refused with a typed error).
 */
async function check(label, gen, run, valid) {
  const bad = [];
  let n = 0;
  if (valid !== undefined) {
    const [kind, e] = await outcome(() => run(valid()));
    if (label in REFUSED_BY_DESIGN) {
      if (kind === "ok") bad.push(`${label}: the valid arguments work: take it off REFUSED_BY_DESIGN`);
      else if (!isFlexpertoError(e)) bad.push(`${label}: the valid arguments ${kind}, untyped ${describeError(e)}`);
    } else if (kind !== "ok") {
      bad.push(`${label}: the valid arguments ${kind}: ${describeError(e)} (a stale baseline: fix it)`);
    }
  }
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

// ---------------------------------------------------------------------------------------------
// Every other export of the package: its functions, constructors, static methods, and the
// methods of instances that are easy to make (real files in a temporary folder, a real SQLite
// file). Each call must work or answer with a typed error.

const tmp = mkdtempSync(join(tmpdir(), "flexperto-bad-input-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
// Odd values that are valid paths ('x') make files: in the temporary folder, not the checkout.
mkdirSync(join(tmp, "cwd"));
process.chdir(join(tmp, "cwd"));
let seq = 0;
const fresh = (name) => join(tmp, `${name}-${++seq}`);
const verifier = () => new sdk.WebhookVerifier({ secrets: [SECRET] });
// An address literal: the callback URL is checked without a DNS lookup.
const urlFor = (s) => `https://93.184.216.34/cb/${s}`;
const LEASE = () => ({ owner: "w1", nowMs: 1, leaseUntil: 2 });

// The SHA-256 of 4 zero bytes, and of nothing.
const SHA256_4_ZEROS = "df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119";
const SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Exported functions (and static methods), each with valid arguments.
const FUNCTIONS = {
  claimMayTake: () => [{ state: "seen", me: "w1", nowMs: 1 }],
  claimPolicy: () => [{ leaseMs: 60_000 }],
  claimStep: () => [{ status: { state: "seen" }, event: { record: { status: "AVAILABLE", sha256CheckSum: "0".repeat(64) } }, nowMs: 1 }],
  createWebhookHandler: () => [{ verifier: verifier(), onAny() {}, ttlMs: 1000 }],
  createWebRequestHandler: () => [{ verifier: verifier(), on: { "archive.available"() {} }, waitUntil() {} }],
  generateWebhookSecret: () => [],
  isFlexpertoError: () => [new Error("x")],
  isTopic: () => [{ topic: "a" }, "a"],
  linkIsValidAt: () => [{ url: "https://app.example.com/join?token=abc", notBefore: new Date(0), validUntil: future() }, Date.now(), { skewMs: 1000 }],
  rotateWebhookSecret: () => [
    newClient(),
    { id: "sub_1", topic: "archive.available", url: urlFor(SECRET) },
    { verifier: verifier(), urlFor, currentSecrets: [SECRET], graceMs: 0, drainMs: 0 },
  ],
  "ArchiveChecksum.verifyStream": () => [[new Uint8Array(4)], SHA256_4_ZEROS, {}],
  // The smallest zip: its end record alone.
  "ArchiveInspector.open": () => [new Blob([Uint8Array.of(0x50, 0x4b, 5, 6, ...new Array(18).fill(0))])],
  "FileSeenStore.open": () => [fresh("seen"), { maxEntries: 10, compactAfterLines: 100 }],
};
// Constructors, each with valid arguments.
const CONSTRUCTORS = {
  ArchiveChecksum: () => [],
  ArchiveClaimer: () => [{ client: newClient(), sink: new sdk.FileArchiveSink({ dir: fresh("sink") }), ledger: new sdk.MemoryLedger(), concurrency: 1 }],
  ArchiveInspector: () => [], // refused: ArchiveInspector.open makes them
  FileArchiveSink: () => [{ dir: fresh("sink") }],
  FileSeenStore: () => [], // refused: FileSeenStore.open makes them
  MemoryLedger: () => [],
  MemorySeenStore: () => [{ maxEntries: 10 }],
  // A pool connects on its first query only: nothing is reached here.
  PostgresLedger: () => [{ connectionString: "postgres://127.0.0.1:1/none" }],
  PostgresSeenStore: () => [{ connectionString: "postgres://127.0.0.1:1/none" }],
  SqliteLedger: () => [{ path: fresh("ledger.db") }],
  WebhookEvent: () => [], // refused: WebhookVerifier.verify makes them
  WebhookVerifier: () => [{ secrets: [SECRET], maxBodyBytes: 1000 }],
};
// Exports tried by the tests above.
const TRIED_ABOVE = ["FlexpertoClient", "claimFileName", "isDownloadable", "isTerminal", "validateCallbackUrl"];

const ledgerMethods = {
  acquire: () => ["arc_1", { ...LEASE(), conferenceId: "conf_1" }],
  save: () => [{ archiveId: "arc_1", state: "seen" }, { owner: "w1", nowMs: 1 }],
  renew: () => ["arc_1", LEASE()],
  release: () => ["arc_1", { owner: "w1" }],
  get: () => ["arc_1"],
  list: () => [],
  migrate: () => [],
  close: () => [],
};
// Instances easy to make (a new one for each call, closed after it), and their methods' valid arguments.
const INSTANCES = {
  ArchiveChecksum: { make: () => new sdk.ArchiveChecksum(), methods: { update: () => [new Uint8Array(4)], verify: () => [SHA256_EMPTY], digestHex: () => [] } },
  ArchiveClaimer: {
    make: () => new sdk.ArchiveClaimer({ client: newClient(), sink: new sdk.FileArchiveSink({ dir: fresh("sink") }), ledger: new sdk.MemoryLedger(), policy: { maxFailures: 1 } }),
    methods: {
      claim: () => ["arc_1", { conferenceId: "conf_1" }],
      handleEvent: () => [{ topic: "archive.available", archiveId: "arc_1", conferenceId: "conf_1" }],
      sweep: () => [{ signal: AbortSignal.abort() }],
    },
  },
  FileArchiveSink: { make: () => new sdk.FileArchiveSink({ dir: fresh("sink") }), methods: { pathOf: () => [{ conferenceId: "conf_1", archiveId: "arc_1" }], open: () => [{ conferenceId: "conf_1", archiveId: "arc_1" }] } },
  FileSeenStore: { make: () => sdk.FileSeenStore.open(fresh("seen")), methods: { claim: () => ["k", 1000], release: () => ["k"], compact: () => [], close: () => [] } },
  MemoryLedger: { make: () => new sdk.MemoryLedger(), methods: ledgerMethods },
  MemorySeenStore: { make: () => new sdk.MemorySeenStore(), methods: { claim: () => ["k", 1000], release: () => ["k"] } },
  SqliteLedger: { make: () => new sdk.SqliteLedger({ path: fresh("ledger.db") }), methods: ledgerMethods },
  WebhookVerifier: {
    make: verifier,
    methods: {
      verify: () => [{ path: `/cb/${SECRET}`, remoteAddress: "203.0.113.5", headers: { "content-type": "application/json" }, body: '{"id":"n1","topic":"conference.ended"}' }],
      setSecrets: () => [[SECRET]],
    },
  },
  // The handlers the adapters return are functions; their methods are tried as these.
  "createWebRequestHandler()": {
    make: () => sdk.createWebRequestHandler({ verifier: verifier(), onAny() {} }),
    call: () => [new Request(`https://crm.example.com/cb/${SECRET}`, { method: "POST", body: "{}" })],
  },
  "createWebhookHandler()": {
    make: () => sdk.createWebhookHandler({ verifier: verifier(), onAny() {} }),
    call: () => [{}, {}], // refused at once: not a node:http request and response
  },
};
// Public methods tried neither way, and why.
const METHODS_ELSEWHERE = {
  free: "wasm-bindgen's: takes no argument",
  __destroy_into_raw: "wasm-bindgen's internal step of free()",
  toJSON: "WebhookEvent's: takes no argument (and a WebhookEvent is made by verify only)",
  run: "ArchiveClaimer's: runs until options.signal aborts (without one, by design, forever); its options are read as sweep's, and its refusals are tried below",
  drain: "the handlers': takes no argument",
  "PostgresLedger.*": "need a PostgreSQL server: they read their arguments as MemoryLedger's and SqliteLedger's do (ledgerArgs); claim.test.mjs runs them on a real server",
  "PostgresSeenStore.*": "need a PostgreSQL server: they read their arguments as MemorySeenStore's (seenStoreClaim); claim.test.mjs runs them on a real server",
  "ArchiveInspector.*": "need an archive: readEntry's options are read in Rust (archiveReadEntryMaxBytes); archive.test.mjs tries them",
};

/** The public methods of `C`'s instances: function-valued properties along the prototype chain. */
function methodsOf(C) {
  const names = new Set();
  for (let p = C.prototype; p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== "constructor" && typeof Object.getOwnPropertyDescriptor(p, k).value === "function") names.add(k);
    }
  }
  return [...names];
}

const isClass = (v) => typeof v === "function" && /^class\b/.test(Function.prototype.toString.call(v));

test("every export of the package is tried with odd values (a new export or method fails this until it is)", () => {
  const missing = [];
  for (const [name, v] of Object.entries(sdk)) {
    if (name === "default") continue;
    const listed = name in FUNCTIONS || name in CONSTRUCTORS || TRIED_ABOVE.includes(name);
    if (!listed) missing.push(name);
    if (!isClass(v) || name === "FlexpertoClient") continue;
    for (const s of Object.getOwnPropertyNames(v)) {
      if (!["length", "name", "prototype"].includes(s) && typeof v[s] === "function" && !(`${name}.${s}` in FUNCTIONS)) missing.push(`${name}.${s}`);
    }
    for (const m of methodsOf(v)) {
      const tried = INSTANCES[name]?.methods?.[m] !== undefined || m in METHODS_ELSEWHERE || `${name}.*` in METHODS_ELSEWHERE;
      if (!tried) missing.push(`${name}.prototype.${m}`);
    }
  }
  for (const name of [...Object.keys(FUNCTIONS), ...Object.keys(CONSTRUCTORS)]) {
    const [owner, member] = name.split(".");
    assert.equal(typeof (member === undefined ? sdk[owner] : sdk[owner]?.[member]), "function", `${name} is exported`);
  }
  assert.deepEqual(missing, [], "exports or methods in none of the lists");
});

test("every exported function and static method answers bad input with a typed error or works", async () => {
  const bad = [];
  let total = 0;
  for (const [name, valid] of Object.entries(FUNCTIONS)) {
    const [owner, member] = name.split(".");
    const f = member === undefined ? sdk[owner] : sdk[owner][member].bind(sdk[owner]);
    const r = await check(name, variants(valid), (args) => f(...args), valid);
    total += r.n;
    bad.push(...r.bad);
  }
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} of ${total} calls gave no typed error`);
});

test("every exported constructor answers bad input with a typed error or works", async () => {
  const bad = [];
  let total = 0;
  for (const [name, valid] of Object.entries(CONSTRUCTORS)) {
    const C = sdk[name];
    const r = await check(`new ${name}`, variants(valid), (args) => new C(...args), valid);
    total += r.n;
    bad.push(...r.bad);
  }
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} of ${total} constructions gave no typed error`);
});

test("every method of the instances easy to make answers bad input with a typed error or works", async () => {
  const bad = [];
  let total = 0;
  const withInstance = async (make, run) => {
    const inst = await make();
    try {
      return await run(inst);
    } finally {
      try {
        await inst.close?.();
      } catch {
        // closed by the call itself
      }
    }
  };
  for (const [name, { make, methods = {}, call }] of Object.entries(INSTANCES)) {
    const calls = Object.entries(methods).map(([m, valid]) => [`${name}.${m}`, valid, (inst, args) => inst[m](...args)]);
    if (call !== undefined) calls.push([name, call, (inst, args) => inst(...args)]);
    for (const [label, valid, run] of calls) {
      bad.push(...(await withInstance(make, (inst) => check(label, [], (a) => run(inst, a), valid))).bad);
      for (const [what, args] of variants(valid)) {
        total += 1;
        const r = await withInstance(make, (inst) => check(label, [[what, args]], (a) => run(inst, a)));
        bad.push(...r.bad);
      }
    }
  }
  assert.deepEqual(bad.slice(0, 40), [], `${bad.length} of ${total} calls gave no typed error`);
});

test("options of the hand-written JS are refused in Rust: unknown keys and hostile values name their path", async () => {
  const refusal = (field, message, cause) => (e) =>
    e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === field && message.test(e.message) && (cause === undefined || e.cause === cause);
  assert.throws(() => new sdk.MemorySeenStore({ maxEntry: 5 }), refusal("options", /unknown field `maxEntry`/));
  // Options of any object, as the client's: a class instance, Object.create(defaults); its own
  // enumerable keys are the options (inherited and non-enumerable ones are not read).
  class SinkOptions {
    constructor(dir) {
      this.dir = dir;
    }
  }
  assert.equal(new sdk.FileArchiveSink(new SinkOptions(join(tmp, "cls"))).pathOf({ conferenceId: "c", archiveId: "a" }), join(tmp, "cls", "c--a.zip"));
  const made = Object.create({ bogus: 1 }, { maxEntries: { value: 1, enumerable: true }, hidden: { value: 2, enumerable: false } });
  const store = new sdk.MemorySeenStore(made);
  assert.deepEqual([await store.claim("a", 1000), await store.claim("b", 1000), store.size], [true, true, 1]);
  assert.throws(() => new sdk.MemorySeenStore(Object.assign(() => {}, { maxEntries: 1 })), refusal("options", /must be an object/));
  assert.throws(() => new sdk.FileArchiveSink({ dir: "x", mode: 1 }), refusal("options", /unknown field `mode`/));
  assert.throws(() => sdk.createWebRequestHandler({ verifier: verifier(), on: { "conference.ended": "x" } }), refusal('options.on["conference.ended"]', /must be a function/));
  const boom = new Error("boom");
  const trap = new Proxy({}, { ownKeys() { throw boom; } });
  assert.throws(() => new sdk.SqliteLedger(trap), refusal("options", /cannot be read/, boom));
  const getter = Object.defineProperty({}, "dir", { enumerable: true, get() { throw boom; } });
  assert.throws(() => new sdk.FileArchiveSink(getter), refusal("options.dir", /cannot be read/, boom));
  const nested = { verifier: verifier(), onAny() {}, on: new Proxy({}, { ownKeys() { throw boom; } }) };
  assert.throws(() => sdk.createWebhookHandler(nested), refusal("options.on", /cannot be read/, boom));
  const claimer = INSTANCES.ArchiveClaimer.make();
  await assert.rejects(claimer.run({ intervalMs: -1 }), refusal("options.intervalMs", /must be a non-negative number/));
  await assert.rejects(claimer.run({ signal: {} }), refusal("options.signal", /must be an AbortSignal/));
  await assert.rejects(claimer.sweep({ intervalMs: 5 }), refusal("options.intervalMs", /run only/));
  const ledger = new sdk.MemoryLedger();
  await assert.rejects(ledger.save({ archiveId: "arc_1", state: "seen" }), refusal("options", /must be an object/));
  await assert.rejects(ledger.renew("arc_1", { owner: "w1", nowMs: 1 }), refusal("options.leaseUntil", /must be a finite number/));
  await assert.rejects(
    sdk.FileSeenStore.open(fresh("seen"), { compactAfterLines: 0 }),
    refusal("options.compactAfterLines", /must be a positive integer/),
  );
});
