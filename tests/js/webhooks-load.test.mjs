// Load: 1000 archive.available notifications (10% delivered twice, shuffled, 32 at a time) from
// the simulator to a node:http server with createWebhookHandler and a file-backed seen store,
// while every onEvent takes 5 s. Every delivery must be acknowledged in under 3 s (the platform's
// timeout) and every archive processed exactly once.
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  FileSeenStore,
  FlexpertoClient,
  WebhookVerifier,
  createWebhookHandler,
  generateWebhookSecret,
} from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

const COUNT = 1000;
const DUPLICATE_RATE = 0.1;
const ON_EVENT_MS = 5000;
const WAIT_MS = 60_000;

let sim;
let server;
let dir;
let store;

before(async () => {
  sim = await startSim({ args: ["--allow-http-loopback"] });
  dir = await mkdtemp(join(tmpdir(), "flexperto-load-"));
});
after(async () => {
  if (server) await new Promise((r) => (server.closeAllConnections(), server.close(() => r())));
  await store?.close();
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test("1000 notifications, 10% duplicates, 5 s onEvent: acknowledged < 3 s, each archive processed once", { timeout: 90_000 }, async () => {
  const started = Date.now();
  const secret = generateWebhookSecret();
  const verifier = new WebhookVerifier({ secrets: [secret], allowedIps: ["127.0.0.1/32"] });
  store = await FileSeenStore.open(join(dir, "seen.jsonl"));

  const processed = new Map(); // archiveId -> onEvent calls
  const notificationIds = new Set();
  const errors = [];
  let onEventsDone = 0;
  const handler = createWebhookHandler({
    verifier,
    seen: store,
    onEvent: async (event) => {
      processed.set(event.archiveId, (processed.get(event.archiveId) ?? 0) + 1);
      notificationIds.add(event.notificationId);
      await sleep(ON_EVENT_MS);
      onEventsDone++;
    },
    onError: (err) => void errors.push(err),
  });

  const acks = { received: 0, byStatus: new Map(), maxMs: 0, totalMs: 0 };
  server = http.createServer((req, res) => {
    const t0 = performance.now();
    acks.received++;
    let done = false;
    const record = (status) => {
      if (done) return;
      done = true;
      const ms = performance.now() - t0;
      acks.maxMs = Math.max(acks.maxMs, ms);
      acks.totalMs += ms;
      acks.byStatus.set(status, (acks.byStatus.get(status) ?? 0) + 1);
    };
    res.once("finish", () => record(res.statusCode));
    // Closed before the answer went out (e.g. the sender timed out): counted, never acknowledged.
    res.once("close", () => record("unanswered"));
    handler(req, res);
  });
  // The simulator opens up to 32 connections at once; keep them all.
  server.maxConnections = 1000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const callback = `http://127.0.0.1:${server.address().port}/callbacks/flexperto/${secret}`;

  const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin") });
  const sub = await client.createWebhookSubscription({ topic: "archive.available", url: callback }, { allowHttpLoopback: true });

  const emitted = await sim.control("POST", "webhooks/emit", {
    topic: "archive.available",
    count: COUNT,
    concurrency: 32,
    duplicateRate: DUPLICATE_RATE,
    shuffle: true,
  });
  assert.equal(emitted.notificationIds.length, COUNT);
  const expectedDuplicates = Math.round(COUNT * DUPLICATE_RATE);
  assert.equal(emitted.deliveries, COUNT + expectedDuplicates);

  const stats = await until(
    "the simulator's deliveries",
    async () => {
      const s = await sim.control("GET", "webhooks/stats");
      return s.pending === 0 && s.deliveries === emitted.deliveries ? s : undefined;
    },
    WAIT_MS,
  );
  const deliveredAt = Date.now();
  let timer;
  await Promise.race([
    handler.drain(),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("onEvent calls did not finish")), WAIT_MS))),
  ]).finally(() => clearTimeout(timer));
  const reports = await client.listWebhookSubscriptionReports(sub.id);

  const acknowledged = (acks.byStatus.get(202) ?? 0) + (acks.byStatus.get(200) ?? 0);
  const duplicates = acks.byStatus.get(200) ?? 0;
  console.log(`deliveries received: ${acks.received} (simulator: ${stats.deliveries} deliveries, ${stats.attempts} attempts)`);
  console.log(`acknowledged: ${acknowledged} (202: ${acks.byStatus.get(202) ?? 0}, 200 duplicate: ${duplicates}, statuses ${JSON.stringify([...acks.byStatus])})`);
  console.log(`max ack ms: ${acks.maxMs.toFixed(1)} (mean ${(acks.totalMs / acks.received).toFixed(2)})`);
  console.log(`duplicates: ${duplicates}`);
  console.log(`processed: ${processed.size} distinct archives, ${onEventsDone} onEvent calls finished`);
  console.log(`reports: ${reports.items.length} (success ${reports.items.filter((r) => r.success).length}), stats ${JSON.stringify(stats)}`);
  console.log(`deliveries took ${deliveredAt - started} ms from the start; all onEvent done after ${Date.now() - started} ms`);

  assert.deepEqual(errors, []);
  assert.equal(stats.failed, 0, "no delivery failed");
  assert.equal(stats.succeeded, emitted.deliveries);
  assert.equal(acks.received, stats.attempts, "every attempt reached the handler");
  assert.equal(acknowledged, acks.received, "every delivery acknowledged");
  assert.ok(acks.maxMs < 3000, `slowest acknowledgement took ${acks.maxMs} ms`);
  assert.equal(processed.size, COUNT, "every archive processed");
  assert.ok([...processed.values()].every((n) => n === 1), "no archive processed twice");
  assert.equal(onEventsDone, COUNT);
  assert.deepEqual([...notificationIds].sort(), [...emitted.notificationIds].sort());
  assert.ok(duplicates >= expectedDuplicates, `${duplicates} duplicates`);
  assert.ok(reports.items.length > 0 && reports.items.length <= 50);
  for (const r of reports.items) {
    assert.equal(r.success, true);
    assert.equal(r.subscriptionId, sub.id);
    assert.ok(r.statusCode === 202 || r.statusCode === 200, `status ${r.statusCode}`);
  }
  assert.equal(store.size, COUNT);
});
