// WebhookVerifier as the package exports it: the wasm verifier composed with verify(delivery)
// (pkg-template/web/delivery.js). Its options, WebhookDelivery and WebhookEvent are declared
// with the wasm API.
import { WebhookVerifier as WasmWebhookVerifier } from "./flexperto_sdk.js";

/**
 * Checks unsigned Flexperto webhook deliveries: the secret path segment (constant time, every
 * configured secret), the source address (CIDR allowlist; `X-Forwarded-For` only through
 * `trustedProxies` proxies), content type, body size, JSON, and the topic's schema.
 */
export declare class WebhookVerifier extends WasmWebhookVerifier {}
