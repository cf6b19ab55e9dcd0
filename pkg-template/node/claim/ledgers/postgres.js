"use strict";
// PostgresLedger and PostgresSeenStore: the ledger, and the webhook dedupe store, in PostgreSQL
// (pg, an optional peer dependency loaded on first use), for many workers on many machines.
// A lease is taken by one conditional upsert: of two workers racing for an archive, exactly one
// gets the row back. A worker that dies keeps its lease until it runs out; then another takes it.

const { randomUUID } = require("node:crypto");
const { argText, ledgerRetry, postgresOptions, seenStoreClaim } = require("../../flexperto_sdk.js");
const { leaseOf, FINAL, rowFromDb } = require("./common.js");

const TABLE = "flexperto_archive_claims";
const SEEN_TABLE = "flexperto_webhook_seen";
/** Serialises concurrent migrations (an arbitrary constant of this package). */
const MIGRATION_LOCK = 7_401_311_942;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  archive_id        text PRIMARY KEY,
  conference_id     text,
  sha256_check_sum  text,
  state             text NOT NULL CHECK (state IN ('seen','downloading','verified','stored','abandoned','failed','quarantined')),
  receipt           jsonb,
  error             text,
  attempts          integer NOT NULL DEFAULT 0,
  mismatches        integer NOT NULL DEFAULT 0,
  failures          integer NOT NULL DEFAULT 0,
  remote_abandoned  boolean NOT NULL DEFAULT false,
  owner             text,
  lease_until       bigint,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  stored_at         timestamptz,
  abandoned_at      timestamptz
);
CREATE INDEX IF NOT EXISTS ${TABLE}_state ON ${TABLE} (state);
CREATE TABLE IF NOT EXISTS ${SEEN_TABLE} (
  key         text PRIMARY KEY,
  expires_at  bigint NOT NULL
);
ALTER TABLE ${SEEN_TABLE} ADD COLUMN IF NOT EXISTS claimant text;
`;

let pgModule;
function loadPg() {
  try {
    return (pgModule ??= require("pg"));
  } catch (e) {
    throw Object.assign(new Error("PostgresLedger needs the pg package (npm install pg)"), { name: "ConfigError", code: "MISSING_DEPENDENCY", cause: e });
  }
}

/** `{ connectionString }` or `{ pool }` -> a pool, and whether this object owns it. */
function poolOf(options, what) {
  // Checked in the wasm core (src/wasm/js_options.rs): the keys, either pool or connectionString.
  const o = postgresOptions(options, what);
  if (o.pool !== undefined) return { pool: o.pool, owned: false, now: o.now };
  const { Pool } = loadPg();
  const pool = new Pool({ connectionString: o.connectionString, max: 4 });
  // An idle connection that the server ends (a restart, pg_terminate_backend) must not crash the
  // process: the pool drops it and opens another on the next query.
  pool.on("error", () => {});
  return { pool, owned: true, now: o.now };
}

// A pooled connection the server ended (a restart, a failover, pg_terminate_backend) fails the
// next statement sent on it. Every statement here is one atomic statement, safe to send again
// (lease taking and saving are conditional on the owner, a seen-store claim on its claimant), so
// it is sent again on another connection of the pool, as often as the core's rule says
// (ledgerRetry: the SQLSTATE codes of an ended connection, and how many attempts).
/**
 * `send()` again while it fails with a connection that ended under it, as the core's rule says.
 * @template T
 * @param {() => Promise<T>} send
 * @returns {Promise<T>}
 */
async function sendRetrying(send) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (!ledgerRetry(e, attempt)) throw e;
    }
  }
}

/** @param {any} pool @param {string} text @param {unknown[]} [values] */
function query(pool, text, values) {
  return sendRetrying(() => pool.query(text, values));
}

/** The schema, in one transaction on one checked-out connection (dropped ones: tried again). */
function migrate(pool) {
  return sendRetrying(() => migrateOnce(pool));
}

async function migrateOnce(pool) {
  const c = await pool.connect();
  // A checked-out connection that the server ends emits "error"; with no listener that event
  // would end the process. The statement in flight fails with it and is tried again.
  let broken;
  const onError = (/** @type {unknown} */ e) => {
    broken = e;
  };
  c.on("error", onError);
  try {
    await c.query("BEGIN");
    await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await c.query(SCHEMA);
    await c.query("COMMIT");
  } catch (e) {
    if (!broken) await c.query("ROLLBACK").catch(() => {});
    // Ended between two statements, the connection's own error says so (the next statement only
    // fails with "not queryable"): that error is the one the retry rule reads.
    broken ??= ledgerRetry(e, 1) ? e : undefined;
    throw broken ?? e;
  } finally {
    c.off("error", onError);
    // A broken connection is destroyed, not put back in the pool.
    c.release(broken);
  }
}

const iso = (v) => (v == null ? null : v instanceof Date ? v.toISOString() : String(v));
const num = (v) => (v == null ? null : Number(v));

// Timestamps come back as Date, the lease as a bigint's string.
const fromDb = (r) => rowFromDb(r, { leaseUntil: num, createdAt: iso, updatedAt: iso, storedAt: iso, abandonedAt: iso });

class PostgresLedger {
  #pool;
  #owned;

  constructor(options) {
    ({ pool: this.#pool, owned: this.#owned } = poolOf(options, "PostgresLedger"));
  }

  /** Creates the tables (the ledger's and PostgresSeenStore's) if missing; safe to run concurrently. */
  async migrate() {
    await migrate(this.#pool);
  }

  /**
   * Takes the lease of `archiveId` (creating its row), atomically: the same rule as the core's
   * claimMayTake (not final; nobody holds it, it ran out, or `owner` holds it), in one statement.
   */
  async acquire(archiveId, lease) {
    const options = leaseOf("acquire", archiveId, lease);
    const { owner, nowMs, leaseUntil, conferenceId } = options;
    const at = new Date(nowMs);
    const r = await query(this.#pool, 
      `INSERT INTO ${TABLE} AS t (archive_id, conference_id, state, owner, lease_until, created_at, updated_at)
       VALUES ($1, $2, 'seen', $3, $4, $5, $5)
       ON CONFLICT (archive_id) DO UPDATE
         SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, updated_at = EXCLUDED.updated_at,
             conference_id = COALESCE(t.conference_id, EXCLUDED.conference_id)
         WHERE t.state <> ALL($6::text[])
           AND (t.owner IS NULL OR t.lease_until IS NULL OR t.lease_until <= $7 OR t.owner = $3)
       RETURNING *`,
      [archiveId, conferenceId ?? null, owner, leaseUntil ?? null, at, FINAL, nowMs],
    );
    return fromDb(r.rows[0]);
  }

  /** Writes a row, only while `owner` still holds an unexpired lease; resolves whether it did. */
  async save(row, lease) {
    const { owner, nowMs } = leaseOf("save", row, lease);
    const r = await query(this.#pool, 
      `UPDATE ${TABLE} SET conference_id = $2, sha256_check_sum = $3, state = $4, receipt = $5, error = $6,
         attempts = $7, mismatches = $8, failures = $9, remote_abandoned = $10, owner = $11, lease_until = $12,
         updated_at = $13, stored_at = $14, abandoned_at = $15
       WHERE archive_id = $1 AND owner = $16 AND lease_until > $17`,
      [
        row.archiveId, row.conferenceId ?? null, row.sha256CheckSum ?? null, row.state,
        row.receipt == null ? null : JSON.stringify(row.receipt), row.error ?? null, row.attempts ?? 0,
        row.mismatches ?? 0, row.failures ?? 0, Boolean(row.remoteAbandoned), row.owner ?? null, row.leaseUntil ?? null,
        new Date(nowMs), row.storedAt ?? null, row.abandonedAt ?? null, owner, nowMs,
      ],
    );
    return r.rowCount === 1;
  }

  async renew(archiveId, lease) {
    const { owner, nowMs, leaseUntil } = leaseOf("renew", archiveId, lease);
    const r = await query(this.#pool, 
      `UPDATE ${TABLE} SET lease_until = $1 WHERE archive_id = $2 AND owner = $3 AND lease_until > $4`,
      [leaseUntil, archiveId, owner, nowMs],
    );
    return r.rowCount === 1;
  }

  async release(archiveId, lease) {
    const { owner } = leaseOf("release", archiveId, lease);
    await query(this.#pool, `UPDATE ${TABLE} SET owner = NULL, lease_until = NULL WHERE archive_id = $1 AND owner = $2`, [archiveId, owner]);
  }

  async get(archiveId) {
    leaseOf("get", archiveId);
    const r = await query(this.#pool, `SELECT * FROM ${TABLE} WHERE archive_id = $1`, [archiveId]);
    return fromDb(r.rows[0]);
  }

  async list() {
    const r = await query(this.#pool, `SELECT * FROM ${TABLE} ORDER BY created_at, archive_id`);
    return r.rows.map(fromDb);
  }

  /** Ends the pool when this ledger made it (from a connectionString). */
  async close() {
    if (this.#owned) await this.#pool.end();
  }
}

/**
 * The webhook handler's dedupe store (SeenStore) in PostgreSQL: of N instances behind a load
 * balancer receiving the same delivery, one claim succeeds. Call migrate() once (it shares
 * PostgresLedger's migration).
 */
class PostgresSeenStore {
  #pool;
  #owned;
  #now;

  constructor(options) {
    let now;
    ({ pool: this.#pool, owned: this.#owned, now } = poolOf(options, "PostgresSeenStore"));
    this.#now = now ?? Date.now;
  }

  async migrate() {
    await migrate(this.#pool);
  }

  async claim(key, ttlMs) {
    seenStoreClaim(key, ttlMs);
    const now = this.#now();
    // Each claim has its own claimant token. Sent again after a dropped connection (query()), a
    // claim whose first send had committed before the reply was lost finds its own token on the
    // row and is still first; without the token it would read as a duplicate, and the event would
    // be acknowledged and never handled.
    const r = await query(this.#pool, 
      `INSERT INTO ${SEEN_TABLE} AS s (key, expires_at, claimant) VALUES ($1, $2, $4)
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, claimant = EXCLUDED.claimant
       WHERE s.expires_at <= $3 OR s.claimant = $4
       RETURNING key`,
      [key, Math.ceil(now + ttlMs), now, randomUUID()],
    );
    return r.rowCount === 1;
  }

  async release(key) {
    argText(key, "key");
    await query(this.#pool, `DELETE FROM ${SEEN_TABLE} WHERE key = $1`, [key]);
  }

  /** Deletes expired claims; resolves to how many. */
  async purge() {
    const r = await query(this.#pool, `DELETE FROM ${SEEN_TABLE} WHERE expires_at <= $1`, [this.#now()]);
    return r.rowCount;
  }

  async close() {
    if (this.#owned) await this.#pool.end();
  }
}

module.exports = { PostgresLedger, PostgresSeenStore };
