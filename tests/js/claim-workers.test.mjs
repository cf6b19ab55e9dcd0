// Many machines, simulated (issue 11): four worker processes share one PostgreSQL ledger, one
// sink folder and one simulator, and claim 200 archives while a random worker is SIGKILLed and
// restarted every 1.5 s (and, once, every ledger connection is terminated). The three counts
// hold, and the simulator's abandon log shows every archive abandoned exactly once.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { PostgresLedger } from "flexperto-sdk";
import pg from "pg";
import { startSim } from "../../www/sim.mjs";
import { claimCounts, makeArchives, sleep, waitSettled } from "./claim-helpers.mjs";

const PG_URL = process.env.FLEXPERTO_TEST_PG_URL;
const WORKER = fileURLToPath(new URL("./claim-worker.mjs", import.meta.url));
const WORKERS = 4;
const ARCHIVES = 200;

let sim;
let tmp;
const children = new Set();

before(async () => {
  sim = await startSim();
  tmp = await mkdtemp(join(tmpdir(), "flexperto-claim-workers-"));
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await sim?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test("four workers on one PostgreSQL ledger, one SIGKILLed every 1.5 s: no loss, no duplicate, each archive abandoned once", async () => {
  assert.ok(PG_URL, "FLEXPERTO_TEST_PG_URL is not set: run scripts/test.sh (it starts PostgreSQL)");
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS claim_workers");
  await admin.query("CREATE DATABASE claim_workers");
  const u = new URL(PG_URL);
  u.pathname = "/claim_workers";
  u.searchParams.set("application_name", "flexperto-claim-worker");
  const dbUrl = u.toString();

  const apiKey = await sim.apiKey("admin");
  await makeArchives(sim, ARCHIVES, { minBytes: 30_000, maxBytes: 90_000, failEvery: 25 });
  const settled = await waitSettled(sim, apiKey);
  const available = settled.filter((r) => r.status !== "FAILED").length;
  // Downloads at a network-like rate, so that workers die in the middle of things; some
  // transient storage faults on top.
  await sim.storageFault({ kind: "slow", bytesPerSecond: 250_000 });
  await sim.storageFault({ kind: "truncate", times: 10 });
  await sim.storageFault({ kind: "flip", times: 6 });

  const dir = join(tmp, "sink");
  const env = { ...process.env, SIM_URL: sim.url, API_KEY: apiKey, SINK_DIR: dir, LEDGER: `pg:${dbUrl}`, LEASE_MS: "2000", CONCURRENCY: "3", INTERVAL_MS: "300" };
  const slots = new Array(WORKERS).fill(null);
  // A worker that ends without being killed by this test (an unhandled error in it, say) is a
  // failure of its own: recorded here and asserted below, never waited for.
  const killed = new Set();
  const died = [];
  const startWorker = (i) => {
    const child = spawn(process.execPath, [WORKER], { env, stdio: ["ignore", "ignore", "inherit"] });
    children.add(child);
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (!killed.has(child)) died.push(`worker ${child.pid} exited by itself (code ${code}, signal ${signal})`);
    });
    slots[i] = child;
  };
  const stopWorker = (child, signal) => {
    killed.add(child);
    if (child.exitCode !== null || child.signalCode !== null) return null;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    return exited;
  };
  for (let i = 0; i < WORKERS; i++) startWorker(i);

  const watch = new URL(PG_URL);
  watch.pathname = "/claim_workers";
  const ledger = new PostgresLedger({ connectionString: watch.toString() });
  let kills = 0;
  let terminated = 0;
  const deadline = Date.now() + 150_000;
  for (let tick = 0; ; tick++) {
    await sleep(1500);
    const rows = await ledger.list().catch(() => []);
    const done = rows.filter((r) => ["abandoned", "failed", "quarantined"].includes(r.state)).length;
    if (rows.length === ARCHIVES && done === ARCHIVES) break;
    assert.deepEqual(died, [], "no worker may die of anything but the test's SIGKILL");
    assert.ok(Date.now() < deadline, `not finished: ${done} of ${ARCHIVES} final after ${kills} kills`);
    const i = Math.floor(Math.random() * WORKERS);
    await stopWorker(slots[i], "SIGKILL");
    kills += 1;
    startWorker(i);
    if (tick === 2) {
      const r = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flexperto-claim-worker'");
      terminated += r.rowCount;
    }
  }
  await Promise.all(slots.map((c) => stopWorker(c, "SIGTERM")));
  assert.deepEqual(died, [], "no worker may die of anything but the test's signals");
  await ledger.close();
  await admin.end();

  const c = await claimCounts(sim, apiKey, dir);
  console.log(
    `four workers, PostgreSQL (${ARCHIVES} archives, ${kills} SIGKILLs, ${terminated} connections terminated): AVAILABLE ${c.available}; ` +
      `stored-and-verified before abandon ${c.storedVerifiedBeforeAbandon}; abandoned without a verified stored copy ${c.abandonedWithoutCopy}; ` +
      `duplicate files ${c.duplicateFiles}; abandoned exactly once ${[...c.abandonCalls.values()].filter((n) => n === 1).length}; ` +
      `temporary files left by killed writers ${c.leftoverParts}`,
  );
  assert.ok(kills >= 3, `only ${kills} kills happened: the test proved little`);
  assert.equal(c.available, available);
  assert.equal(c.storedVerifiedBeforeAbandon, available);
  assert.equal(c.abandonedWithoutCopy, 0);
  assert.equal(c.duplicateFiles, 0);
  assert.equal(c.abandonCalls.size, available);
  for (const [id, n] of c.abandonCalls) assert.equal(n, 1, `archive ${id} abandoned ${n} times`);
  // Each killed writer's partial file went when its archive was claimed again.
  assert.equal(c.leftoverParts, 0, "partial files of killed writers are gone");
});
