export * from "./flexperto_sdk.js";
export * from "./webhooks.js";
export * from "./archive.js";
export { WebhookVerifier } from "./delivery.js";
export { ArchiveChecksum } from "./archive.js";
export { FlexpertoClient } from "./archive-client.js";
export * from "./paginate.js";
export type { WebhookEvent } from "./webhooks.js";
export * from "./claim/index.js";
