"use strict";
// What the ledgers share: the row's fields, and their checks of the arguments.

const { ledgerArgs } = require("../../flexperto_sdk.js");

/** The columns of a ledger row, in JavaScript spelling. */
const FIELDS = [
  "archiveId", "conferenceId", "sha256CheckSum", "state", "receipt", "error", "attempts", "mismatches", "failures",
  "remoteAbandoned", "owner", "leaseUntil", "createdAt", "updatedAt", "storedAt", "abandonedAt",
];

/** The database column of each field (sha256CheckSum: sha256_check_sum), in FIELDS' order. */
const COLUMNS = FIELDS.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/**
 * A ledger row from a database row (null for none): each field from its column as stored, or
 * through `convert[field]` where the database keeps it in another form.
 */
function rowFromDb(r, convert) {
  if (r === undefined) return null;
  const row = {};
  FIELDS.forEach((field, i) => {
    const v = r[COLUMNS[i]];
    row[field] = convert[field] ? convert[field](v) : v;
  });
  return row;
}

/** The final states: nothing more happens to such an archive. */
const FINAL = ["abandoned", "failed", "quarantined"];

function newRow(archiveId, conferenceId, owner, leaseUntil, nowMs) {
  const at = new Date(nowMs).toISOString();
  return {
    archiveId, conferenceId: conferenceId ?? null, sha256CheckSum: null, state: "seen", receipt: null, error: null,
    attempts: 0, mismatches: 0, failures: 0, remoteAbandoned: false, owner, leaseUntil,
    createdAt: at, updatedAt: at, storedAt: null, abandonedAt: null,
  };
}

/**
 * The checked lease object of the ledger call `method` (`acquire`, `save`, `renew`, `release`,
 * `get`): `first` is the archive id (the row for save). Checked in the wasm core
 * (src/wasm/js_options.rs ledgerArgs); throws a ValidationError.
 */
const leaseOf = (method, first, lease) => ledgerArgs(method, first, lease);

module.exports = { FIELDS, FINAL, newRow, leaseOf, rowFromDb };
