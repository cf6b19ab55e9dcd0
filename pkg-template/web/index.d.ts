export * from "./flexperto_sdk.js";
export * from "./archive.js";
export * from "./webhook-flow.js";
export * from "./paginate.js";
export type { WebhookEvent } from "./webhook-flow.js";
export { WebhookVerifier } from "./delivery.js";
export type { WebhookDelivery, WebhookEventJson } from "./delivery.js";
export { ArchiveChecksum } from "./archive.js";
export { FlexpertoClient } from "./archive-client.js";
