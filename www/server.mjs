// The CRM demo's backend-for-frontend: serves the page and a small JSON API over flexperto-sdk.
// The API key lives only in this process: it is never sent to the page and never logged.
//
//   node www/server.mjs                      embedded simulator (target/release/flexperto-sim)
//   FLEXPERTO_API_KEY=... FLEXPERTO_TENANT=demo FLEXPERTO_ENVIRONMENT=test node www/server.mjs
//   FLEXPERTO_API_KEY=... FLEXPERTO_BASE_URL=https://demo.test.flexperto.com node www/server.mjs
//
// When everything is up it prints one line on stdout, `demo ready: http://127.0.0.1:PORT/`;
// everything else goes to stderr. To add a feature, add entries to `routes` (and a section to
// index.html/app.js).
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

import * as sdk from "flexperto-sdk";
import { openCrm } from "./crm.mjs";
import { startSim } from "./sim.mjs";

const { FlexpertoClient, isFlexpertoError, WebhookVerifier, generateWebhookSecret, createWebhookHandler, MemorySeenStore } = sdk;
const MAX_BODY = 64 * 1024;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const env = process.env;
const DATA = env.DEMO_DATA_DIR ?? join(ROOT, "target", "demo-data");
const log = (...args) => console.error("[demo]", ...args);

/** An error of this server (not of the SDK), answered as `{ error }` with `status`. */
class RequestError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "RequestError";
    this.code = code;
    this.status = status;
  }
}

// --- the package's browser files, served to the page under /sdk/ (the archive inspector runs
// there: a dropped archive is read in the browser and never uploaded) ---
const PKG_DIR = dirname(createRequire(import.meta.url).resolve("flexperto-sdk/package.json")) + sep;
const SDK_TYPES = { ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm" };
/** The browser module the inspector imports: the small `flexperto-sdk/archive` entry when the package has it. */
const ARCHIVE_ENTRY = (() => {
  const exports = JSON.parse(readFileSync(join(PKG_DIR, "package.json"), "utf8")).exports ?? {};
  const pick = (e) => typeof e === "string" ? e
    : e && typeof e === "object" ? pick(e.browser ?? e.import ?? e.default) : undefined;
  const target = pick(exports["./archive"]);
  return target && SDK_TYPES[extname(target)] ? `/sdk/${target.replace(/^\.\//, "")}` : "/sdk/web/index.js";
})();

// --- backend: a real tenant when a key is given, else the embedded simulator ---
let sim;
let client;
let ownKeyId; // the key this server uses, when known (simulator): it must not be revoked from the page
try {
  if (env.FLEXPERTO_API_KEY) {
    const target = env.FLEXPERTO_BASE_URL
      ? { baseUrl: env.FLEXPERTO_BASE_URL }
      : { tenant: env.FLEXPERTO_TENANT, environment: env.FLEXPERTO_ENVIRONMENT ?? "test" };
    client = new FlexpertoClient({ ...target, apiKey: env.FLEXPERTO_API_KEY });
  } else {
    // http://127.0.0.1 webhook callbacks: the simulator delivers to this server.
    sim = await startSim({ args: ["--allow-http-loopback"] });
    const key = await sim.control("POST", "api-keys", { role: "admin" });
    ownKeyId = key.keyId;
    client = new FlexpertoClient({ baseUrl: sim.url, apiKey: key.apiKey });
    // A dead simulator makes the demo useless: say so and stop.
    sim.child.once("exit", (code) => {
      log(`simulator exited unexpectedly (${code})`);
      process.exit(1);
    });
    process.once("exit", () => sim.child.kill()); // never leave an orphan behind
  }
} catch (e) {
  // SDK errors never contain the key (ConfigError names the bad option, not its value).
  log(`cannot start the demo: ${e.name}: ${e.message}`);
  await sim?.stop();
  process.exit(1);
}

// --- the CRM database (customers, experts' flexperto_account_id, video calls) ---
const backendName = sim ? "simulator" : client.baseUrl;
const crm = openCrm(join(DATA, "crm.sqlite"), backendName);
// Every run starts a fresh simulator: account ids stored against an earlier one mean nothing.
if (sim) crm.forgetBackend();
if (crm.seeded) log(`crm: seeded ${crm.seeded} customers into ${crm.path}`);

// --- live events to the page: server-sent events ---
const streams = new Set();
function broadcast(event, data) {
  const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const res of streams) res.write(frame);
}

// --- the webhook inbox: the package's handler and dedupe store; each delivery is shown ---
const inbox = []; // newest last, at most INBOX_MAX
const INBOX_MAX = 100;
let inboxSeq = 0;
const webhookSecret = generateWebhookSecret();
const WEBHOOK_PREFIX = "/webhooks/flexperto/";
const realVerifier = new WebhookVerifier({
  secrets: [webhookSecret],
  // The simulator delivers from loopback; a real tenant from the platform's addresses.
  allowedIps: sim ? ["127.0.0.1/32", "::1/128", "::ffff:127.0.0.1/128"]
    : env.DEMO_WEBHOOK_ALLOWED_IPS ? env.DEMO_WEBHOOK_ALLOWED_IPS.split(",").map((s) => s.trim()) : undefined,
});
// The handler asks the verifier; this records its last verdict in the request's async context,
// so that the inbox can show it next to the handler's answer.
const verdictOf = new AsyncLocalStorage();
const verifier = {
  get maxBodyBytes() {
    return realVerifier.maxBodyBytes;
  },
  verify(input) {
    const verdict = verdictOf.getStore() ?? {};
    try {
      const event = realVerifier.verify(input);
      Object.assign(verdict, { event, code: undefined, path: undefined });
      return event;
    } catch (e) {
      Object.assign(verdict, { event: undefined, code: e.code, path: e.path });
      throw e;
    }
  },
};
/** The handler's answers that carry no verifier verdict (its own checks). */
const CODE_BY_STATUS = { 403: "IP_NOT_ALLOWED", 404: "SECRET_MISMATCH", 405: "METHOD_NOT_ALLOWED", 413: "BODY_TOO_LARGE", 415: "BAD_CONTENT_TYPE", 500: "INTERNAL" };
const webhookHandler = createWebhookHandler({
  verifier,
  seen: new MemorySeenStore(),
  onEvent: async (event) => {
    broadcast("event-processed", { dedupeKey: event.dedupeKey, archiveId: event.archiveId });
    // The payload is a hint: the claimer reads the record again through the API.
    if (claims && autoClaim) await claims.claimer.handleEvent(event);
    await refreshArchives();
  },
  onError: (e) => log(`webhook event failed: ${e?.name}: ${e?.message}`),
});
let subscription = null; // { id, topic } once registered
let webhookProblem = null; // why there is no subscription

function receiveWebhook(req, res) {
  const at = new Date().toISOString();
  const verdict = {};
  res.once("finish", () => {
    const status = res.statusCode;
    const event = verdict.event;
    const result = status === 202 ? "accepted" : status === 200 ? "duplicate" : status >= 500 ? "error" : "refused";
    const entry = {
      seq: ++inboxSeq,
      at,
      status,
      result,
      // The verifier's verdict: VERIFIED, or the WebhookError code it threw.
      code: event ? "VERIFIED" : status === 404 ? "SECRET_MISMATCH" : verdict.code ?? CODE_BY_STATUS[status] ?? `HTTP_${status}`,
      path: verdict.path,
      topic: event?.topic,
      notificationId: event?.notificationId ?? event?.id,
      archiveId: event?.archiveId,
      conferenceId: event?.conferenceId,
      dedupeKey: event?.dedupeKey,
    };
    inbox.push(entry);
    if (inbox.length > INBOX_MAX) inbox.shift();
    broadcast("delivery", entry);
  });
  verdictOf.run(verdict, () => webhookHandler(req, res));
}

async function registerWebhook(port) {
  const publicUrl = sim ? `http://127.0.0.1:${port}` : env.DEMO_PUBLIC_URL?.replace(/\/$/, "");
  if (!publicUrl) {
    webhookProblem = "set DEMO_PUBLIC_URL to this server's public https address to receive webhooks from a real tenant";
    return;
  }
  try {
    const s = await client.createWebhookSubscription(
      { topic: "archive.available", url: `${publicUrl}${WEBHOOK_PREFIX}${webhookSecret}` },
      { allowHttpLoopback: Boolean(sim) },
    );
    subscription = { id: s.id, topic: s.topic ?? "archive.available" };
  } catch (e) {
    webhookProblem = `${e.code ?? e.name}: ${e.message}`;
    log(`webhook subscription failed: ${webhookProblem}`);
  }
}

// --- archives and the claim worker (issue 11: ArchiveClaimer, FileArchiveSink, SqliteLedger) ---
const claimDir = join(DATA, sim ? "simulator-run" : "tenant");
let claims = null; // { claimer, ledger } once the worker is set up
let autoClaim = false; // claim each archive its webhook names, as it arrives
let claimProblem = null;
const progress = new Map(); // archiveId -> { bytes, totalBytes, at }

async function setupClaimer() {
  if (typeof sdk.ArchiveClaimer !== "function" || typeof sdk.SqliteLedger !== "function"
      || typeof sdk.FileArchiveSink !== "function") {
    claimProblem = "this build of flexperto-sdk has no ArchiveClaimer, FileArchiveSink and SqliteLedger yet (issue 11)";
    return;
  }
  try {
    // A fresh simulator has none of the earlier runs' archives: start with an empty ledger.
    if (sim) await rm(claimDir, { recursive: true, force: true });
    await mkdir(join(claimDir, "archives"), { recursive: true });
    const ledger = new sdk.SqliteLedger({ path: join(claimDir, "ledger.sqlite") });
    if (typeof ledger.migrate === "function") await ledger.migrate();
    const sink = new sdk.FileArchiveSink({ dir: join(claimDir, "archives") });
    const claimer = new sdk.ArchiveClaimer({ client, sink, ledger, concurrency: 2, onProgress });
    claims = { claimer, ledger };
  } catch (e) {
    claimProblem = `the claim worker did not start: ${e.name}: ${e.message}`;
    log(claimProblem);
  }
}

/** Progress from the claimer: per-archive bytes, sent to the page at most every 100 ms per archive. */
function onProgress(p) {
  if (!p || typeof p !== "object") return;
  const archiveId = p.archiveId ?? p.archive?.id ?? p.id;
  if (typeof archiveId !== "string") return;
  const last = progress.get(archiveId);
  // A step without bytes (e.g. "verified") keeps the bytes reported so far.
  const bytes = Number(p.bytes ?? last?.bytes ?? 0);
  const totalBytes = Number(p.totalBytes ?? last?.totalBytes ?? 0) || undefined;
  const state = typeof p.state === "string" ? p.state : undefined;
  const now = Date.now();
  progress.set(archiveId, { bytes, totalBytes, state, at: now });
  if (last && now - last.sentAt < 100 && bytes !== totalBytes && state === last.state) {
    progress.get(archiveId).sentAt = last.sentAt;
    return;
  }
  progress.get(archiveId).sentAt = now;
  broadcast("claim-progress", { archiveId, bytes, totalBytes, state });
}

/** A ledger row as the page sees it: the stored file by name and size, never a full path. */
async function ledgerView(row) {
  if (!row) return undefined;
  const receipt = row.receipt && typeof row.receipt === "object" ? row.receipt
    : typeof row.receipt === "string" ? (() => { try { return JSON.parse(row.receipt); } catch { return { path: row.receipt }; } })()
    : undefined;
  const file = receipt?.path ?? receipt?.file ?? receipt?.location;
  let stored;
  if (typeof file === "string") {
    const size = await stat(file).then((s) => s.size, () => null);
    stored = { name: basename(file), bytes: size ?? receipt?.bytes ?? receipt?.size ?? null, present: size !== null };
  }
  return {
    state: row.state,
    sha256CheckSum: row.sha256CheckSum ?? row.sha256,
    attempts: row.attempts,
    error: row.error ?? undefined,
    stored,
    updatedAt: row.updatedAt ?? row.updated_at,
  };
}

let lastArchives = "";
async function archivesView() {
  const page = await client.listArchives({ limit: 100 });
  const rows = claims ? await claims.ledger.list() : [];
  const byId = new Map(rows.map((r) => [r.archiveId, r]));
  const items = [];
  for (const r of page.items) {
    items.push({
      id: r.id,
      conferenceId: r.subject?.conference_id,
      status: r.status,
      sha256CheckSum: r.sha256CheckSum,
      sizeBytes: r.sizeBytes,
      error: r.error,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      downloadable: sdk.isDownloadable(r.status),
      ledger: await ledgerView(byId.get(r.id)),
    });
  }
  return { items, claim: { available: Boolean(claims), reason: claimProblem ?? undefined } };
}

async function refreshArchives() {
  if (streams.size === 0) return;
  try {
    const view = await archivesView();
    const text = JSON.stringify(view);
    if (text !== lastArchives) {
      lastArchives = text;
      broadcast("archives", view);
    }
  } catch (e) {
    broadcast("archives-error", errorResponse(e)[1].error);
  }
}
let refreshing = false;
setInterval(async () => {
  if (refreshing) return;
  refreshing = true;
  await refreshArchives().finally(() => (refreshing = false));
}, sim ? 1000 : 5000).unref(); // a real tenant is asked less often

// --- routes: "METHOD /path" -> async (req, res) => { status?, body, type? } | undefined (answered) ---
const routes = {
  "GET /": staticFile("index.html", "text/html; charset=utf-8"),
  "GET /app.js": staticFile("app.js", "text/javascript; charset=utf-8"),
  "GET /style.css": staticFile("style.css", "text/css; charset=utf-8"),
  "GET /favicon.ico": async () => ({ status: 204 }),
  "GET /healthz": async () => ({ body: { ok: true } }),

  "GET /api/config": async () => ({
    body: {
      backend: sim ? "simulator" : "tenant",
      simulator: Boolean(sim),
      archiveEntry: ARCHIVE_ENTRY,
      crm: { file: basename(crm.path), customers: crm.customers().length },
      webhooks: subscription
        ? { registered: true, subscriptionId: subscription.id, topic: subscription.topic, path: `${WEBHOOK_PREFIX}…` }
        : { registered: false, reason: webhookProblem ?? "not registered yet" },
      claim: { available: Boolean(claims), reason: claimProblem ?? undefined, autoClaim },
    },
  }),

  // Live updates: webhook deliveries, archive lifecycle, claim progress.
  "GET /api/events": async (req, res) => {
    res.writeHead(200, { ...HEADERS, "content-type": "text/event-stream; charset=utf-8" });
    res.write(`retry: 2000\nevent: inbox\ndata: ${JSON.stringify({ items: inbox })}\n\n`);
    streams.add(res);
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    req.once("close", () => {
      clearInterval(ping);
      streams.delete(res);
    });
    lastArchives = ""; // send the full list to the new page
    refreshArchives();
  },

  "GET /api/experts": async () => {
    const page = await client.listUsers({ role: "expert", limit: 100 });
    const stored = new Map(crm.experts().map((x) => [x.email, x.flexpertoAccountId]));
    const items = page.items.map(({ id, email, firstName, lastName, emailConfirmed }) => ({
      id, email, firstName, lastName, emailConfirmed, storedAccountId: stored.get(email) ?? null,
    }));
    return { body: { items } };
  },

  "POST /api/experts": async (req) => {
    const input = await readJson(req);
    // Forward only these fields: the page must not choose a role or any other account field.
    const expert = pick(input, ["email", "firstName", "lastName"]);
    const { accountId, created, confirmed } = await client.ensureExpert(expert);
    // The CRM keeps the account id: this is the row as stored.
    const stored = crm.saveExpert({ ...expert, accountId });
    return { body: { accountId, created, confirmed, stored } };
  },

  "GET /api/customers": async () => ({ body: { items: crm.customers() } }),

  "POST /api/video-calls": async (req) => {
    const input = await readJson(req);
    if (typeof input.customerId !== "string") {
      throw new RequestError(400, "INVALID_ARGUMENT", "customerId must be a customer id of this CRM");
    }
    const customer = crm.customer(input.customerId);
    if (!customer) throw new RequestError(404, "UNKNOWN_CUSTOMER", "no such customer in this CRM");
    // Forward only known fields: the page must not set a role, a subject, the meeting window or
    // any other field of the reservation. The SDK validates the values (400 ValidationError).
    const expert = isObject(input.expert) && "accountId" in input.expert
      ? { accountId: input.expert.accountId }
      : pick(input.expert, ["email", "firstName", "lastName"]);
    const call = { expert, customer: pick(customer, ["email", "firstName", "lastName"]) };
    if (input.validForMinutes !== undefined) call.validForMinutes = input.validForMinutes;
    const { meetingId, expertAccountId, provisioned, moderatorLink, participantLinks } =
      await client.startVideoCall(call);
    if (provisioned) crm.saveExpert({ ...expert, accountId: provisioned.accountId });
    crm.saveCall({ meetingId, customerId: customer.id, expertAccountId, validUntil: moderatorLink.validUntil });
    const link = ({ url, notBefore, validUntil }) => ({ url, notBefore, validUntil });
    return {
      body: {
        meetingId,
        expertAccountId,
        customerId: customer.id,
        provisioned: provisioned
          ? { accountId: provisioned.accountId, created: provisioned.created, confirmed: provisioned.confirmed }
          : undefined,
        moderatorLink: link(moderatorLink),
        participantLinks: participantLinks.map((l) => ({
          ...link(l),
          participant: pick(l.participant, ["email", "firstName", "lastName", "locale"]),
        })),
      },
    };
  },

  // --- platform settings ---
  "GET /api/settings": async () => ({ body: settingsView(await client.getPlatformSettings()) }),
  "PATCH /api/settings": async (req) => {
    const input = await readJson(req);
    const change = {};
    for (const k of SETTINGS) if (k in input) change[k] = input[k];
    if (Object.keys(change).length === 0) {
      throw new RequestError(400, "INVALID_ARGUMENT", `name at least one of ${SETTINGS.join(", ")}`);
    }
    // The SDK refuses a change that would turn both recording modes on (RECORDING_MODES_EXCLUSIVE).
    return { body: settingsView(await client.updatePlatformSettings(change)) };
  },

  // --- API keys: records only; a new key's secret is answered once and never stored here ---
  "GET /api/api-keys": async () => {
    const { items } = await client.listApiTokens();
    return {
      body: {
        items: items.map((t) => ({
          id: t.id, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt,
          own: t.id === ownKeyId,
        })),
      },
    };
  },
  "POST /api/api-keys": async (req) => {
    const input = await readJson(req);
    const created = await client.createApiToken(pick(input, ["name"]));
    return { status: 201, body: { id: created.id, name: created.name, expiresAt: created.expiresAt, token: created.token } };
  },
  "POST /api/api-keys/revoke": async (req) => {
    const { id } = await readJson(req);
    if (id === ownKeyId) throw new RequestError(409, "OWN_KEY", "this is the demo server's own key: revoking it would stop the demo");
    await client.revokeApiToken(id);
    return { status: 204 };
  },

  // --- archives ---
  "GET /api/archives": async () => ({ body: await archivesView() }),
  "POST /api/archives/claim": async (req) => {
    const { archiveId } = await readJson(req);
    const { claimer, ledger } = requireClaims();
    if (typeof archiveId !== "string") throw new RequestError(400, "INVALID_ARGUMENT", "archiveId must be a string");
    const result = await claimer.claim(archiveId);
    await refreshArchives();
    return { body: { result: plain(result), ledger: await ledgerView(await ledger.get(archiveId)) } };
  },
  "POST /api/archives/auto-claim": async (req) => {
    const { on } = await readJson(req);
    if (typeof on !== "boolean") throw new RequestError(400, "INVALID_ARGUMENT", "on must be a boolean");
    requireClaims();
    autoClaim = on;
    return { body: { on: autoClaim } };
  },
  "POST /api/archives/sweep": async () => {
    const counts = await requireClaims().claimer.sweep();
    await refreshArchives();
    return { body: pick(counts, ["stored", "quarantined", "failed", "skipped"]) };
  },

  // --- webhooks ---
  "GET /api/webhooks": async () => ({ body: { items: inbox } }),
  // Sends this server's webhook route a delivery the verifier must refuse, to show what it does.
  "POST /api/webhooks/forged": async (req) => {
    const { kind } = await readJson(req);
    const bodies = {
      "wrong-secret": [generateWebhookSecret(), { id: "ntf_forged", topic: "archive.available", data: { archive_id: "arc_x", archive_subject: { conference_id: "conf_x" } } }],
      "bad-payload": [webhookSecret, { id: "ntf_forged", topic: "archive.available", data: { archive_subject: {} } }],
    };
    if (!Object.hasOwn(bodies, kind)) throw new RequestError(400, "INVALID_ARGUMENT", `kind must be ${Object.keys(bodies).join(" or ")}`);
    const [secret, payload] = bodies[kind];
    const res = await fetch(`http://127.0.0.1:${server.address().port}${WEBHOOK_PREFIX}${secret}`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload),
    });
    await res.arrayBuffer();
    return { body: { status: res.status } };
  },

  // --- the simulator panel (simulator only) ---
  "POST /api/sim/conference": async (req) => {
    const input = await readJson(req);
    const s = requireSim();
    const customer = typeof input.customerId === "string" ? crm.customer(input.customerId) : crm.customers()[0];
    const [expert] = crm.experts();
    const person = (p) => p && pick(p, ["email", "firstName", "lastName"]);
    const opts = {
      sizeBytes: input.size === "large" ? 48 * 1024 * 1024 : 2 * 1024 * 1024,
      participants: customer ? [person(customer)] : undefined,
      moderator: expert ? { accountId: expert.flexpertoAccountId, ...person(expert) } : undefined,
    };
    if (input.fail === true) {
      opts.fail = true;
      opts.error = "packing failed: the screen recording could not be read";
    }
    const { archiveId, conferenceId } = await s.endConference(opts);
    await refreshArchives();
    return { status: 201, body: { archiveId, conferenceId } };
  },
  "POST /api/sim/storage-fault": async (req) => {
    const { kind, times = 1 } = await readJson(req);
    const s = requireSim();
    const faults = {
      flip: { kind: "flip", offset: 1000 },
      truncate: { kind: "truncate", afterBytes: 100_000 },
      status500: { kind: "status", status: 500 },
      slow: { kind: "slow", bytesPerSecond: 1024 * 1024 },
    };
    if (!Object.hasOwn(faults, kind)) throw new RequestError(400, "INVALID_ARGUMENT", `kind must be one of ${Object.keys(faults).join(", ")}`);
    if (!Number.isInteger(times) || times < 1 || times > 100) throw new RequestError(400, "INVALID_ARGUMENT", "times must be from 1 to 100");
    await s.storageFault({ ...faults[kind], times });
    return { status: 201, body: { kind, times } };
  },
  "POST /api/sim/clock": async (req) => {
    const { seconds } = await readJson(req);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30 * 86_400) {
      throw new RequestError(400, "INVALID_ARGUMENT", "seconds must be from 1 to 30 days");
    }
    const clock = await requireSim().advanceClock(seconds);
    await refreshArchives();
    return { body: { now: clock.now, offsetSeconds: clock.offsetSeconds } };
  },
  "POST /api/sim/duplicate-webhook": async (req) => {
    const { archiveId } = await readJson(req);
    const s = requireSim();
    if (typeof archiveId !== "string") throw new RequestError(400, "INVALID_ARGUMENT", "archiveId must be a string");
    const r = await client.getArchive(archiveId);
    const data = { archive_id: r.id, archive_subject: { conference_id: r.subject?.conference_id }, status: r.status };
    if (r.sha256CheckSum) data.sha256CheckSum = r.sha256CheckSum;
    // One notification, delivered twice: the dedupe store takes the first only.
    const out = await s.control("POST", "webhooks/emit", { count: 1, duplicateRate: 1, data });
    return { status: 202, body: { notificationIds: out.notificationIds, deliveries: out.deliveries } };
  },
};

const SETTINGS = ["enableAutomaticRecording", "enableRecordingVerbalConsent", "enableAutomaticArchivingOfConferences"];
function settingsView(s) {
  return Object.fromEntries(SETTINGS.map((k) => [k, s[k]]));
}

function requireSim() {
  if (!sim) throw new RequestError(404, "SIMULATOR_OFF", "the simulator panel works only when the demo runs on the simulator");
  return sim;
}

function requireClaims() {
  if (!claims) throw new RequestError(501, "CLAIM_WORKER_UNAVAILABLE", claimProblem ?? "the claim worker is not running");
  return claims;
}

/** Scalars and plain objects of `value`, as JSON would keep them. */
function plain(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value, (k, v) => typeof v === "bigint" ? String(v) : v));
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The `fields` of `value` that are set (not undefined, not ""); `{}` unless `value` is an object. */
function pick(value, fields) {
  const out = {};
  if (!isObject(value)) return out;
  for (const field of fields) {
    if (value[field] !== undefined && value[field] !== "" && value[field] !== null) out[field] = value[field];
  }
  return out;
}

function staticFile(name, type) {
  const url = new URL(name, import.meta.url);
  return async () => ({ body: await readFile(url), type });
}

/** A browser file of the package (.js, .mjs and .wasm only, inside the package's folder). */
async function sdkFile(rel) {
  let file;
  try {
    file = normalize(join(PKG_DIR, decodeURIComponent(rel)));
  } catch {
    throw new RequestError(404, "NOT_FOUND", "no such file");
  }
  const type = SDK_TYPES[extname(file)];
  if (!file.startsWith(PKG_DIR) || file.slice(PKG_DIR.length).split(sep).includes("node_modules") || !type) {
    throw new RequestError(404, "NOT_FOUND", "no such file");
  }
  try {
    return { body: await readFile(file), type };
  } catch {
    throw new RequestError(404, "NOT_FOUND", "no such file");
  }
}

/** Reads a JSON object body: 415 unless JSON, 413 above MAX_BODY, 400 unless an object. */
async function readJson(req) {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new RequestError(415, "UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json");
  }
  const raw = await readBody(req);
  let value;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new RequestError(400, "INVALID_JSON", "the body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RequestError(400, "INVALID_JSON", "the body must be a JSON object");
  }
  return value;
}

/** Reads the raw body; 413 above MAX_BODY. */
async function readBody(req) {
  const tooLarge = () => new RequestError(413, "PAYLOAD_TOO_LARGE", `body over ${MAX_BODY} bytes`);
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY) throw tooLarge();
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) return void chunks.push(chunk);
      req.removeAllListeners("data"); // discard the rest; the connection closes after the answer
      reject(tooLarge());
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Maps any error to `[httpStatus, { error }]`: SDK validation 400, API/network 502, else 500. */
function errorResponse(e) {
  if (e instanceof RequestError) {
    return [e.status, { error: { name: e.name, code: e.code, message: e.message } }];
  }
  if (isFlexpertoError(e)) {
    const status = e.name === "ValidationError" ? 400 : ["ApiError", "NetworkError"].includes(e.name) ? 502 : 500;
    // `status` in the body is the Flexperto API's own status (ApiError only).
    return [status, { error: { name: e.name, code: e.code, message: e.message, status: e.status } }];
  }
  log("unexpected error:", e);
  return [500, { error: { name: "InternalError", code: "INTERNAL", message: "internal error" } }];
}

const HEADERS = {
  // 'wasm-unsafe-eval': the page compiles the SDK's wasm (the archive inspector); nothing else.
  "content-security-policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const server = createServer(async (req, res) => {
  let status, body, type;
  try {
    const answer = await dispatch(req, res);
    if (answer === undefined) return; // the route answered itself (events, webhooks)
    ({ status = 200, body, type = "application/json; charset=utf-8" } = answer);
  } catch (e) {
    [status, body] = errorResponse(e);
    type = "application/json; charset=utf-8";
  }
  if (res.headersSent) return void res.end();
  if (body !== undefined && !Buffer.isBuffer(body)) body = JSON.stringify(body);
  const headers = { ...HEADERS };
  if (body !== undefined) headers["content-type"] = type;
  if (!req.complete) headers.connection = "close"; // an unread (e.g. too large) body
  res.writeHead(status, headers);
  res.end(body);
});

async function dispatch(req, res) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  // Webhook deliveries: the package's handler answers (404 for a wrong secret, 405, 415, ...).
  // They may come through a reverse proxy under another host name (DEMO_PUBLIC_URL).
  if (path.startsWith(WEBHOOK_PREFIX)) return void receiveWebhook(req, res);
  // Everything else: loopback host names only, so that a DNS-rebinding page cannot reach this API.
  if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(req.headers.host ?? "")) {
    throw new RequestError(421, "MISDIRECTED", "use http://127.0.0.1");
  }
  const route = routes[`${req.method} ${path}`];
  if (route) return route(req, res);
  if (req.method === "GET" && path.startsWith("/sdk/")) return sdkFile(path.slice("/sdk/".length));
  if (Object.keys(routes).some((k) => k.endsWith(` ${path}`))) {
    throw new RequestError(405, "METHOD_NOT_ALLOWED", `${req.method} ${path} is not allowed`);
  }
  throw new RequestError(404, "NOT_FOUND", `no route ${path}`);
}

await setupClaimer();
server.listen(Number(env.PORT ?? 8080), "127.0.0.1", async () => {
  const { port } = server.address();
  await registerWebhook(port);
  log(sim ? `backend: simulator ${sim.url}` : `backend: tenant ${client.baseUrl}`);
  log(`crm database: ${crm.path}`);
  if (claimProblem) log(`claims: ${claimProblem}`);
  console.log(`demo ready: http://127.0.0.1:${port}/`);
});

async function shutdown() {
  server.close();
  server.closeAllConnections();
  if (subscription && !sim) await client.deleteWebhookSubscription(subscription.id).catch(() => {});
  if (sim) {
    sim.child.removeAllListeners("exit");
    await sim.stop();
  }
  crm.close();
  process.exit(0);
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
