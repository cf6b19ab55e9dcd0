// The CRM demo's backend-for-frontend: serves the page and a small JSON API over flexperto-sdk.
// The API key lives only in this process: it is never sent to the page and never logged.
//
//   node www/server.mjs                      embedded simulator (target/release/flexperto-sim)
//   FLEXPERTO_API_KEY=... FLEXPERTO_TENANT=demo FLEXPERTO_ENVIRONMENT=test node www/server.mjs
//   FLEXPERTO_API_KEY=... FLEXPERTO_BASE_URL=https://demo.test.flexperto.com node www/server.mjs
//
// To add a feature, add entries to `routes` (and a section to index.html/app.js).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";

import { FlexpertoClient, isFlexpertoError } from "flexperto-sdk";
import { startSim } from "./sim.mjs";

const MAX_BODY = 64 * 1024;
// The package's browser build, served to the page under /sdk/ (the archive inspector runs there:
// a dropped archive is read in the browser and never uploaded).
const SDK_WEB = join(dirname(createRequire(import.meta.url).resolve("flexperto-sdk/package.json")), "web") + sep;
const SDK_TYPES = { ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm" };
const env = process.env;

/** An error of this server (not of the SDK), answered as `{ error }` with `status`. */
class RequestError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "RequestError";
    this.code = code;
    this.status = status;
  }
}

// --- backend: a real tenant when a key is given, else the embedded simulator ---
let sim;
let client;
try {
  if (env.FLEXPERTO_API_KEY) {
    const target = env.FLEXPERTO_BASE_URL
      ? { baseUrl: env.FLEXPERTO_BASE_URL }
      : { tenant: env.FLEXPERTO_TENANT, environment: env.FLEXPERTO_ENVIRONMENT ?? "test" };
    client = new FlexpertoClient({ ...target, apiKey: env.FLEXPERTO_API_KEY });
  } else {
    sim = await startSim();
    client = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin") });
    // A dead simulator makes the demo useless: say so and stop.
    sim.child.once("exit", (code) => {
      console.error(`simulator exited unexpectedly (${code})`);
      process.exit(1);
    });
    process.once("exit", () => sim.child.kill()); // never leave an orphan behind
  }
} catch (e) {
  // SDK errors never contain the key (ConfigError names the bad option, not its value).
  console.error(`cannot start the demo: ${e.name}: ${e.message}`);
  await sim?.stop();
  process.exit(1);
}

// --- routes: "METHOD /path" -> async (req) => { status?, body, type? } ---
const routes = {
  "GET /": staticFile("index.html", "text/html; charset=utf-8"),
  "GET /app.js": staticFile("app.js", "text/javascript; charset=utf-8"),
  "GET /style.css": staticFile("style.css", "text/css; charset=utf-8"),
  "GET /favicon.ico": async () => ({ status: 204 }),
  "GET /healthz": async () => ({ body: { ok: true } }),

  "GET /api/experts": async () => {
    const page = await client.listUsers({ role: "expert", limit: 100 });
    const items = page.items.map(({ id, email, firstName, lastName, emailConfirmed }) => ({
      id, email, firstName, lastName, emailConfirmed,
    }));
    return { body: { items } };
  },

  "POST /api/experts": async (req) => {
    const input = await readJson(req);
    // Forward only these fields: the page must not choose a role or any other account field.
    const expert = {};
    for (const field of ["email", "firstName", "lastName"]) {
      if (input[field] !== undefined && input[field] !== "") expert[field] = input[field];
    }
    const { accountId, created, confirmed } = await client.ensureExpert(expert);
    return { body: { accountId, created, confirmed } };
  },

  // The CRM's own customer records (a real CRM has a database here).
  "GET /api/customers": async () => ({ body: { items: CUSTOMERS } }),

  "POST /api/video-calls": async (req) => {
    const input = await readJson(req);
    // Forward only known fields: the page must not set a role, a subject, the meeting window or
    // any other field of the reservation. The SDK validates the values (400 ValidationError).
    const expert = isObject(input.expert) && "accountId" in input.expert
      ? { accountId: input.expert.accountId }
      : pick(input.expert, ["email", "firstName", "lastName"]);
    const call = { expert, customer: pick(input.customer, ["email", "firstName", "lastName"]) };
    if (input.validForMinutes !== undefined) call.validForMinutes = input.validForMinutes;
    const { meetingId, expertAccountId, provisioned, moderatorLink, participantLinks } =
      await client.startVideoCall(call);
    const link = ({ url, notBefore, validUntil }) => ({ url, notBefore, validUntil });
    return {
      body: {
        meetingId,
        expertAccountId,
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
};

/** Demo CRM customers: fixed, in memory. */
const CUSTOMERS = Object.freeze([
  { id: "cus_1001", firstName: "Kim", lastName: "Berger", email: "kim.berger@example.invalid" },
  { id: "cus_1002", firstName: "Luca", lastName: "Rossi", email: "luca.rossi@example.invalid" },
  { id: "cus_1003", firstName: "Ana", lastName: "Silva", email: "ana.silva@example.invalid" },
].map((c) => Object.freeze(c)));

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The `fields` of `value` that are set (not undefined, not ""); `{}` unless `value` is an object. */
function pick(value, fields) {
  const out = {};
  if (!isObject(value)) return out;
  for (const field of fields) {
    if (value[field] !== undefined && value[field] !== "") out[field] = value[field];
  }
  return out;
}

function staticFile(name, type) {
  const url = new URL(name, import.meta.url);
  return async () => ({ body: await readFile(url), type });
}

/** A file of the package's browser build (.js and .wasm only, inside the build's folder). */
async function sdkFile(rel) {
  const file = normalize(join(SDK_WEB, decodeURIComponent(rel)));
  const type = SDK_TYPES[extname(file)];
  if (!file.startsWith(SDK_WEB) || !type) throw new RequestError(404, "NOT_FOUND", "no such file");
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

/** Reads the raw body (e.g. for a signed webhook); 413 above MAX_BODY. */
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
  console.error("unexpected error:", e);
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
    ({ status = 200, body, type = "application/json; charset=utf-8" } = await dispatch(req));
  } catch (e) {
    [status, body] = errorResponse(e);
    type = "application/json; charset=utf-8";
  }
  if (body !== undefined && !Buffer.isBuffer(body)) body = JSON.stringify(body);
  const headers = { ...HEADERS };
  if (body !== undefined) headers["content-type"] = type;
  if (!req.complete) headers.connection = "close"; // an unread (e.g. too large) body
  res.writeHead(status, headers);
  res.end(body);
});

async function dispatch(req) {
  // Loopback host names only: a DNS-rebinding page must not reach this API.
  if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(req.headers.host ?? "")) {
    throw new RequestError(421, "MISDIRECTED", "use http://127.0.0.1");
  }
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const route = routes[`${req.method} ${path}`];
  if (route) return route(req);
  if (req.method === "GET" && path.startsWith("/sdk/")) return sdkFile(path.slice("/sdk/".length));
  if (Object.keys(routes).some((k) => k.endsWith(` ${path}`))) {
    throw new RequestError(405, "METHOD_NOT_ALLOWED", `${req.method} ${path} is not allowed`);
  }
  throw new RequestError(404, "NOT_FOUND", `no route ${path}`);
}

server.listen(Number(env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`demo listening on http://127.0.0.1:${server.address().port}`);
  console.log(sim ? `backend: simulator ${sim.url}` : `backend: tenant ${client.baseUrl}`);
});

async function shutdown() {
  server.close();
  server.closeAllConnections();
  if (sim) {
    sim.child.removeAllListeners("exit");
    await sim.stop();
  }
  process.exit(0);
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
