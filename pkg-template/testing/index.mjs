// flexperto-sdk/testing: helpers for a plugin's own tests (Node).
//   archiveNotification / archiveRecord / ARCHIVE_STATUSES - valid payloads and records
//   deliver                - delivers a notification the way the platform does
//   FakeFlexpertoClient    - the real FlexpertoClient over an in-memory tenant, for unit tests
//   contractOperations     - the contract's operations and the answer it gives each (the fake's fallback)
//   startSimulator         - starts the flexperto-sim binary (the flexperto-sim npm package)
// The platform's delivery policy (attempts, timeout, backoff, what counts as acknowledged) is the
// wasm core's (src/webhook/flow.rs), the one the simulator follows too.
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const glue = require("../node/flexperto_sdk.js");
const sdk = require("../node/index.js");

// ---------------------------------------------------------------------------------------------
// Builders

/** Every archive status, in life-cycle order (FAILED, ABANDONED and EXPIRED end it). */
export const ARCHIVE_STATUSES = Object.freeze(["PROCESSING", "ARTIFACT_GATHERING_COMPLETE", "PACKING", "AVAILABLE", "FAILED", "ABANDONED", "EXPIRED"]);

let seq = 0;
const nextId = (prefix) => `${prefix}_${Date.now().toString(36)}${(++seq).toString(36)}${randomUUID().slice(0, 8)}`;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * A valid `archive.available` notification (the body the platform POSTs).
 * @param {{ id?: string, archiveId?: string, conferenceId?: string, sha256CheckSum?: string,
 *   topic?: string, createdAt?: string, data?: object }} [o]
 */
export function archiveNotification(o = {}) {
  const archiveId = o.archiveId ?? nextId("arc");
  return {
    id: o.id ?? nextId("ntf"),
    topic: o.topic ?? "archive.available",
    createdAt: o.createdAt ?? new Date().toISOString(),
    data: {
      archive_id: archiveId,
      archive_subject: { conference_id: o.conferenceId ?? nextId("conf") },
      sha256CheckSum: o.sha256CheckSum ?? createHash("sha256").update(archiveId).digest("hex"),
      status: "AVAILABLE",
      ...o.data,
    },
  };
}

/**
 * A valid archive record (`CommunicationConferencesArchiveResponse`) in `status`, with the
 * fields the API sends in that status (a checksum and size once there is a file, `error` when
 * FAILED, `abandonedAt`, `expiresAt`). `fields` are merged over it.
 */
export function archiveRecord(status = "AVAILABLE", fields = {}) {
  if (!ARCHIVE_STATUSES.includes(status)) throw new TypeError(`archiveRecord: status must be one of ${ARCHIVE_STATUSES.join(", ")}`);
  const id = fields.id ?? nextId("arc");
  const now = Date.now();
  const r = {
    id,
    subject: { conference_id: nextId("conf") },
    status,
    conferenceStartedAt: iso(now - 3_600_000),
    conferenceEndedAt: iso(now - 1_800_000),
    expert: { accountId: nextId("usr"), email: "expert@example.invalid", firstName: "Erika", lastName: "Expert" },
    participants: [{ email: "customer@example.invalid", firstName: "Carl", lastName: "Customer" }],
    createdAt: iso(now - 1_800_000),
  };
  if (status === "FAILED") r.error = "the recording could not be packed";
  if (["AVAILABLE", "ABANDONED", "EXPIRED"].includes(status)) {
    r.sha256CheckSum = createHash("sha256").update(id).digest("hex");
    r.sizeBytes = 1_048_576;
  }
  if (status === "ABANDONED") r.abandonedAt = iso(now);
  if (status === "EXPIRED") r.expiresAt = iso(now - 60_000);
  return { ...r, ...fields };
}

// ---------------------------------------------------------------------------------------------
// Delivery, as the platform does it

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The platform's delivery policy: `{ attempts, attemptTimeoutMs, backoffMs }`. */
export function deliveryPolicy() {
  return glue.platformDeliveryPolicy();
}

/**
 * Delivers `notification` to `target` the way the platform does: a JSON POST, acknowledged by
 * `199 < status < 399` within 3 s, else retried (4 attempts, 100/200/400 ms apart). `duplicates`
 * extra copies are sent at the same time (the platform is at-least-once). `target` is a URL, or a
 * Fetch handler `(Request) => Promise<Response>` (then `url` is the request's URL, default
 * `https://plugin.example/webhooks`).
 * Resolves to `{ delivered, attempts: [{ attempt, status?, error?, ms }], copies }`.
 */
export async function deliver(notification, target, options = {}) {
  const policy = deliveryPolicy();
  const { duplicates = 0, headers = {} } = options;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? policy.attemptTimeoutMs;
  if (!Number.isInteger(duplicates) || duplicates < 0 || duplicates > 100) throw new TypeError("deliver: duplicates must be an integer from 0 to 100");
  const body = typeof notification === "string" ? notification : JSON.stringify(notification);
  const isHandler = typeof target === "function";
  const url = isHandler ? (options.url ?? "https://plugin.example/webhooks") : String(target);
  const send = async (signal) => {
    const init = { method: "POST", headers: { "content-type": "application/json", ...headers }, body, redirect: "manual", signal };
    if (!isHandler) return (await fetch(url, init)).status;
    const answer = target(new Request(url, init));
    const res = await Promise.race([
      answer,
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
    ]);
    await res.body?.cancel();
    return res.status;
  };
  const one = async () => {
    const attempts = [];
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
      await sleep(policy.backoffMs[attempt - 1]);
      const t0 = performance.now();
      const signal = AbortSignal.timeout(attemptTimeoutMs);
      try {
        const status = await send(signal);
        attempts.push({ attempt, status, ms: performance.now() - t0 });
        if (glue.platformAccepts(status)) return { delivered: true, attempts };
      } catch (e) {
        attempts.push({ attempt, error: e?.name === "TimeoutError" ? "timeout" : String(e?.message ?? e), ms: performance.now() - t0 });
      }
    }
    return { delivered: false, attempts };
  };
  const [first, ...copies] = await Promise.all(Array.from({ length: 1 + duplicates }, one));
  return { ...first, copies };
}

// ---------------------------------------------------------------------------------------------
// The simulator

function simBinary(explicit) {
  if (explicit) return explicit;
  if (process.env.FLEXPERTO_SIM_BIN) return process.env.FLEXPERTO_SIM_BIN;
  // The flexperto-sim package, from the test's project or beside this one.
  for (const from of [pathToFileURL(`${process.cwd()}/`).href, import.meta.url]) {
    try {
      return createRequire(from)("flexperto-sim").binaryPath();
    } catch (e) {
      if (e?.code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  throw new Error("startSimulator: install the simulator (npm i -D flexperto-sim), or set FLEXPERTO_SIM_BIN");
}

/**
 * Starts the simulator on a free port; resolves once it listens. `stop()` ends it.
 * @param {{ bin?: string, args?: string[] }} [options]
 */
export function startSimulator(options = {}) {
  return Simulator.start(options);
}

/** A running simulator: its `url` and its `/_sim/` control API. */
export class Simulator {
  #child;

  constructor(url, child) {
    this.url = url;
    this.#child = child;
  }

  /** Starts the simulator; on a subclass, resolves to an instance of it. */
  static async start(options = {}) {
    const bin = simBinary(options.bin);
    const child = spawn(bin, ["--port", "0", ...(options.args ?? [])], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the simulator did not start within 10 s")), 10_000);
      child.once("error", (e) => (clearTimeout(timer), reject(e)));
      child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`the simulator exited with ${code}`))));
      lines.once("line", (line) => {
        clearTimeout(timer);
        const m = /^listening on (http:\/\/\S+)$/.exec(line);
        m ? resolve(m[1]) : reject(new Error(`the simulator printed ${JSON.stringify(line)}`));
      });
    }).catch((e) => {
      child.kill("SIGKILL");
      throw e;
    });
    lines.on("line", () => {}); // keep draining its output
    return new this(url, child);
  }

  async control(method, path, body) {
    const res = await fetch(`${this.url}/_sim/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`/_sim/${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** A fresh API key of `role` ("admin", "expert" or "customer"). */
  async apiKey(role = "admin") {
    return (await this.control("POST", "api-keys", { role })).apiKey;
  }

  /** A client of this simulator with a fresh admin key; `options` are merged in. */
  async client(options = {}) {
    return new sdk.FlexpertoClient({ baseUrl: this.url, apiKey: await this.apiKey("admin"), ...options });
  }

  /** Ends a conference, which creates its archive (then notified as `archive.available`). */
  endConference(options = {}) {
    return this.control("POST", "conferences", options);
  }

  /** Injects a fault of the API (see sim/README.md). */
  fault(spec) {
    return this.control("POST", "faults", spec);
  }

  /** Moves the simulator's clock on. */
  advanceClock(seconds) {
    return this.control("POST", "clock/advance", { seconds });
  }

  /** The requests the API saw. */
  async requests() {
    return (await this.control("GET", "requests")).items;
  }

  reset() {
    return this.control("POST", "reset");
  }

  async stop() {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }

  async [Symbol.asyncDispose]() {
    await this.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// The fake client: the real FlexpertoClient over an in-memory tenant

/**
 * Every operation of the contract this package ships, in contract order, with the answer the
 * contract gives it: `{ operationId, method, path, status, body?, location? }` (the body made from
 * the success response's schema, as stripe-mock answers). From the wasm core (build.rs writes it
 * from spec/flexperto-v2.json).
 */
export function contractOperations() {
  return glue.contractAnswers();
}

// A key the client accepts (a JWT's shape; no expiry). The fake tenant does not check keys.
const b64url = (s) => Buffer.from(s).toString("base64url");
const FAKE_API_KEY = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"fake"}')}.${b64url("fake-signature")}`;

// Object storage of the fake tenant: where archiveDownloadUrl redirects to.
const STORAGE = "https://storage.fake.invalid/archives/";

const copy = (v) => structuredClone(v);
let operations;

// The answers of the in-memory tenant: `{ status, body?, headers? }`, bodies as the platform's JSON.
const json = (status, body) => ({ status, body });
const empty = (status) => ({ status });
const failure = (status, code, message) => ({ status, body: { status, code, message } });
const now = () => new Date().toISOString();

/** The wire form of a stored archive record (the bytes you seeded stay out of it). */
function archiveWire(record) {
  const { content, ...wire } = record;
  return copy(wire);
}

function listPage(all, query, defaultLimit) {
  const limit = Number(query.get("limit") ?? defaultLimit);
  const offset = Number(query.get("offset") ?? 0);
  return { items: copy(all.slice(offset, offset + limit)), total: all.length, limit, offset };
}

/**
 * The stateful operations of the fake tenant, by operationId, in the platform's wire format (as
 * the simulator answers them). Each gets the fake and `{ params, query, body }`. An operation of
 * the contract without an entry here is answered from the contract (contractOperations()).
 */
const HANDLERS = {
  listUsers(f, { query }) {
    const role = query.get("role");
    const email = query.get("email");
    const all = [...f.userRecords.values()].filter((u) => (role === null || u.role === role) && (email === null || u.email === email));
    return json(200, listPage(all, query, 100));
  },
  createUser(f, { body }) {
    if ([...f.userRecords.values()].some((u) => u.email === body?.email)) return failure(409, "CONFLICT", "the e-mail is taken");
    return json(201, f.addUser({ role: "expert", ...body }));
  },
  confirmEmail(f, { params }) {
    const u = f.userRecords.get(params.userId);
    if (u === undefined) return failure(404, "NOT_FOUND", "no such user");
    if (u.emailConfirmed) return empty(200); // already confirmed: nothing to say (the client gives null)
    u.emailConfirmed = true;
    return json(200, copy(u));
  },
  reserveMeeting(f, { body }) {
    const id = nextId("mtg");
    const link = () => `${f.baseUrl}/join/${randomUUID()}`;
    const record = {
      id,
      moderator_link: link(),
      participant_links: (body?.participants ?? []).map((p) => ({ ...p, link: link() })),
      access_link_not_before: body?.access_link_not_before ?? now(),
      access_link_valid_until: body?.access_link_valid_until,
      flexperto_account_id: body?.flexperto_account_id,
      createdAt: now(),
    };
    f.meetings.set(id, record);
    return json(201, copy(record));
  },
  listArchives(f, { query }) {
    const status = query.get("status");
    const all = [...f.archiveRecords.values()].filter((r) => status === null || r.status === status).map(archiveWire);
    const { items, total } = listPage(all, query, 100);
    return json(200, { items, total });
  },
  getArchive(f, { params }) {
    const r = f.archiveRecords.get(params.archiveId);
    return r === undefined ? failure(404, "NOT_FOUND", "no such archive") : json(200, archiveWire(r));
  },
  archiveDownloadUrl(f, { params }) {
    const r = f.archiveRecords.get(params.archiveId);
    if (r === undefined) return failure(404, "NOT_FOUND", "no such archive");
    if (!sdk.isDownloadable(r.status)) return failure(409, "CONFLICT", `archive ${r.id} is ${r.status}: there is no file to download`);
    return { status: 302, headers: { location: `${STORAGE}${encodeURIComponent(r.id)}.zip` } };
  },
  abandonArchive(f, { params }) {
    const r = [...f.archiveRecords.values()].find((x) => x.subject?.conference_id === params.conferenceId);
    if (r === undefined) return failure(404, "NOT_FOUND", "no archive for this conference");
    if (r.status === "ABANDONED") return empty(200); // already abandoned (the client gives null)
    if (r.status !== "AVAILABLE") return failure(409, "CONFLICT", `archive ${r.id} is ${r.status}: only an AVAILABLE archive can be abandoned`);
    r.status = "ABANDONED";
    r.abandonedAt = now();
    return json(200, archiveWire(r));
  },
  createWebhookSubscription(f, { body }) {
    const s = { id: nextId("sub"), topic: body?.topic, url: body?.url, createdAt: now() };
    f.subscriptionRecords.set(s.id, s);
    f.reports.set(s.id, []);
    return json(201, copy(s));
  },
  listWebhookSubscriptions(f) {
    return json(200, { items: copy([...f.subscriptionRecords.values()]) });
  },
  deleteWebhookSubscription(f, { params }) {
    if (!f.subscriptionRecords.delete(params.subscriptionId)) return failure(404, "NOT_FOUND", "no such subscription");
    f.reports.delete(params.subscriptionId);
    return empty(204);
  },
  listWebhookSubscriptionReports(f, { params }) {
    const r = f.reports.get(params.subscriptionId);
    return r === undefined ? failure(404, "NOT_FOUND", "no such subscription") : json(200, { items: copy(r) });
  },
  createApiToken(f, { body }) {
    const t = { id: nextId("tok"), name: body?.name, userId: body?.userId, createdAt: now() };
    if (body?.expiresAt !== undefined) t.expiresAt = body.expiresAt;
    f.tokenRecords.set(t.id, t);
    return json(201, { ...copy(t), token: randomUUID() });
  },
  listApiTokens(f) {
    return json(200, { items: copy([...f.tokenRecords.values()]) });
  },
  revokeApiToken(f, { params }) {
    return f.tokenRecords.delete(params.tokenId) ? empty(204) : failure(404, "NOT_FOUND", "no such token");
  },
  getPlatformSettings(f) {
    return json(200, copy(f.settings));
  },
  // The two recording modes are refused together by the client (RECORDING_MODES_EXCLUSIVE, in Rust)
  // before it sends an update.
  updatePlatformSettings(f, { body }) {
    f.settings = { ...f.settings, ...body };
    return json(200, copy(f.settings));
  },
  // The fake tenant serves the contract this package ships: checkSpec finds no drift.
  getSpec() {
    return { status: 200, text: glue.contractDocument() };
  },
};

/** The operation whose path template matches `path` (literal segments before `{parameters}`). */
function route(operations, method, path) {
  const segments = path.split("/");
  let allowed = false;
  let best;
  for (const op of operations) {
    const template = op.path.split("/");
    if (template.length !== segments.length) continue;
    const params = {};
    let literal = 0;
    const matches = template.every((t, i) => {
      const m = /^\{(\w+)\}$/.exec(t);
      if (m === null) return (literal += 1, t === segments[i]);
      try {
        params[m[1]] = decodeURIComponent(segments[i]);
      } catch {
        return false;
      }
      return segments[i] !== "";
    });
    if (!matches) continue;
    if (op.method !== method) {
      allowed = true;
      continue;
    }
    if (best === undefined || literal > best.literal) best = { op, params, literal };
  }
  return best ?? { status: allowed ? 405 : 404 };
}

// A copy for `calls`: a structured clone, or the values themselves when they cannot be cloned
// (functions, signals).
function snapshot(args) {
  try {
    return structuredClone(args);
  } catch {
    return [...args];
  }
}

// The fake's own members, which `calls` does not record.
const UNRECORDED = new Set(["constructor", "free", "toJSON", "toString", "addUser", "addArchive"]);

/**
 * The real FlexpertoClient (its parsers, its typed errors, its retries and checks), over an
 * in-memory tenant instead of the network, for unit tests of code that takes a client. The tenant
 * answers every operation of the contract: from its state where it keeps one (users, meetings,
 * archives and their files, webhook subscriptions and reports, API keys, settings, the spec) in
 * the platform's wire format, and any other operation with the answer the contract gives it
 * (`contractOperations()`). `{ stateful: false }` answers every operation from the contract.
 * Seed it with `addArchive(archiveRecord(...))` or `addUser(...)`; every method call is recorded in
 * `calls` as `{ method, args }`, every API request the tenant answered in `requests`. There is no DNS:
 * createWebhookSubscription checks the callback URL without resolving its name unless a `lookup`
 * is given. Use the simulator for anything about the network, retries or faults.
 */
export class FakeFlexpertoClient extends sdk.FlexpertoClient {
  #stateful;
  #lookup;

  /** @param {{ baseUrl?: string, stateful?: boolean, lookup?: Function } & Record<string, unknown>} [options] */
  constructor(options = {}) {
    const { stateful = true, ...client } = options;
    let self;
    const target = client.baseUrl === undefined && client.tenant === undefined ? { baseUrl: "https://fake.test.flexperto.com" } : {};
    super({ ...target, apiKey: FAKE_API_KEY, ...client, fetch: (request, init) => self.#answer(request, init?.signal ?? request.signal) });
    self = this;
    this.#stateful = stateful !== false;
    this.#lookup = client.lookup;
    this.userRecords = new Map();
    this.archiveRecords = new Map();
    this.subscriptionRecords = new Map();
    this.reports = new Map();
    this.tokenRecords = new Map();
    this.meetings = new Map();
    this.settings = { enableAutomaticRecording: false, enableRecordingVerbalConsent: false, enableAutomaticArchivingOfConferences: true };
    this.calls = [];
    this.requests = [];
    // Each method of the client records its call, the list iterators' page calls included.
    for (let p = Object.getPrototypeOf(this); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const name of Object.getOwnPropertyNames(p)) {
        const method = Object.getOwnPropertyDescriptor(p, name).value;
        if (typeof method !== "function" || UNRECORDED.has(name) || name.startsWith("__") || Object.hasOwn(this, name)) continue;
        Object.defineProperty(this, name, {
          configurable: true,
          writable: true,
          value: (...args) => {
            this.calls.push({ method: name, args: snapshot(args) });
            return method.apply(this, args);
          },
        });
      }
    }
  }

  /** Adds a user record (`{ id?, email, role?, ... }`); returns it. */
  addUser(user) {
    const u = { id: user.id ?? nextId("usr"), emailConfirmed: false, createdAt: now(), ...user };
    this.userRecords.set(u.id, u);
    return copy(u);
  }

  /** Adds an archive record (see archiveRecord; a `content` field is the file downloadArchive streams); returns it. */
  addArchive(record) {
    this.archiveRecords.set(record.id, copy(record));
    return copy(record);
  }

  /** The client's check of the callback URL; its name is resolved only with a `lookup` (no DNS in memory). */
  createWebhookSubscription(subscription, options) {
    const plain = options === undefined || (options !== null && typeof options === "object" && !Array.isArray(options));
    const unresolved = this.#lookup === undefined && plain && options?.resolve === undefined && options?.lookup === undefined;
    return super.createWebhookSubscription(subscription, unresolved ? { ...options, resolve: false } : options);
  }

  // The in-memory tenant: answers a request of the client as the platform would.
  async #answer(request, signal) {
    signal?.throwIfAborted();
    const url = new URL(request.url);
    if (url.href.startsWith(STORAGE)) return this.#storage(request, decodeURIComponent(url.pathname.split("/").pop().replace(/\.zip$/, "")));
    const base = new URL(this.baseUrl);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname.replace(/\/$/, ""))) {
      throw new TypeError(`fetch failed: the fake tenant serves ${this.baseUrl} only, not ${url.origin}`);
    }
    const path = url.pathname.slice(base.pathname.replace(/\/$/, "").length);
    operations ??= contractOperations();
    const found = route(operations, request.method, path);
    const record = { operationId: found.op?.operationId, method: request.method, url: request.url };
    let answer;
    if (found.op === undefined) {
      answer = empty(found.status); // a route the tenant does not serve: no error body
    } else {
      const text = await request.text();
      let body;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        answer = failure(400, "BAD_REQUEST", "the body is not JSON");
      }
      const handler = this.#stateful ? HANDLERS[found.op.operationId] : undefined;
      const op = found.op;
      answer ??= handler !== undefined
        ? handler(this, { params: found.params, query: url.searchParams, body })
        : { status: op.status, body: op.body, headers: op.location === undefined ? undefined : { location: op.location } };
    }
    this.requests.push({ ...record, status: answer.status });
    const headers = new Headers(answer.headers);
    let payload = answer.text ?? null;
    if (answer.body !== undefined) payload = JSON.stringify(answer.body);
    if (payload !== null) headers.set("content-type", "application/json");
    return new Response(payload, { status: answer.status, headers });
  }

  // The fake tenant's object storage: the seeded `content` of an archive (Range honoured).
  #storage(request, archiveId) {
    const r = this.archiveRecords.get(archiveId);
    if (request.method !== "GET" || r === undefined) return new Response(null, { status: 404 });
    const content = r.content ?? new Uint8Array(0);
    const etag = `"${createHash("sha256").update(content).digest("hex").slice(0, 16)}"`;
    const range = /^bytes=(\d+)-$/.exec(request.headers.get("range") ?? "");
    const ifRange = request.headers.get("if-range");
    if (range !== null && (ifRange === null || ifRange === etag)) {
      const from = Number(range[1]);
      if (from >= content.length) return new Response(null, { status: 416, headers: { "content-range": `bytes */${content.length}` } });
      return new Response(content.slice(from), {
        status: 206,
        headers: { etag, "content-length": String(content.length - from), "content-range": `bytes ${from}-${content.length - 1}/${content.length}` },
      });
    }
    return new Response(content.slice(), { status: 200, headers: { etag, "content-length": String(content.length) } });
  }
}
