"use strict";
// Node entry (CommonJS): the wasm classes composed with their I/O (FlexpertoClient with the
// archive downloads, WebhookVerifier with verify(delivery), ArchiveChecksum with verifyStream over
// node:crypto), ArchiveInspector, the Node adapters, and the rest of the wasm API as generated.
// scripts/entries.mjs appends one `exports.NAME =` line per generated name (so that ESM named
// imports of this module work).
const sdk = require("./flexperto_sdk.js");

// The Node-only modules that the client's constructor does not need (DNS, the webhook adapters,
// the claim worker) load on first use: requiring them all took about 10 ms of a 27 ms cold
// start (bench/README.md). Each `exports.X` below stays a plain `exports.X =` or
// `Object.defineProperty(exports, "X", { get: function () { return m.X; } })` line, the forms
// Node's cjs-module-lexer reads, so `import { X } from "flexperto-sdk"` still names them all.
/** A stand-in for the module `load()` returns, loading it on the first property read. */
function onFirstUse(load) {
  let loaded;
  return new Proxy({}, { get: (_, name) => (loaded ??= load())[name] });
}
// DNS for the callback URL checks (node/resolve-url.js); the decision stays in the core.
const resolveUrl = onFirstUse(() => require("./resolve-url.js"));
sdk.setCallbackResolver((hostname, lookup) => resolveUrl.resolveAll(hostname, lookup));
const webhooks = onFirstUse(() => require("./webhooks.js"));
const client = require("./archive-client.js");
exports.FlexpertoClient = client.FlexpertoClient;
// The webhook verifier and the archive classes (with node:crypto, node:zlib and node:fs from
// node/archive-node.js) also load on first use: the constructor needs none of them, and each
// module the entry loads costs its parse (scripts/bundle.mjs keeps them files of their own).
const delivery = onFirstUse(() => require("./delivery.js"));
Object.defineProperty(exports, "WebhookVerifier", { enumerable: true, get: function () { return delivery.WebhookVerifier; } });
Object.defineProperty(exports, "WebhookEvent", { enumerable: true, get: function () { return delivery.WebhookEvent; } });
const archive = onFirstUse(() => require("./archive.js").makeArchiveApi(onFirstUse(() => require("./archive-node.js").platform)));
Object.defineProperty(exports, "ArchiveChecksum", { enumerable: true, get: function () { return archive.ArchiveChecksum; } });
Object.defineProperty(exports, "ArchiveInspector", { enumerable: true, get: function () { return archive.ArchiveInspector; } });
// The claim worker, its sinks and ledgers (node/claim/; better-sqlite3 and pg load on first use).
const claim = onFirstUse(() => require("./claim/index.js"));
Object.defineProperty(exports, "ArchiveClaimer", { enumerable: true, get: function () { return claim.ArchiveClaimer; } });
Object.defineProperty(exports, "FileArchiveSink", { enumerable: true, get: function () { return claim.FileArchiveSink; } });
Object.defineProperty(exports, "MemoryLedger", { enumerable: true, get: function () { return claim.MemoryLedger; } });
Object.defineProperty(exports, "SqliteLedger", { enumerable: true, get: function () { return claim.SqliteLedger; } });
Object.defineProperty(exports, "PostgresLedger", { enumerable: true, get: function () { return claim.PostgresLedger; } });
Object.defineProperty(exports, "PostgresSeenStore", { enumerable: true, get: function () { return claim.PostgresSeenStore; } });
