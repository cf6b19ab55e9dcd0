// The webhook flow both adapters share: typed events, the dedupe store, the handler options, and
// the Fetch-API adapter createWebRequestHandler.
import type { WebhookEvent as VerifiedEvent, WebhookVerifier } from "./delivery.js";

/** The topics this SDK knows the payload of. */
export type KnownTopic = "archive.available";

/**
 * A delivery of the verifier's archive topic (`"archive.available"`, or the tenant's own from
 * `new WebhookVerifier({ archiveTopic })`): its archive fields are always there.
 */
export interface ArchiveAvailableEvent extends VerifiedEvent {
  /** The verifier's archive topic: "archive.available" unless the tenant's is another. */
  readonly topic: string;
  /** data.archive_id */
  readonly archiveId: string;
  /** data.archive_subject.conference_id */
  readonly conferenceId: string;
}

/**
 * A delivery of a topic this SDK does not know (your tenant may have more, see its
 * /api/v2/spec): handed to `onAny`, never dropped. Read it through `payload`.
 */
export interface OtherTopicEvent extends VerifiedEvent {
  readonly topic: string;
}

/**
 * A verified delivery. Handlers in `on` get their topic's type; in `onAny`, {@link isTopic}
 * narrows (`isTopic(event, "archive.available")` is true for the archive events under any
 * archive topic, as they carry `archiveId`).
 */
export type WebhookEvent = ArchiveAvailableEvent | OtherTopicEvent;

/** The event type of each known topic. */
export interface KnownTopicEvents {
  "archive.available": ArchiveAvailableEvent;
}

/** The event type of a topic. */
export type WebhookEventOf<T extends KnownTopic> = KnownTopicEvents[T];

/** Whether `event` is of `topic`, narrowing its type. */
export declare function isTopic<T extends KnownTopic>(event: WebhookEvent, topic: T): event is WebhookEventOf<T>;

/** Handlers by topic; each receives its topic's event type. */
export type WebhookTopicHandlers = {
  readonly [T in KnownTopic]?: (event: WebhookEventOf<T>) => void | Promise<void>;
};

/**
 * Remembers which events were taken on, for deduplication across duplicates and retries.
 * `claim` must be atomic: of concurrent claims of one key, exactly one resolves `true`.
 */
export interface SeenStore {
  /** `true` for the first claim of `key` within `ttlMs`; `false` while an earlier claim is live. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Forgets a claim (its event failed), so that a redelivery is processed again. */
  release(key: string): Promise<void>;
}

/** Options of {@link MemorySeenStore} (and the Node build's FileSeenStore). */
export interface SeenStoreOptions {
  /** At most this many claims are kept (the oldest live ones are dropped beyond it). Default 1,000,000. */
  maxEntries?: number;
  /** The clock, in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/**
 * In-process dedupe: a Map with expiry, swept as claims arrive, bounded by `maxEntries`. Bad
 * options and bad `claim`/`release` arguments are a `ValidationError` (`field` e.g.
 * `options.maxEntries`, `key`, `ttlMs`), as in every seen store of this package.
 */
export declare class MemorySeenStore implements SeenStore {
  constructor(options?: SeenStoreOptions);
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Claims held (live, or expired and not swept yet). */
  readonly size: number;
}

/** What the handler needs of a verifier (a {@link WebhookVerifier}). */
export type WebhookVerifierLike = Pick<WebhookVerifier, "verify" | "maxBodyBytes">;

/**
 * Options of both handlers. Give `on` (by topic), `onAny` (every event, after its topic's
 * handler), or both. An event whose topic has no handler and no `onAny` goes to `onError` as a
 * `WebhookError` code `UNHANDLED_TOPIC` and its claim is released: it is never dropped silently.
 * A throw or rejection of a handler goes to `onError` and releases the claim, so a redelivery
 * retries it.
 */
export interface WebhookHandlerOptions {
  verifier: WebhookVerifierLike;
  /** Handlers by topic, each with its topic's event type. */
  on?: WebhookTopicHandlers;
  /** Called for every event, known topic or not. */
  onAny?: (event: WebhookEvent) => void | Promise<void>;
  /** The older name of `onAny` (pass one of them). */
  onEvent?: (event: WebhookEvent) => void | Promise<void>;
  /**
   * Failures of the handlers (with their event), of the seen store, and unexpected errors of
   * the handler (without an event). Default: one `console.error` line, never the path or its secret.
   */
  onError?: (error: unknown, event: WebhookEvent | undefined) => void | Promise<void>;
  /** The topic your tenant sends archive notifications under; its events go to `on["archive.available"]` (default "archive.available"). */
  archiveTopic?: string;
  /** Default: a new {@link MemorySeenStore}. */
  seen?: SeenStore;
  /** How long a claim blocks redeliveries of the same event (default 7 days). */
  ttlMs?: number;
}

/** The body of the handlers' JSON answers. */
export type WebhookHandlerAnswer =
  | { accepted: true }
  | { duplicate: true }
  | { code: "IP_NOT_ALLOWED" | "METHOD_NOT_ALLOWED" | "BAD_CONTENT_TYPE" | "BODY_TOO_LARGE" | "MALFORMED_JSON" }
  | { code: "SCHEMA_VIOLATION"; path?: string }
  | { code: "SEEN_STORE_FAILED" | "INTERNAL" };

/** Options of {@link createWebRequestHandler}. */
export interface WebRequestHandlerOptions extends WebhookHandlerOptions {
  /**
   * The peer address for the verifier's `allowedIps`, from the request and the runtime's
   * context arguments. Default: Deno's `info.remoteAddr.hostname`, else "" (which an allowlist refuses).
   */
  remoteAddress?: (request: Request, ...context: any[]) => string | undefined;
  /**
   * Keeps the runtime alive until the work after the answer is done. Default: the `waitUntil`
   * of the first context argument that has one (Cloudflare's `ctx`, a service worker's
   * FetchEvent); without one the work simply continues after the response.
   */
  waitUntil?: (work: Promise<unknown>) => void;
}

/**
 * `(request, ...context) => Promise<Response>`: 202 `{ accepted: true }` for a new event, 200
 * `{ duplicate: true }` for one already claimed, 404 (empty) for a wrong secret, 405 with
 * `Allow: POST` for another method, 403, 415, 413, 400 `{ code, path? }`, 500 when the seen
 * store fails (the platform then retries).
 */
export interface WebRequestHandler {
  (request: Request, ...context: any[]): Promise<Response>;
  /** Handler calls still running after their answer. */
  readonly pending: number;
  /** Resolves once no handler call is running. */
  drain(): Promise<void>;
}

/**
 * Receives Flexperto webhook deliveries in a Fetch-API runtime (Next.js route handlers, Hono,
 * Deno, Bun, workers, service workers), with the same checks, dedupe and dispatch as the Node
 * handler: path secret, method, content type, size, verification, an answer at once, then the
 * handlers (through `waitUntil` where the runtime gives one).
 * Throws a `ValidationError` (`INVALID_ARGUMENT`, `field` the option's path, e.g. `options.ttlMs`)
 * for a bad or unknown option, before anything is set up.
 */
export declare function createWebRequestHandler(options: WebRequestHandlerOptions): WebRequestHandler;
