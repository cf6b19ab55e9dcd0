"use strict";
// `flexperto-sdk/archive` in Node: ArchiveChecksum (verifyStream over node:crypto) and
// ArchiveInspector on their own small wasm (crates/archive-wasm).
const sdk = require("./flexperto_sdk.js");
const archive = require("./archive.js").makeArchiveApi(require("./archive-node.js").platform);

exports.ArchiveChecksum = archive.ArchiveChecksum;
exports.ArchiveInspector = archive.ArchiveInspector;
exports.isDownloadable = sdk.isDownloadable;
exports.isTerminal = sdk.isTerminal;
exports.isFlexpertoError = sdk.isFlexpertoError;
