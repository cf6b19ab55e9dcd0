"use strict";
// MemoryLedger: the ledger in a Map, for tests and for trying things out. Lost with the process.

const { claimMayTake } = require("../../flexperto_sdk.js");
const { FIELDS, newRow, leaseOf } = require("./common.js");

const copy = (row) => (row === undefined ? null : structuredClone(row));

class MemoryLedger {
  #rows = new Map();

  async migrate() {}

  async acquire(archiveId, lease) {
    const options = leaseOf("acquire", archiveId, lease);
    const { owner, nowMs, leaseUntil, conferenceId } = options;
    const row = this.#rows.get(archiveId);
    if (row === undefined) {
      const fresh = newRow(archiveId, conferenceId, owner, leaseUntil, nowMs);
      this.#rows.set(archiveId, fresh);
      return copy(fresh);
    }
    const may = claimMayTake({ state: row.state, owner: row.owner ?? undefined, leaseUntil: row.leaseUntil ?? undefined, me: owner, nowMs });
    if (!may) return null;
    Object.assign(row, { owner, leaseUntil, updatedAt: new Date(nowMs).toISOString() });
    row.conferenceId ??= conferenceId ?? null;
    return copy(row);
  }

  async save(next, lease) {
    const { owner, nowMs } = leaseOf("save", next, lease);
    const row = this.#rows.get(next.archiveId);
    if (row === undefined || row.owner !== owner || !(row.leaseUntil > nowMs)) return false;
    // The receipt is kept as its JSON, as the SQLite and PostgreSQL ledgers keep it.
    for (const f of FIELDS) {
      if (f === "createdAt" || f === "archiveId" || next[f] === undefined) continue;
      row[f] = f === "receipt" && next[f] !== null ? JSON.parse(JSON.stringify(next[f])) : structuredClone(next[f]);
    }
    row.updatedAt = new Date(nowMs).toISOString();
    return true;
  }

  async renew(archiveId, lease) {
    const { owner, nowMs, leaseUntil } = leaseOf("renew", archiveId, lease);
    const row = this.#rows.get(archiveId);
    if (row === undefined || row.owner !== owner || !(row.leaseUntil > nowMs)) return false;
    row.leaseUntil = leaseUntil;
    return true;
  }

  async release(archiveId, lease) {
    const { owner } = leaseOf("release", archiveId, lease);
    const row = this.#rows.get(archiveId);
    if (row !== undefined && row.owner === owner) Object.assign(row, { owner: null, leaseUntil: null });
  }

  async get(archiveId) {
    leaseOf("get", archiveId);
    return copy(this.#rows.get(archiveId));
  }

  async list() {
    return [...this.#rows.values()].map(copy);
  }

  async close() {}
}

module.exports = { MemoryLedger };
