// flexperto-sdk/testing: helpers for a plugin's own tests (Node).
//   archiveNotification / archiveRecord / ARCHIVE_STATUSES - valid payloads and records
//   deliver                - delivers a notification the way the platform does
//   FakeFlexpertoClient    - an in-memory client with FlexpertoClient's methods, for unit tests
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
// The same list iterators as the real client (users(), archives(), ...), on the same paginator:
// FlexpertoClient's own methods, run on the fake (they page through this.listUsers() and the like).
const pages = sdk.FlexpertoClient.prototype;

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
// The fake client

function apiError(code, status, operation, message) {
  const e = new Error(message);
  // The fake answers as the API does, with an error body: never a route it does not serve.
  return Object.assign(e, { name: "ApiError", code, status, operation, routeNotServed: false });
}

function validationError(field, reason) {
  return Object.assign(new Error(`invalid argument ${field}: ${reason}`), { name: "ValidationError", code: "INVALID_ARGUMENT", field });
}

const copy = (v) => structuredClone(v);

/**
 * An in-memory stand-in for FlexpertoClient with the same methods, for unit tests of code that
 * takes a client. No HTTP: state lives in the instance (`userRecords`, `archiveRecords`, `subscriptionRecords`,
 * `tokenRecords`, `settings`, `meetings`) and every call is recorded in `calls` as `{ method, args }`.
 * Seed it with `addArchive(archiveRecord(...))` or `addUser(...)`. Use the simulator for
 * anything about HTTP, retries or the wire format.
 */
export class FakeFlexpertoClient {
  constructor(options = {}) {
    this.baseUrl = options.baseUrl ?? "https://fake.test.flexperto.com";
    this.apiKeyExpiresAt = undefined;
    this.userRecords = new Map();
    this.archiveRecords = new Map();
    this.subscriptionRecords = new Map();
    this.reports = new Map();
    this.tokenRecords = new Map();
    this.meetings = new Map();
    this.settings = { enableAutomaticRecording: false, enableRecordingVerbalConsent: false, enableAutomaticArchivingOfConferences: true };
    this.calls = [];
  }

  #call(method, args) {
    this.calls.push({ method, args: copy(args) });
  }

  /** Adds a user record (`{ id?, email, role?, ... }`); returns it. */
  addUser(user) {
    const u = { id: user.id ?? nextId("usr"), emailConfirmed: false, createdAt: new Date().toISOString(), ...user };
    this.userRecords.set(u.id, u);
    return copy(u);
  }

  /** Adds an archive record (see archiveRecord); returns it. */
  addArchive(record) {
    this.archiveRecords.set(record.id, copy(record));
    return copy(record);
  }

  async listUsers(query = {}) {
    this.#call("listUsers", [query]);
    const { role, email, limit = 100, offset = 0 } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validationError("limit", "must be an integer from 1 to 100");
    const all = [...this.userRecords.values()].filter((u) => (role === undefined || u.role === role) && (email === undefined || u.email === email));
    return { items: copy(all.slice(offset, offset + limit)), total: all.length, limit, offset };
  }

  async createUser(user, options = {}) {
    this.#call("createUser", [user, options]);
    if (typeof user?.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(user.email)) {
      throw Object.assign(new Error("email: not a well-formed e-mail address"), { name: "ValidationError", code: "INVALID_EMAIL", field: "email" });
    }
    if ([...this.userRecords.values()].some((u) => u.email === user.email)) throw apiError("CONFLICT", 409, "createUser", "the e-mail is taken");
    return this.addUser({ role: "expert", ...user });
  }

  async confirmEmail(userId) {
    this.#call("confirmEmail", [userId]);
    const u = this.userRecords.get(userId);
    if (u === undefined) throw apiError("NOT_FOUND", 404, "confirmEmail", "no such user");
    if (u.emailConfirmed) return null;
    u.emailConfirmed = true;
    return copy(u);
  }

  async ensureExpert(expert, options = {}) {
    this.#call("ensureExpert", [expert, options]);
    const found = [...this.userRecords.values()].find((u) => u.email === expert?.email);
    if (found !== undefined) return { accountId: found.id, created: false, confirmed: false };
    const u = await this.createUser({ ...expert, role: "expert" });
    this.userRecords.get(u.id).emailConfirmed = true;
    return { accountId: u.id, created: true, confirmed: true };
  }

  async reserveMeeting(reservation) {
    this.#call("reserveMeeting", [reservation]);
    if (typeof reservation?.moderatorAccountId !== "string") throw validationError("moderatorAccountId", "required");
    if (reservation.accessLinkValidUntil === undefined) throw validationError("accessLinkValidUntil", "required");
    const notBefore = new Date(reservation.accessLinkNotBefore ?? Date.now());
    const validUntil = new Date(reservation.accessLinkValidUntil);
    if (!(validUntil > notBefore)) throw validationError("accessLinkValidUntil", "must be after accessLinkNotBefore");
    const participants = reservation.participants ?? [{}];
    const meetingId = nextId("mtg");
    const link = () => ({ url: `${this.baseUrl}/join/${randomUUID()}`, notBefore, validUntil });
    const moderatorLink = link();
    const participantLinks = participants.map((participant) => ({ ...link(), participant: copy(participant) }));
    const record = {
      id: meetingId,
      moderator_link: moderatorLink.url,
      participant_links: participantLinks.map((l) => ({ link: l.url, ...l.participant })),
    };
    const m = { meetingId, moderatorLink, participantLinks, accessLinkNotBefore: notBefore, accessLinkValidUntil: validUntil, record };
    this.meetings.set(meetingId, m);
    return m;
  }

  async startVideoCall(call) {
    this.#call("startVideoCall", [call]);
    const expert = call?.expert;
    if (expert === undefined) throw validationError("expert", "required");
    let provisioned;
    let expertAccountId = expert.accountId;
    if (expertAccountId === undefined) {
      provisioned = await this.ensureExpert(expert);
      expertAccountId = provisioned.accountId;
    }
    const minutes = call.validForMinutes ?? 60;
    const m = await this.reserveMeeting({
      moderatorAccountId: expertAccountId,
      participants: [call.customer ?? {}],
      accessLinkValidUntil: new Date(Date.now() + minutes * 60_000),
    });
    return provisioned === undefined ? { ...m, expertAccountId } : { ...m, expertAccountId, provisioned };
  }

  async getPlatformSettings() {
    this.#call("getPlatformSettings", []);
    return copy(this.settings);
  }

  async updatePlatformSettings(update) {
    this.#call("updatePlatformSettings", [update]);
    const next = { ...this.settings, ...update };
    if (next.enableAutomaticRecording && next.enableRecordingVerbalConsent) {
      throw Object.assign(new Error("enableAutomaticRecording and enableRecordingVerbalConsent are mutually exclusive: turn one off"), {
        name: "ValidationError",
        code: "RECORDING_MODES_EXCLUSIVE",
      });
    }
    this.settings = next;
    return copy(next);
  }

  async createApiToken(token) {
    this.#call("createApiToken", [{ ...token }]);
    if (typeof token?.name !== "string" || token.name.length < 1 || token.name.length > 100) throw validationError("name", "1 to 100 characters");
    const t = { id: nextId("tok"), name: token.name, userId: token.userId, createdAt: new Date().toISOString() };
    if (token.expiresAt !== undefined) t.expiresAt = new Date(token.expiresAt).toISOString();
    this.tokenRecords.set(t.id, t);
    return { ...copy(t), token: randomUUID() };
  }

  async listApiTokens() {
    this.#call("listApiTokens", []);
    return { items: copy([...this.tokenRecords.values()]) };
  }

  async revokeApiToken(tokenId) {
    this.#call("revokeApiToken", [tokenId]);
    if (!this.tokenRecords.delete(tokenId)) throw apiError("NOT_FOUND", 404, "revokeApiToken", "no such token");
  }

  async createWebhookSubscription(subscription, options = {}) {
    this.#call("createWebhookSubscription", [subscription, options]);
    sdk.validateCallbackUrl(subscription?.url, { allowHttpLoopback: options.allowHttpLoopback ?? false });
    const s = { id: nextId("sub"), topic: subscription.topic, url: subscription.url, createdAt: new Date().toISOString() };
    this.subscriptionRecords.set(s.id, s);
    this.reports.set(s.id, []);
    return copy(s);
  }

  async listWebhookSubscriptions() {
    this.#call("listWebhookSubscriptions", []);
    return { items: copy([...this.subscriptionRecords.values()]) };
  }

  async deleteWebhookSubscription(subscriptionId) {
    this.#call("deleteWebhookSubscription", [subscriptionId]);
    if (!this.subscriptionRecords.delete(subscriptionId)) throw apiError("NOT_FOUND", 404, "deleteWebhookSubscription", "no such subscription");
  }

  async listWebhookSubscriptionReports(subscriptionId) {
    this.#call("listWebhookSubscriptionReports", [subscriptionId]);
    const r = this.reports.get(subscriptionId);
    if (r === undefined) throw apiError("NOT_FOUND", 404, "listWebhookSubscriptionReports", "no such subscription");
    return { items: copy(r) };
  }

  /** The fake tenant is the contract this package ships: a report without findings. */
  async checkSpec() {
    this.#call("checkSpec", []);
    return { contractVersion: "fake", tenantVersion: "fake", operationsCompared: 0, breaking: false, routes: {}, findings: [] };
  }

  async listArchives(query = {}) {
    this.#call("listArchives", [query]);
    const { status, limit = 100, offset = 0 } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validationError("limit", "must be an integer from 1 to 100");
    const all = [...this.archiveRecords.values()].filter((r) => status === undefined || r.status === status);
    return { items: copy(all.slice(offset, offset + limit)), total: all.length };
  }

  async getArchive(archiveId) {
    this.#call("getArchive", [archiveId]);
    const r = this.archiveRecords.get(archiveId);
    if (r === undefined) throw apiError("NOT_FOUND", 404, "getArchive", "no such archive");
    return copy(r);
  }

  async archiveDownloadUrl(archiveId) {
    this.#call("archiveDownloadUrl", [archiveId]);
    const r = this.archiveRecords.get(archiveId);
    if (r === undefined) throw apiError("NOT_FOUND", 404, "archiveDownloadUrl", "no such archive");
    if (!["AVAILABLE", "ABANDONED"].includes(r.status)) throw apiError("CONFLICT", 409, "archiveDownloadUrl", `archive ${archiveId} is ${r.status}: there is no file to download`);
    return `https://storage.fake.invalid/archives/${encodeURIComponent(archiveId)}.zip`;
  }

  /** Streams the archive's `content` field (bytes you seeded), or refuses as archiveDownloadUrl does. */
  async downloadArchive(archiveId) {
    await this.archiveDownloadUrl(archiveId);
    this.calls.at(-1).method = "downloadArchive";
    const content = this.archiveRecords.get(archiveId).content ?? new Uint8Array(0);
    return new Blob([content]).stream();
  }

  async abandonArchive(conferenceId) {
    this.#call("abandonArchive", [conferenceId]);
    const r = [...this.archiveRecords.values()].find((x) => x.subject?.conference_id === conferenceId);
    if (r === undefined) throw apiError("NOT_FOUND", 404, "abandonArchive", "no such archive");
    if (r.status === "ABANDONED") return null;
    r.status = "ABANDONED";
    r.abandonedAt = new Date().toISOString();
    return copy(r);
  }

  users(query, requestOptions) {
    return pages.users.call(this, query, requestOptions);
  }

  archives(options, requestOptions) {
    return pages.archives.call(this, options, requestOptions);
  }

  webhookSubscriptions(requestOptions) {
    return pages.webhookSubscriptions.call(this, requestOptions);
  }

  apiTokens(requestOptions) {
    return pages.apiTokens.call(this, requestOptions);
  }

  free() {}
}
