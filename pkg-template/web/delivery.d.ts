// WebhookVerifier as the package exports it: the wasm verifier composed with verify(delivery)
// (pkg-template/web/delivery.js), and the objects that JavaScript takes and makes. Its options
// are generated from the Rust type (WebhookVerifierOptions in flexperto_sdk.d.ts).
import { WebhookVerifier as WasmWebhookVerifier } from "./flexperto_sdk.js";

/** A verified delivery. Treat it as a hint: act on what you re-read through the API. */
export interface WebhookEvent {
  /** The topic, e.g. "archive.available". */
  readonly topic: string;
  /** The key to deduplicate on ("archive.available:<archiveId>" for archives). */
  readonly dedupeKey: string;
  /** Which configured secret matched: 0 is the current one. */
  readonly secretIndex: number;
  /** The notification's id, when sent. */
  readonly notificationId?: string;
  /** For the archive topic: data.archive_id. */
  readonly archiveId?: string;
  /** For the archive topic: data.archive_subject.conference_id. */
  readonly conferenceId?: string;
  /** For the archive topic: data.sha256CheckSum (lower case), when sent. A hint: compare with the record's. */
  readonly sha256CheckSum?: string;
  /** The client address the allowlist was checked against. */
  readonly sourceAddress?: string;
  /** The whole payload, unknown fields included (parsed from the raw body on first use). */
  readonly payload: Record<string, unknown>;
  /** The fields above without the payload, for logging or queueing. */
  toJSON(): WebhookEventJson;
}
/** One delivery as your HTTP layer received it. */
export interface WebhookDelivery {
  /** The request path (with its secret segment). */
  path: string;
  /** The connection's peer address (Node: `req.socket.remoteAddress`). */
  remoteAddress?: string;
  /** A `Headers` object or Node's `req.headers`. */
  headers?: Headers | Record<string, string | string[] | undefined>;
  /** The raw body: a Uint8Array or Buffer (a string also works, slower). */
  body: Uint8Array | string;
}
/** What {@link WebhookEvent.toJSON} answers. */
export interface WebhookEventJson {
  topic: string;
  dedupeKey: string;
  secretIndex: number;
  sourceAddress?: string;
  notificationId?: string;
  archiveId?: string;
  conferenceId?: string;
  sha256CheckSum?: string;
}

/**
 * Checks unsigned Flexperto webhook deliveries: the secret path segment (constant time, every
 * configured secret), the source address (CIDR allowlist; `X-Forwarded-For` only through
 * `trustedProxies` proxies), content type, body size, JSON, and the topic's schema.
 */
export declare class WebhookVerifier extends WasmWebhookVerifier {
  /**
   * Verifies one delivery. Throws a `WebhookError` with code `SECRET_MISMATCH`, `IP_NOT_ALLOWED`,
   * `BAD_CONTENT_TYPE`, `BODY_TOO_LARGE`, `MALFORMED_JSON` or `SCHEMA_VIOLATION` (with `path`),
   * checked in that order.
   */
  verify(delivery: WebhookDelivery): WebhookEvent;
}
