"use strict";
// SqliteLedger: the ledger in one SQLite file (better-sqlite3, an optional peer dependency loaded
// on first use). For one process or several on one machine: WAL mode, and every lease is taken in
// an IMMEDIATE transaction, which SQLite runs one at a time.

const { claimMayTake, sqliteLedgerOptions } = require("../../flexperto_sdk.js");
const { pathError } = require("../../errors.js");
const { newRow, leaseOf, rowFromDb } = require("./common.js");

const TABLE = "flexperto_archive_claims";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  archive_id        TEXT PRIMARY KEY,
  conference_id     TEXT,
  sha256_check_sum  TEXT,
  state             TEXT NOT NULL,
  receipt           TEXT,
  error             TEXT,
  attempts          INTEGER NOT NULL DEFAULT 0,
  mismatches        INTEGER NOT NULL DEFAULT 0,
  failures          INTEGER NOT NULL DEFAULT 0,
  remote_abandoned  INTEGER NOT NULL DEFAULT 0,
  owner             TEXT,
  lease_until       INTEGER,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  stored_at         TEXT,
  abandoned_at      TEXT
);
CREATE INDEX IF NOT EXISTS ${TABLE}_state ON ${TABLE} (state);
`;

let driver;
/** better-sqlite3 and its native addon (which it loads in its first constructor call), once. */
function loadDriver() {
  if (driver !== undefined) return driver;
  try {
    const Database = require("better-sqlite3");
    new Database(":memory:").close();
    driver = Database;
    return driver;
  } catch (e) {
    throw Object.assign(new Error("SqliteLedger needs the better-sqlite3 package and its native addon (npm install better-sqlite3@12)"), { name: "ConfigError", code: "MISSING_DEPENDENCY", cause: e });
  }
}

// The receipt is kept as JSON text, remoteAbandoned as 0 or 1.
const fromDb = (r) => rowFromDb(r, { receipt: (v) => (v === null ? null : JSON.parse(v)), remoteAbandoned: (v) => v === 1 });

class SqliteLedger {
  #db;
  #q;
  #acquireTx;

  constructor(options) {
    const path = sqliteLedgerOptions(options); // checked in the wasm core (src/wasm/js_options.rs)
    const Database = loadDriver();
    try {
      // better-sqlite3 refuses a missing folder with a TypeError without a code: looked at
      // first, so that its failure carries the OS's (ENOENT, ENOTDIR, EACCES) for pathError.
      if (!path.startsWith("file:")) require("node:fs").accessSync(require("node:path").dirname(path));
      this.#db = new Database(path);
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = FULL");
      this.#db.pragma("busy_timeout = 10000");
      this.#db.exec(SCHEMA);
    } catch (e) {
      // A folder, a name too long, no permission, not a database: the path is refused; a busy
      // database, a disk error or a native addon that does not load is thrown as it is. The
      // wasm core decides (isPathFault).
      if (this.#db?.open) this.#db.close();
      throw pathError("options.path", "cannot be opened as the ledger's SQLite database", e);
    }
    const db = this.#db;
    const q = {
      get: db.prepare(`SELECT * FROM ${TABLE} WHERE archive_id = ?`),
      list: db.prepare(`SELECT * FROM ${TABLE} ORDER BY created_at, archive_id`),
      insert: db.prepare(
        `INSERT INTO ${TABLE} (archive_id, conference_id, state, owner, lease_until, created_at, updated_at)
         VALUES (@archiveId, @conferenceId, 'seen', @owner, @leaseUntil, @createdAt, @updatedAt)`,
      ),
      take: db.prepare(
        `UPDATE ${TABLE} SET owner = ?, lease_until = ?, updated_at = ?, conference_id = COALESCE(conference_id, ?) WHERE archive_id = ?`,
      ),
      save: db.prepare(
        `UPDATE ${TABLE} SET conference_id = @conferenceId, sha256_check_sum = @sha256CheckSum, state = @state,
           receipt = @receipt, error = @error, attempts = @attempts, mismatches = @mismatches, failures = @failures,
           remote_abandoned = @remoteAbandoned, owner = @owner, lease_until = @leaseUntil, updated_at = @updatedAt,
           stored_at = @storedAt, abandoned_at = @abandonedAt
         WHERE archive_id = @archiveId AND owner = @me AND lease_until > @nowMs`,
      ),
      renew: db.prepare(`UPDATE ${TABLE} SET lease_until = ? WHERE archive_id = ? AND owner = ? AND lease_until > ?`),
      release: db.prepare(`UPDATE ${TABLE} SET owner = NULL, lease_until = NULL WHERE archive_id = ? AND owner = ?`),
    };
    this.#q = q;
    this.#acquireTx = db.transaction((archiveId, { owner, nowMs, leaseUntil, conferenceId }) => {
      const row = fromDb(q.get.get(archiveId));
      const at = new Date(nowMs).toISOString();
      if (row === null) {
        const fresh = newRow(archiveId, conferenceId, owner, leaseUntil, nowMs);
        const { createdAt, updatedAt } = fresh;
        q.insert.run({ archiveId, conferenceId: conferenceId ?? null, owner, leaseUntil: leaseUntil ?? null, createdAt, updatedAt });
        return fresh;
      }
      const may = claimMayTake({ state: row.state, owner: row.owner ?? undefined, leaseUntil: row.leaseUntil ?? undefined, me: owner, nowMs });
      if (!may) return null;
      q.take.run(owner, leaseUntil, at, conferenceId ?? null, archiveId);
      return fromDb(q.get.get(archiveId));
    });
  }

  /** Creates the table if it is missing (the constructor does it too). */
  async migrate() {
    this.#db.exec(SCHEMA);
  }

  async acquire(archiveId, lease) {
    const options = leaseOf("acquire", archiveId, lease);
    return this.#acquireTx.immediate(archiveId, options);
  }

  async save(row, lease) {
    const { owner, nowMs } = leaseOf("save", row, lease);
    const r = this.#q.save.run({
      archiveId: row.archiveId,
      conferenceId: row.conferenceId ?? null,
      sha256CheckSum: row.sha256CheckSum ?? null,
      state: row.state,
      receipt: row.receipt == null ? null : JSON.stringify(row.receipt),
      error: row.error ?? null,
      attempts: row.attempts ?? 0,
      mismatches: row.mismatches ?? 0,
      failures: row.failures ?? 0,
      remoteAbandoned: row.remoteAbandoned ? 1 : 0,
      owner: row.owner ?? null,
      leaseUntil: row.leaseUntil ?? null,
      updatedAt: new Date(nowMs).toISOString(),
      storedAt: row.storedAt ?? null,
      abandonedAt: row.abandonedAt ?? null,
      me: owner,
      nowMs,
    });
    return r.changes === 1;
  }

  async renew(archiveId, lease) {
    const { owner, nowMs, leaseUntil } = leaseOf("renew", archiveId, lease);
    return this.#q.renew.run(leaseUntil, archiveId, owner, nowMs).changes === 1;
  }

  async release(archiveId, lease) {
    const { owner } = leaseOf("release", archiveId, lease);
    this.#q.release.run(archiveId, owner);
  }

  async get(archiveId) {
    leaseOf("get", archiveId);
    return fromDb(this.#q.get.get(archiveId));
  }

  async list() {
    return this.#q.list.all().map(fromDb);
  }

  async close() {
    if (this.#db.open) this.#db.close();
  }
}

module.exports = { SqliteLedger };
