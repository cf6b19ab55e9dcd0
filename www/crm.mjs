// The demo CRM's own database: a SQLite file (better-sqlite3), seeded with customers on first
// start. It keeps what a CRM keeps of Flexperto: each expert's `flexperto_account_id`, and the
// video calls started for a customer. Flexperto's own rules stay in the SDK; this is storage.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

import Database from "better-sqlite3";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS customers (
  id         TEXT PRIMARY KEY,
  first_name TEXT NOT NULL,
  last_name  TEXT NOT NULL,
  email      TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS experts (
  email                 TEXT PRIMARY KEY,
  first_name            TEXT,
  last_name             TEXT,
  flexperto_account_id  TEXT NOT NULL,
  backend               TEXT NOT NULL,
  provisioned_at        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS video_calls (
  meeting_id          TEXT PRIMARY KEY,
  customer_id         TEXT NOT NULL REFERENCES customers(id),
  expert_account_id   TEXT NOT NULL,
  valid_until         TEXT NOT NULL,
  created_at          TEXT NOT NULL
);
`;

/** The customers a fresh CRM starts with. */
const SEED = [
  ["cus_1001", "Kim", "Berger", "kim.berger@example.invalid"],
  ["cus_1002", "Luca", "Rossi", "luca.rossi@example.invalid"],
  ["cus_1003", "Ana", "Silva", "ana.silva@example.invalid"],
  ["cus_1004", "Jonas", "Weber", "jonas.weber@example.invalid"],
];

/**
 * Opens (or creates and seeds) the CRM database at `path`. `backend` names the Flexperto backend
 * ("simulator" or the tenant's base URL): account ids are only meaningful on their backend.
 */
export function openCrm(path, backend) {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.exec(SCHEMA);
  let seeded = 0;
  db.transaction(() => {
    if (db.prepare("SELECT count(*) AS n FROM customers").get().n > 0) return;
    const insert = db.prepare("INSERT INTO customers (id, first_name, last_name, email) VALUES (?, ?, ?, ?)");
    for (const row of SEED) seeded += insert.run(...row).changes;
  })();
  const q = {
    customers: db.prepare(`
      SELECT c.id, c.first_name AS firstName, c.last_name AS lastName, c.email,
             count(v.meeting_id) AS calls, max(v.created_at) AS lastCallAt
        FROM customers c LEFT JOIN video_calls v ON v.customer_id = c.id
       GROUP BY c.id ORDER BY c.last_name, c.first_name`),
    customer: db.prepare("SELECT id, first_name AS firstName, last_name AS lastName, email FROM customers WHERE id = ?"),
    experts: db.prepare(`
      SELECT email, first_name AS firstName, last_name AS lastName,
             flexperto_account_id AS flexpertoAccountId, provisioned_at AS provisionedAt
        FROM experts WHERE backend = ? ORDER BY provisioned_at DESC`),
    expert: db.prepare(`
      SELECT email, first_name AS firstName, last_name AS lastName,
             flexperto_account_id AS flexpertoAccountId, provisioned_at AS provisionedAt
        FROM experts WHERE email = ? AND backend = ?`),
    saveExpert: db.prepare(`
      INSERT INTO experts (email, first_name, last_name, flexperto_account_id, backend, provisioned_at)
      VALUES (@email, @firstName, @lastName, @accountId, @backend, @at)
      ON CONFLICT (email) DO UPDATE SET
        first_name = coalesce(excluded.first_name, experts.first_name),
        last_name = coalesce(excluded.last_name, experts.last_name),
        flexperto_account_id = excluded.flexperto_account_id,
        backend = excluded.backend,
        provisioned_at = excluded.provisioned_at`),
    forgetBackend: db.prepare("DELETE FROM experts WHERE backend = ?"),
    forgetCalls: db.prepare("DELETE FROM video_calls"),
    saveCall: db.prepare(`
      INSERT INTO video_calls (meeting_id, customer_id, expert_account_id, valid_until, created_at)
      VALUES (?, ?, ?, ?, ?)`),
  };

  return {
    path,
    /** Customers seeded by this open (0 when the database already had customers). */
    seeded,
    customers: () => q.customers.all(),
    customer: (id) => q.customer.get(id),
    experts: () => q.experts.all(backend),
    expert: (email) => q.expert.get(email, backend),
    /** Stores the expert's Flexperto account id (the CRM's `flexperto_account_id`); returns the row as stored. */
    saveExpert({ email, firstName, lastName, accountId }) {
      q.saveExpert.run({
        email, firstName: firstName ?? null, lastName: lastName ?? null, accountId, backend, at: new Date().toISOString(),
      });
      return q.expert.get(email, backend);
    },
    /** A fresh simulator knows none of the stored accounts and meetings: forget them. */
    forgetBackend() {
      db.transaction(() => {
        q.forgetBackend.run(backend);
        q.forgetCalls.run();
      })();
    },
    saveCall({ meetingId, customerId, expertAccountId, validUntil }) {
      q.saveCall.run(meetingId, customerId, expertAccountId, new Date(validUntil).toISOString(), new Date().toISOString());
    },
    close: () => db.close(),
  };
}
