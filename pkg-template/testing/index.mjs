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

/** The wire form of a stored archive record (the bytes you seeded stay out of it). */
function archiveWire(record) {
  const { content, ...wire } = record;
  return copy({ ...wire, status: statusNow(record) });
}

// The simulator's paging (sim/src/users.rs, sim/src/archives.rs): `limit` 1 to 100, default 20;
// `offset` from 0, default 0. A value out of range is refused with `refuse(message)`; the users
// list reads a value as Rust's usize parser does (a leading `+` allowed), the archives list digits only.
const PAGE = { defaultLimit: 20, maxLimit: 100 };
function listPage(all, query, refuse, digits) {
  const num = (k, fallback, min, max) => {
    const v = query.get(k);
    if (v === null) return fallback;
    const n = digits.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) throw refuse(`${k} must be an integer from ${min} to ${max}`);
    return n;
  };
  const limit = num("limit", PAGE.defaultLimit, 1, PAGE.maxLimit);
  const offset = num("offset", 0, 0, Number.MAX_SAFE_INTEGER);
  return { items: copy(all.slice(offset, offset + limit)), total: all.length, limit, offset };
}

// The simulator's answer to a bad query or body: 422 UNPROCESSABLE for users, 400 BAD_REQUEST for archives.
const unprocessable = (message) => failure(422, "UNPROCESSABLE", message);
const badRequest = (message) => failure(400, "BAD_REQUEST", message);
const ROLES = ["expert", "customer", "admin"];
// An abandoned archive expires this long after it was abandoned (sim/src/archives.rs EXPIRY_SECS).
const EXPIRY_MS = 3 * 86_400_000;
// The simulator's timestamps are whole seconds.
const nowSecond = () => Math.floor(Date.now() / 1000) * 1000;

// A record's status now: an archive past its `expiresAt` is EXPIRED, as in the simulator.
function statusNow(record) {
  const expires = record.expiresAt === undefined ? NaN : Date.parse(record.expiresAt);
  return expires <= Date.now() ? "EXPIRED" : record.status;
}

// A handler's answer, or the refusal a page reader threw.
function answering(handler) {
  return (...args) => {
    try {
      return handler(...args);
    } catch (e) {
      if (e?.status !== undefined && e?.body !== undefined) return e;
      throw e;
    }
  };
}

/**
 * The stateful operations of the fake tenant, by operationId, in the platform's wire format (as
 * the simulator answers them). Each gets the fake and `{ params, query, body }`. An operation of
 * the contract without an entry here is answered from the contract (contractOperations()).
 */
const HANDLERS = {
  listUsers: answering((f, { query }) => {
    const role = query.get("role");
    const email = query.get("email")?.toLowerCase() ?? null;
    const page = listPage([], query, unprocessable, /^\+?\d+$/);
    if (role !== null && !ROLES.includes(role)) return unprocessable("role must be expert, customer or admin");
    const all = [...f.userRecords.values()].filter((u) => (role === null || u.role === role) && (email === null || String(u.email).toLowerCase() === email));
    return json(200, { ...page, items: copy(all.slice(page.offset, page.offset + page.limit)), total: all.length });
  }),
  createUser(f, { body }) {
    if (body?.role !== undefined && !ROLES.includes(body.role)) return unprocessable("role must be expert, customer or admin");
    const email = String(body?.email).toLowerCase();
    if ([...f.userRecords.values()].some((u) => String(u.email).toLowerCase() === email)) {
      return failure(409, "CONFLICT", "an account with this e-mail already exists");
    }
    // The platform sets these itself: given in the body, they are dropped.
    const { id, emailConfirmed, createdAt, ...fields } = body ?? {};
    return json(201, f.addUser({ role: "expert", ...fields, emailConfirmed: false, createdAt: iso(nowSecond()) }));
  },
  // Confirming a confirmed user's e-mail answers the user again, as the simulator does.
  confirmEmail(f, { params }) {
    const u = f.userRecords.get(params.userId);
    if (u === undefined) return failure(404, "NOT_FOUND", "no such user");
    u.emailConfirmed = true;
    return json(200, copy(u));
  },
  // As the simulator (sim/src/meetings.rs): the moderator is an expert's account; the window is in
  // whole seconds (the start rounded up), 24 hours from its start unless an end is given, and ends
  // after its start and in the future.
  reserveMeeting: answering((f, { body }) => {
    const { id: _id, moderator_link, participant_links, createdAt, ...fields } = body ?? {};
    if (typeof fields.flexperto_account_id !== "string") return unprocessable("flexperto_account_id is required and must be a string");
    if (!Array.isArray(fields.participants)) return unprocessable("participants is required and must be an array");
    if (fields.participants.length > 50) return unprocessable("participants may hold at most 50 entries");
    const date = (k) => {
      const v = fields[k];
      const ms = v === undefined || v === null ? null : Date.parse(v);
      if (Number.isNaN(ms)) throw unprocessable(`${k} must be an RFC 3339 date-time`);
      return ms;
    };
    const from = date("access_link_not_before");
    const until = date("access_link_valid_until");
    const nowS = Math.floor(Date.now() / 1000);
    const notBefore = from === null ? nowS : Math.ceil(from / 1000);
    const validUntil = until === null ? notBefore + 86_400 : Math.floor(until / 1000);
    if (validUntil <= notBefore) return unprocessable("access_link_valid_until must be after access_link_not_before");
    if (validUntil <= nowS) return unprocessable("access_link_valid_until must be in the future");
    const expert = f.userRecords.get(fields.flexperto_account_id);
    if (expert === undefined) return unprocessable("flexperto_account_id: no account with this id");
    if (expert.role !== "expert") return unprocessable("flexperto_account_id must be an expert's account");
    const link = () => `${f.baseUrl}/join/${randomUUID()}`;
    const record = {
      ...fields,
      id: nextId("mtg"),
      access_link_not_before: iso(notBefore * 1000),
      access_link_valid_until: iso(validUntil * 1000),
      moderator_link: link(),
      participant_links: (fields.participants ?? []).map(({ link: _link, ...p }) => ({ ...p, link: link() })),
      createdAt: iso(nowS * 1000),
    };
    delete record.participants;
    f.meetings.set(record.id, record);
    return json(201, copy(record));
  }),
  listArchives: answering((f, { query }) => {
    const status = query.get("status");
    const page = listPage([], query, badRequest, /^\d+$/);
    if (status !== null && !ARCHIVE_STATUSES.includes(status)) return badRequest(`status must be one of ${ARCHIVE_STATUSES.join(", ")}`);
    const all = [...f.archiveRecords.values()].filter((r) => status === null || statusNow(r) === status);
    return json(200, { ...page, items: all.slice(page.offset, page.offset + page.limit).map(archiveWire), total: all.length });
  }),
  getArchive(f, { params }) {
    const r = f.archiveRecords.get(params.archiveId);
    return r === undefined ? failure(404, "NOT_FOUND", "no such archive") : json(200, archiveWire(r));
  },
  archiveDownloadUrl(f, { params }) {
    const r = f.archiveRecords.get(params.archiveId);
    if (r === undefined) return failure(404, "NOT_FOUND", "no such archive");
    const status = statusNow(r);
    if (!sdk.isDownloadable(status)) return failure(409, "CONFLICT", `archive ${r.id} is ${status}: there is no file to download`);
    return { status: 302, headers: { location: `${STORAGE}${encodeURIComponent(r.id)}.zip`, "cache-control": "no-store" } };
  },
  abandonArchive(f, { params }) {
    const r = [...f.archiveRecords.values()].find((x) => x.subject?.conference_id === params.conferenceId);
    if (r === undefined) return failure(404, "NOT_FOUND", "no archive for this conference");
    // As the simulator: abandoning sets abandonedAt and expiresAt (3 days on); a second abandon
    // answers the record as it is.
    const status = statusNow(r);
    if (status === "AVAILABLE") {
      const at = nowSecond();
      r.status = "ABANDONED";
      r.abandonedAt = iso(at);
      r.expiresAt = iso(at + EXPIRY_MS);
    } else if (status !== "ABANDONED") {
      return failure(409, "CONFLICT", `archive ${r.id} is ${status}: only an AVAILABLE archive can be abandoned`);
    }
    return json(200, archiveWire(r));
  },
  createWebhookSubscription(f, { body }) {
    if (body?.topic !== "archive.available") return failure(422, "UNKNOWN_TOPIC", `topic: unknown topic ${JSON.stringify(body?.topic)} (known: archive.available)`);
    if (f.subscriptionRecords.size >= 100) return unprocessable("a tenant has at most 100 subscriptions");
    const s = { id: nextId("sub"), topic: body?.topic, url: body?.url, createdAt: iso(nowSecond()) };
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
  // As the simulator (sim/src/tokens.rs): a key is valid for 2 years unless it ends sooner, and
  // belongs to an existing account (the caller's, the fake key's `fake`, when none is named).
  createApiToken(f, { body }) {
    const name = body?.name;
    if (typeof name !== "string" || [...name].length < 1 || [...name].length > 100) {
      return unprocessable("name is required and must be a string of 1 to 100 characters");
    }
    const userId = body?.userId ?? "fake";
    if (typeof userId !== "string") return unprocessable("userId must be a string");
    const nowS = Math.floor(Date.now() / 1000);
    const latest = nowS + 2 * 365 * 86_400;
    const asked = body?.expiresAt ?? null;
    const expires = asked === null ? latest : typeof asked === "string" ? Math.floor(Date.parse(asked) / 1000) : NaN;
    if (Number.isNaN(expires)) return unprocessable("expiresAt must be an RFC 3339 date-time");
    if (expires <= nowS) return unprocessable("expiresAt must be in the future");
    if (expires > latest) return unprocessable("expiresAt must be at most 2 years ahead (a key is valid for 2 years)");
    if (userId !== "fake" && !f.userRecords.has(userId)) return unprocessable("userId: no account with this id");
    const t = { id: nextId("tok"), name, userId, createdAt: iso(nowS * 1000), expiresAt: iso(expires * 1000) };
    f.tokenRecords.set(t.id, t);
    return json(201, { ...copy(t), token: randomUUID() });
  },
  // Every key, revoked ones with their revokedAt.
  listApiTokens(f) {
    return json(200, { items: copy([...f.tokenRecords.values()]) });
  },
  // Revoking marks the key revoked (once); repeating it is harmless, as in the simulator.
  revokeApiToken(f, { params }) {
    const t = f.tokenRecords.get(params.tokenId);
    if (t === undefined) return failure(404, "NOT_FOUND", "no such API key");
    t.revokedAt ??= iso(nowSecond());
    return empty(204);
  },
  getPlatformSettings(f) {
    return json(200, copy(f.settings));
  },
  // As the simulator: only the three switches change (others are ignored), each a boolean, and the
  // two recording modes not both on (the client refuses that itself before it sends an update).
  updatePlatformSettings(f, { body }) {
    const next = { ...f.settings };
    for (const k of ["enableAutomaticRecording", "enableRecordingVerbalConsent", "enableAutomaticArchivingOfConferences"]) {
      if (body?.[k] === undefined) continue;
      if (typeof body[k] !== "boolean") return unprocessable(`${k} must be a boolean`);
      next[k] = body[k];
    }
    if (next.enableAutomaticRecording && next.enableRecordingVerbalConsent) {
      return failure(422, "RECORDING_MODES_EXCLUSIVE", "enableAutomaticRecording and enableRecordingVerbalConsent cannot both be on");
    }
    f.settings = next;
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

// The client's error for a bad option (as the real constructor's: a ConfigError, INVALID_OPTION).
const invalidOption = (message) => Object.assign(new Error(`invalid option: ${message}`), { name: "ConfigError", code: "INVALID_OPTION" });

// The fake's own options, checked before the real client checks the rest: `stateful` is a boolean,
// and there is no `fetch` (the in-memory tenant answers every request).
function checkFakeOptions(options) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw invalidOption("options must be an object");
  if (options.stateful !== undefined && typeof options.stateful !== "boolean") throw invalidOption("stateful must be a boolean");
  if (options.fetch !== undefined) {
    throw invalidOption("fetch: the fake client's requests are answered by its in-memory tenant; for a fetch of your own use FlexpertoClient (with startSimulator)");
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
    checkFakeOptions(options);
    const { stateful = true, ...client } = options;
    let self;
    const target = client.baseUrl === undefined && client.tenant === undefined ? { baseUrl: "https://fake.test.flexperto.com" } : {};
    super({ ...target, apiKey: FAKE_API_KEY, ...client, fetch: (request, init) => self.#answer(request, init?.signal ?? request.signal) });
    self = this;
    this.#stateful = stateful;
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
    const u = { id: user.id ?? nextId("usr"), emailConfirmed: false, createdAt: iso(nowSecond()), ...user };
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
    const prefix = base.pathname.replace(/\/$/, "");
    // Under the base URL's path on a segment boundary: base `/api` serves `/api/...`, not `/apiX/...`.
    if (url.origin !== base.origin || (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`))) {
      throw new TypeError(`fetch failed: the fake tenant serves ${this.baseUrl} only, not ${url.origin}${url.pathname}`);
    }
    const path = url.pathname.slice(prefix.length);
    operations ??= contractOperations();
    const found = route(operations, request.method, path);
    const record = { operationId: found.op?.operationId, method: request.method, url: request.url };
    let answer;
    if (found.op === undefined) {
      // A path the tenant does not serve: 404 with the simulator's error body; a method it does not
      // serve on a known path: 405 without a body (as the simulator's router answers).
      answer = found.status === 404 ? failure(404, "NOT_FOUND", "no such route") : empty(found.status);
    } else {
      const text = await request.text();
      let body;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch (e) {
        answer = failure(400, "MALFORMED_JSON", `body is not JSON: ${e.message}`);
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
