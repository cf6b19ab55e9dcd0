// A CRM plugin's own test suite, written as its author would: only the published entries
// (flexperto-sdk, flexperto-sdk/testing, and the flexperto-sim package for the simulator).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import { Readable } from "node:stream";
import { after, before, test } from "node:test";

import { FlexpertoClient, WebhookVerifier, createWebRequestHandler, createWebhookHandler, generateWebhookSecret } from "flexperto-sdk";
import { startSimulator } from "flexperto-sdk/testing";

let sim;
let client;
let server;
let base;
const secret = generateWebhookSecret();
const verifier = new WebhookVerifier({ secrets: [secret] });
const received = { node: [], web: [] };
const waiters = [];
const arrived = () => waiters.splice(0).forEach((w) => w());
const until = async (cond, what) => {
  const deadline = Date.now() + 15_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => (waiters.push(r), setTimeout(r, 100)));
  }
};

// The plugin's two webhook endpoints: its Express-style route and its Fetch-API route (as a
// Next.js route handler or Hono would call it), behind one node:http server.
const nodeHandler = createWebhookHandler({
  verifier,
  on: { "archive.available": (e) => void received.node.push(e.archiveId) },
  onAny: arrived,
});
const webHandler = createWebRequestHandler({
  verifier,
  on: { "archive.available": (e) => void received.web.push(e.archiveId) },
  onAny: arrived,
});

/** What a Fetch-API server adapter does on Node: IncomingMessage -> Request, Response -> res. */
async function serveFetch(handler, req, res) {
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(new URL(req.url, base), {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
    body: hasBody ? Readable.toWeb(req) : undefined,
    duplex: "half",
  });
  const response = await handler(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

before(async () => {
  sim = await startSimulator({ args: ["--allow-http-loopback"] });
  client = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin") });
  server = http.createServer((req, res) => {
    if (req.url.startsWith("/hooks/node/")) return nodeHandler(req, res);
    if (req.url.startsWith("/hooks/web/")) return void serveFetch(webHandler, req, res).catch(() => res.writeHead(500).end());
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r()));
  await sim?.stop();
});

test("npx flexperto-sim runs the platform package's binary", async () => {
  const run = (cmd, args) =>
    new Promise((resolve) => {
      const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr.on("data", (d) => (err += d));
      child.once("exit", (code) => resolve({ code, err }));
    });
  // The simulator's usage line and exit status come back through npx and the launcher.
  const help = await run("npx", ["--no-install", "flexperto-sim", "--help"]);
  assert.equal(help.code, 2);
  assert.match(help.err, /usage: flexperto-sim/);
});

test("the launcher passes SIGTERM on to the simulator", async () => {
  const child = spawn("node_modules/.bin/flexperto-sim", ["--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(String(d).split("\n")[0]));
    child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
  });
  assert.match(line, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
  const exited = new Promise((r) => child.once("exit", (code, signal) => r(signal ?? code)));
  child.kill("SIGTERM");
  assert.ok([0, "SIGTERM", 143].includes(await exited));
  // The signal reached the simulator itself: its port is closed.
  const url = line.slice("listening on ".length);
  await assert.rejects(fetch(`${url}/api/v2/spec`));
});

test("provision an expert and start a video call", async () => {
  const expert = await client.ensureExpert({ email: "erika.expert@crm-plugin.example", firstName: "Erika", lastName: "Expert" });
  assert.equal(expert.created, true);
  const again = await client.ensureExpert({ email: "erika.expert@crm-plugin.example" });
  assert.equal(again.accountId, expert.accountId);
  const call = await client.startVideoCall({ expert: { accountId: expert.accountId }, customer: { email: "carl@customer.example" }, validForMinutes: 30 });
  assert.equal(call.expertAccountId, expert.accountId);
  assert.match(call.moderatorLink.url, /^http:\/\/127\.0\.0\.1:\d+\/join\//);
  assert.equal(call.participantLinks.length, 1);
});

test("an archive notification reaches both webhook routes (Node and Fetch API)", async () => {
  await client.createWebhookSubscription({ topic: "archive.available", url: `${base}/hooks/node/${secret}` }, { allowHttpLoopback: true });
  await client.createWebhookSubscription({ topic: "archive.available", url: `${base}/hooks/web/${secret}` }, { allowHttpLoopback: true });
  const { archiveId } = await sim.endConference({ sizeBytes: 50_000 });
  await sim.advanceClock(3);
  await until(() => received.node.includes(archiveId) && received.web.includes(archiveId), "both deliveries");
  const record = await client.getArchive(archiveId);
  assert.equal(record.status, "AVAILABLE");
  const reports = [];
  for await (const s of client.webhookSubscriptions()) reports.push(...(await client.listWebhookSubscriptionReports(s.id)).items);
  assert.ok(reports.length >= 2 && reports.every((r) => r.success === true), JSON.stringify(reports));
});

test("page through the users", async () => {
  for (let i = 0; i < 5; i++) await client.createUser({ email: `lead${i}@customer.example`, role: "customer" });
  const emails = [];
  for await (const u of client.users({ role: "customer", pageSize: 2 })) emails.push(u.email);
  assert.equal(emails.filter((e) => e.startsWith("lead")).length, 5);
  assert.equal((await client.users().toArray({ limit: 3 })).length, 3);
});

// Needs the per-call options of issue 13 item 1 (`{ signal, timeoutMs, headers }` last).
test("cancel a slow call with a signal: AbortError, and no retry", async () => {
  await sim.fault({ path: "/api/v2/users/users", method: "GET", delayMs: 3000, count: 1 });
  const attempts = [];
  const counted = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin"), onRequest: (e) => void attempts.push(e) });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  await assert.rejects(counted.listUsers({ limit: 1 }, { signal: ac.signal }), (e) => e.name === "AbortError" && e.code === "ABORTED");
  // A retry would follow within the client's backoff: give it the time, then count attempts.
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual(attempts.map((e) => [e.operationId, e.attempt]), [["listUsers", 1]], "an aborted call is not retried");
});

// Needs the hooks of issue 13 item 2 (`onRequest` / `onResponse` options of the client).
test("record every request through hooks, without the key", async () => {
  const apiKey = await sim.apiKey("admin");
  const records = [];
  const hooked = new FlexpertoClient({
    baseUrl: sim.url,
    apiKey,
    onRequest: (r) => records.push({ hook: "request", ...r }),
    onResponse: (r) => records.push({ hook: "response", ...r }),
  });
  await hooked.listUsers({ limit: 1 });
  await hooked.ensureExpert({ email: "hooked@crm-plugin.example" });
  const responses = records.filter((r) => r.hook === "response");
  assert.ok(responses.length >= 2, JSON.stringify(records));
  for (const r of responses) {
    assert.equal(typeof r.status, "number");
    assert.equal(typeof r.attempt, "number");
    assert.match(String(r.method), /^(GET|POST|PUT|PATCH|DELETE)$/);
    assert.ok(String(r.url).startsWith(sim.url));
  }
  assert.ok(records.some((r) => Object.values(r).includes("listUsers")), "the operation id is given");
  assert.ok(!JSON.stringify(records).includes(apiKey), "the API key leaked into a hook");
});
