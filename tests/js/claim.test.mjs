// The archive claim worker (issue 11) on the installed package, against the simulator, a real
// SQLite file and a real PostgreSQL (FLEXPERTO_TEST_PG_URL, started by scripts/test.sh; without
// it these tests fail, they do not skip): the core from JS, the ledgers, the file sink,
// quarantine, the fault matrix on 100 archives, a SQLite worker killed in each state and
// restarted, and the PostgreSQL connection dropped mid-claim.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  ArchiveClaimer,
  FileArchiveSink,
  FlexpertoClient,
  MemoryLedger,
  PostgresLedger,
  PostgresSeenStore,
  SqliteLedger,
  WebhookVerifier,
  claimFileName,
  claimStep,
  generateWebhookSecret,
} from "flexperto-sdk";
import Database from "better-sqlite3";
import pg from "pg";
import { startSim } from "../../www/sim.mjs";
import { claimCounts, makeArchives, sleep, waitSettled } from "./claim-helpers.mjs";

const PG_URL = process.env.FLEXPERTO_TEST_PG_URL;
const WORKER = fileURLToPath(new URL("./claim-worker.mjs", import.meta.url));

let sim;
let apiKey;
let client;
let tmp;

before(async () => {
  sim = await startSim();
  apiKey = await sim.apiKey("admin");
  client = new FlexpertoClient({ baseUrl: sim.url, apiKey });
  tmp = await mkdtemp(join(tmpdir(), "flexperto-claim-"));
});
after(async () => {
  await sim?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A clean simulator (reset also forgets the keys: take a new one). */
async function resetSim() {
  await sim.reset();
  apiKey = await sim.apiKey("admin");
  client = new FlexpertoClient({ baseUrl: sim.url, apiKey });
}

/** A PostgreSQL URL with its own database, so that tests do not share tables. */
async function freshDatabase(name) {
  assert.ok(PG_URL, "FLEXPERTO_TEST_PG_URL is not set: run scripts/test.sh (it starts PostgreSQL)");
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

function printCounts(label, c) {
  console.log(
    `${label}: AVAILABLE ${c.available}; stored-and-verified before abandon ${c.storedVerifiedBeforeAbandon}; ` +
      `abandoned without a verified stored copy ${c.abandonedWithoutCopy}; duplicate files ${c.duplicateFiles}`,
  );
}

function assertCounts(c, { expectAvailable }) {
  assert.equal(c.available, expectAvailable);
  assert.equal(c.storedVerifiedBeforeAbandon, c.available, "every AVAILABLE archive stored and verified before its abandon");
  assert.equal(c.abandonedWithoutCopy, 0, "no archive abandoned without a verified stored copy");
  assert.equal(c.duplicateFiles, 0, "no duplicate files");
  for (const [id, n] of c.abandonCalls) assert.equal(n, 1, `archive ${id} abandoned ${n} times`);
  assert.equal(c.abandonCalls.size, c.available);
}

describe("the claim core from JavaScript", () => {
  test("claimStep decides, and refuses unknown fields and impossible events with a ValidationError", () => {
    const sha = "ab".repeat(32);
    const s = claimStep({ status: { state: "seen" }, event: { record: { status: "AVAILABLE", sha256CheckSum: sha } }, nowMs: Date.now() });
    assert.deepEqual(s.action, { type: "download", delayMs: 0 });
    assert.equal(s.status.state, "downloading");
    assert.equal(s.status.sha256CheckSum, sha);
    const ok = () => ({ status: { state: "seen" }, event: { record: { status: "AVAILABLE", sha256CheckSum: sha } }, nowMs: 1 });
    assert.doesNotThrow(() => claimStep(ok()));
    const bad = [
      { ...ok(), surprise: true },
      { ...ok(), status: { state: "seen", owner: "x" } },
      { ...ok(), event: { record: { ...ok().event.record, extra: 1 } } },
      { ...ok(), event: { ...ok().event, stored: {} } },
      { ...ok(), event: { type: "record", status: "AVAILABLE", sha256CheckSum: sha } },
      { ...ok(), policy: { leaseMillis: 5000 } },
      { ...ok(), event: { stored: {} } },
      { ...ok(), status: { state: "stored" }, event: { abandoned: {} }, nowMs: 10, leaseUntil: 5 },
    ];
    for (const input of bad) {
      assert.throws(() => claimStep(input), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT", JSON.stringify(input));
    }
    // A bad value inside the event is named by its path, through the event's name.
    assert.throws(
      () => claimStep({ ...ok(), event: { record: { status: 5 } } }),
      (e) => e.name === "ValidationError" && e.field === "event.record.status",
    );
    assert.equal(claimFileName("conf_1", "arc_2"), "conf_1--arc_2.zip");
    assert.throws(() => claimFileName("../x", "arc_2"), (e) => e.name === "ValidationError");
  });
});

const LEDGERS = {
  memory: async () => new MemoryLedger(),
  sqlite: async () => new SqliteLedger({ path: join(tmp, `ledger-${Math.random().toString(36).slice(2)}.db`) }),
  postgres: async () => {
    const l = new PostgresLedger({ connectionString: await freshDatabase(`ledger_${Math.random().toString(36).slice(2, 8)}`) });
    await l.migrate();
    await l.migrate(); // twice is fine
    return l;
  },
};

describe("ledgers (one interface, three stores)", () => {
  for (const [name, make] of Object.entries(LEDGERS)) {
    test(`${name}: leases are exclusive until they run out; saves need the lease; rows keep every field`, async () => {
      const l = await make();
      try {
        const now = Date.now();
        const a = await l.acquire("arc_1", { owner: "w1", nowMs: now, leaseUntil: now + 5000, conferenceId: "conf_1" });
        assert.equal(a.state, "seen");
        assert.equal(a.owner, "w1");
        assert.equal(await l.acquire("arc_1", { owner: "w2", nowMs: now + 10, leaseUntil: now + 5010 }), null);
        assert.equal((await l.acquire("arc_1", { owner: "w1", nowMs: now + 10, leaseUntil: now + 6000 })).leaseUntil, now + 6000);
        const row = { ...a, state: "stored", sha256CheckSum: "cd".repeat(32), receipt: { path: "/x", bytes: 3 }, attempts: 2, mismatches: 1, storedAt: new Date(now).toISOString(), leaseUntil: now + 6000 };
        assert.equal(await l.save(row, { owner: "w2", nowMs: now + 20 }), false, "not the owner");
        assert.equal(await l.save(row, { owner: "w1", nowMs: now + 20 }), true);
        assert.equal(await l.renew("arc_1", { owner: "w1", nowMs: now + 30, leaseUntil: now + 7000 }), true);
        assert.equal(await l.renew("arc_1", { owner: "w2", nowMs: now + 30, leaseUntil: now + 7000 }), false);
        // The lease runs out: another worker takes the archive, and the first one's saves fail.
        const b = await l.acquire("arc_1", { owner: "w2", nowMs: now + 7001, leaseUntil: now + 9000 });
        assert.equal(b.owner, "w2");
        assert.equal(b.state, "stored");
        assert.deepEqual(b.receipt, { path: "/x", bytes: 3 });
        assert.equal(await l.save({ ...row, state: "abandoned" }, { owner: "w1", nowMs: now + 7002 }), false);
        // A final archive is never leased again.
        assert.equal(await l.save({ ...b, state: "abandoned", owner: null, leaseUntil: null, abandonedAt: new Date(now).toISOString() }, { owner: "w2", nowMs: now + 7003 }), true);
        assert.equal(await l.acquire("arc_1", { owner: "w3", nowMs: now + 99_999, leaseUntil: now + 200_000 }), null);
        const got = await l.get("arc_1");
        for (const f of ["archiveId", "conferenceId", "sha256CheckSum", "state", "receipt", "error", "attempts", "mismatches", "owner", "leaseUntil", "createdAt", "updatedAt", "storedAt", "abandonedAt"]) {
          assert.ok(f in got, `row has ${f}`);
        }
        assert.equal(got.state, "abandoned");
        assert.equal(got.conferenceId, "conf_1");
        assert.equal(got.attempts, 2);
        assert.equal(got.owner, null);
        assert.equal(await l.get("nope"), null);
        assert.equal((await l.list()).length, 1);
        // Racing acquires by many owners: exactly one wins.
        const racers = await Promise.all(Array.from({ length: 12 }, (_, i) => l.acquire("arc_race", { owner: `r${i}`, nowMs: now, leaseUntil: now + 5000 })));
        assert.equal(racers.filter((r) => r !== null).length, 1);
      } finally {
        await l.close();
      }
    });
  }

  for (const name of ["memory", "sqlite"]) {
    test(`${name}: save keeps any JSON value as the receipt (deep, of a class), and refuses one JSON.stringify cannot write`, async () => {
      const l = await LEDGERS[name]();
      try {
        const now = Date.now();
        const a = await l.acquire("arc_r", { owner: "w1", nowMs: now, leaseUntil: now + 5000, conferenceId: "conf_1" });
        let deep = { bytes: 3 };
        for (let i = 0; i < 40; i++) deep = { next: deep };
        class Receipt {
          constructor() {
            this.path = "/x";
            this.deep = deep;
          }
        }
        assert.equal(await l.save({ ...a, state: "stored", receipt: new Receipt() }, { owner: "w1", nowMs: now + 1 }), true);
        assert.deepEqual((await l.get("arc_r")).receipt, JSON.parse(JSON.stringify(new Receipt())));
        const cyclic = { path: "/x" };
        cyclic.self = cyclic;
        await assert.rejects(l.save({ ...a, state: "stored", receipt: cyclic }, { owner: "w1", nowMs: now + 2 }), (e) =>
          e.name === "ValidationError" && e.field === "row.receipt" && e.cause instanceof TypeError);
      } finally {
        await l.close();
      }
    });
  }

  test("SqliteLedger: a path at fault is a ValidationError with its cause; a locked database (SQLITE_BUSY) is thrown as it is", async () => {
    const refused = (code) => (e) =>
      e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.path" && /cannot be opened as the ledger's SQLite database/.test(e.message) && e.cause?.code === code;
    assert.throws(() => new SqliteLedger({ path: join(tmp, "no-such-folder", "l.db") }), refused("ENOENT"));
    assert.throws(() => new SqliteLedger({ path: tmp }), refused("SQLITE_CANTOPEN"));
    await writeFile(join(tmp, "not-a.db"), "not a database, ".repeat(20));
    assert.throws(() => new SqliteLedger({ path: join(tmp, "not-a.db") }), refused("SQLITE_NOTADB"));
    const path = join(tmp, "locked.db");
    const holder = new Database(path);
    try {
      holder.exec("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)");
      assert.throws(() => new SqliteLedger({ path }), (e) => e.name === "SqliteError" && e.code === "SQLITE_BUSY" && e.field === undefined);
    } finally {
      holder.close();
    }
    const l = new SqliteLedger({ path });
    await l.close();
  });

  test("PostgresLedger.migrate: its connection terminated mid-migration (pg_terminate_backend) is tried again on another; the process stays up", async () => {
    const url = new URL(await freshDatabase("migrate_dropped"));
    url.searchParams.set("application_name", "flexperto-migrate-test");
    // Hold the migration lock (the ledger's MIGRATION_LOCK), so that migrate() waits inside its
    // transaction, then end the connection it waits on.
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const holder = new pg.Client({ connectionString: url.toString().replace("flexperto-migrate-test", "lock-holder") });
    await holder.connect();
    await holder.query("SELECT pg_advisory_lock(7401311942)");
    const ledger = new PostgresLedger({ connectionString: url.toString() });
    const migrating = ledger.migrate();
    let terminated = 0;
    for (let i = 0; i < 100 && terminated === 0; i++) {
      await sleep(50);
      const r = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flexperto-migrate-test' AND wait_event_type = 'Lock'",
      );
      terminated += r.rowCount;
    }
    await holder.query("SELECT pg_advisory_unlock(7401311942)");
    await holder.end();
    await admin.end();
    assert.equal(terminated, 1, "the migrating connection was found waiting on the lock and terminated");
    await migrating;
    const now = Date.now();
    assert.ok(await ledger.acquire("A1", { owner: "w", nowMs: now, leaseUntil: now + 1000 }), "the migrated table works");
    await ledger.close();
  });

  test("PostgresSeenStore: of concurrent claims of one key across pools, exactly one is first", async () => {
    const url = await freshDatabase("seen_store");
    const stores = Array.from({ length: 3 }, () => new PostgresSeenStore({ connectionString: url }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const firsts = await Promise.all(stores.flatMap((s) => Array.from({ length: 4 }, () => s.claim("archive.available:arc_1", 60_000))));
      assert.equal(firsts.filter(Boolean).length, 1);
      await stores[1].release("archive.available:arc_1");
      assert.equal(await stores[2].claim("archive.available:arc_1", 60_000), true);
      assert.equal(await stores[0].claim("short", 1), true);
      await sleep(5);
      assert.equal(await stores[0].claim("short", 1000), true, "an expired claim can be taken again");
      await assert.rejects(stores[0].claim("", 10), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "key" && /key: must be a non-empty string/.test(e.message));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe("PostgreSQL: a reply lost after the commit", () => {
  test("PostgresSeenStore: a claim whose first send committed, its reply lost with the connection, is still first when sent again", async () => {
    const url = await freshDatabase("seen_lost_reply");
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    // The statement runs on the real server and commits; then the connection "ends" before the
    // reply arrives (the error a server shutdown gives), once.
    let lose = false;
    const lossy = {
      query: async (text, values) => {
        const r = await pool.query(text, values);
        if (lose && /INSERT INTO flexperto_webhook_seen/.test(text)) {
          lose = false;
          throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
        }
        return r;
      },
      connect: () => pool.connect(),
    };
    const store = new PostgresSeenStore({ pool: lossy });
    try {
      await store.migrate();
      lose = true;
      assert.equal(await store.claim("archive.available:arc_lost", 60_000), true, "the claim that committed is this caller's");
      assert.equal(lose, false, "the reply was lost once");
      assert.equal(await store.claim("archive.available:arc_lost", 60_000), false, "a later claim is a duplicate");
    } finally {
      await store.close();
      await pool.end();
    }
  });
});

describe("FileArchiveSink", () => {
  test("pathOf: a numeric id is named as String(id) names it", () => {
    const sink = new FileArchiveSink({ dir: join(tmp, "numeric") });
    for (const [conferenceId, archiveId] of [[7, 1.5], [-0, 1e21], [0.1, 123456789012345680000], [2 ** 53, 1e-7]]) {
      assert.equal(sink.pathOf({ conferenceId, archiveId }), join(tmp, "numeric", `${String(conferenceId)}--${String(archiveId)}.zip`));
    }
  });
  test("commits durably under {conferenceId}--{archiveId}.zip, never over a different file", async () => {
    const dir = join(tmp, "sink");
    const sink = new FileArchiveSink({ dir });
    const rec = { archiveId: "arc_1", conferenceId: "conf_1", sha256CheckSum: "00".repeat(32) };
    const w = await sink.open(rec);
    await w.write(Buffer.from("hello "));
    await w.write(new Uint8Array(Buffer.from("world")));
    const receipt = await w.commit();
    assert.deepEqual(receipt, { path: join(dir, "conf_1--arc_1.zip"), bytes: 11, alreadyPresent: false });
    assert.equal(await readFile(receipt.path, "utf8"), "hello world");
    // The same bytes again: a success, nothing replaced.
    const again = await sink.open(rec);
    await again.write(Buffer.from("hello world"));
    assert.equal((await again.commit()).alreadyPresent, true);
    // Different bytes under the same name: SINK_CONFLICT, and the file stays as it was.
    const other = await sink.open(rec);
    await other.write(Buffer.from("HELLO WORLD"));
    await assert.rejects(other.commit(), (e) => e.code === "SINK_CONFLICT");
    assert.equal(await readFile(receipt.path, "utf8"), "hello world");
    // abort leaves nothing behind.
    const gone = await sink.open({ ...rec, archiveId: "arc_2" });
    await gone.write(Buffer.from("partial"));
    await gone.abort();
    assert.deepEqual((await readdir(dir)).sort(), [".partial", "conf_1--arc_1.zip"]);
    assert.deepEqual(await readdir(join(dir, ".partial")), []);
    // A writer killed mid-way leaves its partial file; the next writer of the SAME archive deletes
    // it (it holds the archive's lease, so that file is an earlier holder's); others' stay.
    await writeFile(join(dir, ".partial", "conf_1--arc_3.zip.4242.aaaaaaaaaaaa.part"), "killed writer");
    await writeFile(join(dir, ".partial", "conf_1--arc_33.zip.4242.bbbbbbbbbbbb.part"), "another archive");
    const next = await sink.open({ ...rec, archiveId: "arc_3" });
    const partial = await readdir(join(dir, ".partial"));
    assert.equal(partial.length, 2);
    assert.ok(partial.includes("conf_1--arc_33.zip.4242.bbbbbbbbbbbb.part"), "another archive's partial file stays");
    assert.ok(!partial.includes("conf_1--arc_3.zip.4242.aaaaaaaaaaaa.part"), "the killed writer's file is gone");
    await next.write(Buffer.from("three"));
    await next.commit();
    assert.deepEqual(await readdir(join(dir, ".partial")), ["conf_1--arc_33.zip.4242.bbbbbbbbbbbb.part"]);
    await assert.rejects(sink.open({ ...rec, archiveId: "../../etc/passwd" }), (e) => e.name === "ValidationError");
    assert.throws(() => new FileArchiveSink({ dir, extra: 1 }), (e) => e.name === "ValidationError");
  });
});

describe("ArchiveClaimer", () => {
  test("a file that never matches its checksum is quarantined, never abandoned; a FAILED archive fails", async () => {
    await resetSim();
    const [bad, good, failed] = await makeArchives(sim, 3, { failEvery: 3 });
    await waitSettled(sim, apiKey);
    await sim.storageFault({ kind: "flip", archiveId: bad.archiveId });
    const dir = join(tmp, "quarantine");
    const ledger = new MemoryLedger();
    const progress = [];
    const claimer = new ArchiveClaimer({ client, sink: new FileArchiveSink({ dir }), ledger, policy: { baseDelayMs: 10 }, onProgress: (p) => progress.push(p) });
    assert.equal((await claimer.claim(bad.archiveId)).outcome, "quarantined");
    assert.equal((await claimer.claim(failed.archiveId)).outcome, "failed");
    assert.equal((await claimer.claim(good.archiveId)).outcome, "stored");
    const row = await ledger.get(bad.archiveId);
    assert.equal(row.state, "quarantined");
    assert.equal(row.mismatches, 3);
    assert.equal(row.attempts, 3);
    assert.match(row.error, /mismatch/);
    assert.match((await ledger.get(failed.archiveId)).error, /FAILED/);
    const abandons = (await sim.control("GET", "archives/abandons")).items;
    assert.deepEqual(abandons.map((a) => a.archiveId), [good.archiveId]);
    assert.deepEqual((await readdir(dir)).sort(), [".partial", `${good.conferenceId}--${good.archiveId}.zip`]);
    assert.deepEqual(await readdir(join(dir, ".partial")), [], "no partial file of the quarantined downloads stays");
    // Claiming again changes nothing.
    assert.equal((await claimer.claim(bad.archiveId)).outcome, "skipped");
    // Progress: per-archive bytes and the running counts.
    assert.ok(progress.some((p) => p.archiveId === good.archiveId && p.bytes > 0));
    assert.deepEqual(progress.at(-1).counts, { active: 0, stored: 1, quarantined: 1, failed: 1, skipped: 1 });
    await sim.control("DELETE", "storage/faults");
  });

  test("handleEvent claims the archive events of a verifier with the tenant's own archiveTopic (the README's wiring)", async () => {
    await resetSim();
    const [a] = await makeArchives(sim, 1);
    await waitSettled(sim, apiKey);
    const secret = generateWebhookSecret();
    const verifier = new WebhookVerifier({ secrets: [secret], archiveTopic: "archive.ready" });
    const deliver = (payload) =>
      verifier.verify({ path: `/cb/${secret}`, remoteAddress: "203.0.113.5", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
    const event = deliver({ id: "n1", topic: "archive.ready", data: { archive_id: a.archiveId, archive_subject: { conference_id: a.conferenceId } } });
    assert.equal(event.topic, "archive.ready");
    const claimer = new ArchiveClaimer({ client, sink: new FileArchiveSink({ dir: join(tmp, "tenant-topic") }), ledger: new MemoryLedger() });
    const r = await claimer.handleEvent(event);
    assert.deepEqual([r.archiveId, r.outcome], [a.archiveId, "stored"], JSON.stringify(r));
    // Under this verifier "archive.available" is another topic: a generic event, skipped.
    const other = await claimer.handleEvent(deliver({ id: "n2", topic: "archive.available" }));
    assert.deepEqual([other.archiveId, other.outcome], [null, "skipped"]);
  });

  test("fault matrix: 100 archives, storage and API faults, duplicate and early webhook events, one process on SQLite", async () => {
    await resetSim();
    // Steps of an hour: nothing is AVAILABLE until the test moves the clock.
    const made = await makeArchives(sim, 100, { failEvery: 20, stepSeconds: 3600 });
    const dir = join(tmp, "matrix");
    const ledger = new SqliteLedger({ path: join(tmp, "matrix.db") });
    const claimer = new ArchiveClaimer({
      client,
      sink: new FileArchiveSink({ dir }),
      ledger,
      concurrency: 4,
      policy: { baseDelayMs: 20, maxDelayMs: 200 },
    });
    // Events that arrive before their archive is AVAILABLE (out of order): read, found not ready, skipped.
    const early = await Promise.all(made.slice(0, 20).map((a) => claimer.handleEvent({ topic: "archive.available", archiveId: a.archiveId, conferenceId: "conf_forged" })));
    assert.ok(early.every((r) => r.outcome === "skipped" && r.state === "seen"), JSON.stringify(early));
    await sim.advanceClock(3 * 3600);
    const settled = await waitSettled(sim, apiKey);
    const ok = made.filter((a) => !a.fail);
    // Storage faults: truncated bodies, a 500, URLs expiring mid-download, flipped bytes (twice
    // for some archives: two mismatching downloads, the third matches).
    await sim.storageFault({ kind: "truncate", times: 10 });
    await sim.storageFault({ kind: "status", status: 500, times: 8 });
    await sim.storageFault({ kind: "expire", times: 4 });
    for (const a of ok.slice(0, 6)) await sim.storageFault({ kind: "flip", archiveId: a.archiveId, times: 2 });
    await sim.storageFault({ kind: "flip", times: 5 });
    // API faults: 429 and 503 on reads, downloads and abandons.
    await sim.fault({ path: "/api/v2/communication/conferences/archives", method: "GET", status: 429, count: 2 });
    for (const a of ok.slice(10, 20)) await sim.fault({ path: `/api/v2/communication/archives/archives/${a.archiveId}`, method: "GET", status: 503, count: 5 });
    for (const a of ok.slice(20, 25)) await sim.fault({ path: `/api/v2/communication/archives/archives/${a.archiveId}/download`, method: "GET", status: 429, count: 1 });
    for (const a of ok.slice(25, 32)) await sim.fault({ path: `/api/v2/communication/conferences/conferences/${a.conferenceId}/archive/abandon`, method: "POST", status: 503, count: 1 });
    for (const a of ok.slice(32, 36)) await sim.fault({ path: `/api/v2/communication/conferences/conferences/${a.conferenceId}/archive/abandon`, method: "POST", status: 429, count: 1 });
    // Every event twice, shuffled, while a sweep runs.
    const events = [...made, ...made].map((a) => ({ topic: "archive.available", archiveId: a.archiveId, conferenceId: a.conferenceId }));
    events.sort(() => Math.random() - 0.5);
    const [results, firstSweep] = await Promise.all([Promise.all(events.map((e) => claimer.handleEvent(e))), claimer.sweep()]);
    assert.equal(results.length, 200);
    let sweeps = 1;
    for (;;) {
      const open = (await ledger.list()).filter((r) => !["abandoned", "failed", "quarantined"].includes(r.state));
      if (open.length === 0 && (await ledger.list()).length === 100) break;
      assert.ok(sweeps < 30, `still open after ${sweeps} sweeps: ${JSON.stringify(open.slice(0, 3))}`);
      await claimer.sweep();
      sweeps += 1;
    }
    const c = await claimCounts(sim, apiKey, dir);
    printCounts(`fault matrix (100 archives, ${sweeps} sweeps; first sweep ${JSON.stringify(firstSweep)})`, c);
    assertCounts(c, { expectAvailable: settled.filter((r) => r.status !== "FAILED").length });
    assert.equal(c.available, 95);
    assert.equal(c.leftoverParts, 0);
    // The ledger is the record: each stored archive with its receipt and timestamps in order.
    const rows = await ledger.list();
    for (const r of rows) {
      if (r.state === "abandoned") {
        assert.ok(r.receipt?.path?.endsWith(`${r.conferenceId}--${r.archiveId}.zip`), JSON.stringify(r));
        assert.ok(r.storedAt <= r.abandonedAt);
        assert.match(r.sha256CheckSum, /^[0-9a-f]{64}$/);
      } else {
        assert.equal(r.state, "failed", JSON.stringify(r));
      }
    }
    assert.equal(rows.filter((r) => r.state === "failed").length, 5);
    assert.ok(rows.some((r) => r.mismatches > 0), "some downloads mismatched");
    await ledger.close();
    await sim.control("DELETE", "storage/faults");
    await sim.control("DELETE", "faults");
  });

  test("SQLite: a worker SIGKILLed in each state and restarted finishes the work, no loss, no duplicate", async () => {
    await resetSim();
    await makeArchives(sim, 30, { minBytes: 40_000, maxBytes: 80_000, failEvery: 10 });
    await waitSettled(sim, apiKey);
    // Slow storage, so that each state lasts long enough to be killed in.
    await sim.storageFault({ kind: "slow", bytesPerSecond: 400_000 });
    const dir = join(tmp, "restart");
    const dbPath = join(tmp, "restart.db");
    const env = { ...process.env, SIM_URL: sim.url, API_KEY: apiKey, SINK_DIR: dir, LEDGER: `sqlite:${dbPath}`, LEASE_MS: "1500", CONCURRENCY: "3" };
    const killedIn = [];
    for (const state of ["downloading", "verified", "stored", "abandoned"]) {
      const child = spawn(process.execPath, [WORKER], { env, stdio: ["ignore", "pipe", "inherit"] });
      const lines = createInterface({ input: child.stdout });
      const exited = new Promise((r) => child.once("exit", r));
      await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`never saw state ${state}`)), 30_000);
        let killed = false;
        lines.on("line", (l) => {
          const p = JSON.parse(l);
          // Lines already buffered after the kill are ignored.
          if (p.state === state && !killed) {
            killed = true;
            child.kill("SIGKILL");
            clearTimeout(t);
            killedIn.push(state);
            resolve();
          }
        });
      });
      await exited;
    }
    assert.deepEqual(killedIn, ["downloading", "verified", "stored", "abandoned"]);
    // The last run finishes the work.
    const ledger = new SqliteLedger({ path: dbPath });
    const child = spawn(process.execPath, [WORKER], { env, stdio: ["ignore", "ignore", "inherit"] });
    const exited = new Promise((r) => child.once("exit", r));
    const deadline = Date.now() + 90_000;
    for (;;) {
      const rows = await ledger.list();
      if (rows.length === 30 && rows.every((r) => ["abandoned", "failed", "quarantined"].includes(r.state))) break;
      assert.ok(Date.now() < deadline, "the restarted worker did not finish");
      await sleep(200);
    }
    child.kill("SIGTERM");
    await exited;
    await ledger.close();
    const c = await claimCounts(sim, apiKey, dir);
    printCounts(`SQLite restart (30 archives, killed in ${killedIn.join(", ")})`, c);
    assertCounts(c, { expectAvailable: 27 });
    assert.equal(c.leftoverParts, 0, "the partial file of the writer killed while downloading went when the archive was claimed again");
    await sim.control("DELETE", "storage/faults");
  });

  test("PostgreSQL: connections dropped mid-claim (pg_terminate_backend); the next sweep finishes", async () => {
    await resetSim();
    await makeArchives(sim, 24, { minBytes: 40_000, maxBytes: 80_000 });
    await waitSettled(sim, apiKey);
    await sim.storageFault({ kind: "slow", bytesPerSecond: 300_000 });
    const url = new URL(await freshDatabase("dropped"));
    url.searchParams.set("application_name", "flexperto-claim-test");
    const ledger = new PostgresLedger({ connectionString: url.toString() });
    await ledger.migrate();
    const dir = join(tmp, "dropped");
    const claimer = new ArchiveClaimer({ client, sink: new FileArchiveSink({ dir }), ledger, concurrency: 4, policy: { leaseMs: 1500, baseDelayMs: 20 } });
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    let terminated = 0;
    const sweep = claimer.sweep();
    for (let i = 0; i < 3; i++) {
      await sleep(400);
      const r = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flexperto-claim-test'");
      terminated += r.rowCount;
    }
    const first = await sweep;
    await admin.end();
    assert.ok(terminated > 0, "connections were terminated");
    let sweeps = 1;
    for (;;) {
      const rows = await ledger.list();
      if (rows.length === 24 && rows.every((r) => r.state === "abandoned")) break;
      assert.ok(sweeps < 20, "never finished");
      await sleep(300);
      await claimer.sweep();
      sweeps += 1;
    }
    await ledger.close();
    const c = await claimCounts(sim, apiKey, dir);
    printCounts(`PostgreSQL connection drops (24 archives, ${terminated} connections terminated, first sweep ${JSON.stringify(first)}, ${sweeps} sweeps)`, c);
    assertCounts(c, { expectAvailable: 24 });
    await sim.control("DELETE", "storage/faults");
  });
});
