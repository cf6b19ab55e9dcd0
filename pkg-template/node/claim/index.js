"use strict";
// The archive claim worker of the Node build: ArchiveClaimer, the file sink and the ledgers.
// The SQLite and PostgreSQL drivers are optional peer dependencies, required only when their
// ledger is constructed.

const { ArchiveClaimer } = require("./claimer.js");
const { FileArchiveSink } = require("./file-sink.js");
const { MemoryLedger } = require("./ledgers/memory.js");
const { SqliteLedger } = require("./ledgers/sqlite.js");
const { PostgresLedger, PostgresSeenStore } = require("./ledgers/postgres.js");

module.exports = { ArchiveClaimer, FileArchiveSink, MemoryLedger, SqliteLedger, PostgresLedger, PostgresSeenStore };
