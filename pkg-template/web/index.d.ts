export * from "./flexperto_sdk.js";
export * from "./archive.js";
export * from "./webhook-flow.js";
export * from "./paginate.js";
export type { WebhookEvent } from "./webhook-flow.js";
