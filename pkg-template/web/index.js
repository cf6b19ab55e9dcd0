// Browser (and bundler) entry: loads the wasm next to this file, then exports the API: the wasm
// classes composed with their I/O (FlexpertoClient, WebhookVerifier, ArchiveChecksum),
// ArchiveInspector, and the rest of the wasm API as generated (scripts/entries.mjs lists it).
import init from "./flexperto_sdk.js";
import { makeArchiveApi } from "./archive.js";
import { inflateWithStreams } from "./inflate.js";

export * from "./flexperto_sdk.js";
export { WebhookVerifier, WebhookEvent } from "./delivery.js";
export { FlexpertoClient } from "./archive-client.js";
export { MemorySeenStore, isTopic } from "./webhook-flow.js";
export { createWebRequestHandler } from "./webhook-fetch.js";

await init({ module_or_path: new URL("./flexperto_sdk_bg.wasm", import.meta.url) });
export const { ArchiveChecksum, ArchiveInspector } = makeArchiveApi({ inflateRaw: inflateWithStreams });
