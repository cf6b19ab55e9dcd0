"use strict";
// Node entry (CommonJS): the wasm classes composed with their I/O (FlexpertoClient with the
// archive downloads, WebhookVerifier with verify(delivery), ArchiveChecksum with verifyStream over
// node:crypto), ArchiveInspector, the Node adapters, and the rest of the wasm API as generated.
// scripts/entries.mjs appends one `exports.NAME =` line per generated name (so that ESM named
// imports of this module work).
const sdk = require("./flexperto_sdk.js");
// DNS for the callback URL checks (node/resolve-url.js); the decision stays in the core.
sdk.setCallbackResolver(require("./resolve-url.js").resolveAll);
const webhooks = require("./webhooks.js");
const delivery = require("./delivery.js");
const client = require("./archive-client.js");
const archive = require("./archive.js").makeArchiveApi(require("./archive-node.js").platform);

exports.FlexpertoClient = client.FlexpertoClient;
exports.WebhookVerifier = delivery.WebhookVerifier;
exports.WebhookEvent = delivery.WebhookEvent;
exports.ArchiveChecksum = archive.ArchiveChecksum;
exports.ArchiveInspector = archive.ArchiveInspector;
// The claim worker, its sinks and ledgers (node/claim/; better-sqlite3 and pg load on first use).
const claim = require("./claim/index.js");
exports.ArchiveClaimer = claim.ArchiveClaimer;
exports.FileArchiveSink = claim.FileArchiveSink;
exports.MemoryLedger = claim.MemoryLedger;
exports.SqliteLedger = claim.SqliteLedger;
exports.PostgresLedger = claim.PostgresLedger;
exports.PostgresSeenStore = claim.PostgresSeenStore;
