// Node adapters for Flexperto webhooks (node:http and Express-style servers).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FlexpertoClient, WebhookEvent, WebhookSubscription, WebhookVerifier } from "./flexperto_sdk.js";

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

/** Options of {@link MemorySeenStore} and {@link FileSeenStore}. */
export interface SeenStoreOptions {
  /** At most this many claims are kept (the oldest live ones are dropped beyond it). Default 1,000,000. */
  maxEntries?: number;
  /** The clock, in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/** In-process dedupe: a Map with expiry, swept as claims arrive, bounded by `maxEntries`. */
export declare class MemorySeenStore implements SeenStore {
  constructor(options?: SeenStoreOptions);
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Claims held (live, or expired and not swept yet). */
  readonly size: number;
}

/** Options of {@link FileSeenStore.open}. */
export interface FileSeenStoreOptions extends SeenStoreOptions {
  /** Rewrite the log with the live claims once it has more lines than this and twice the live claims (default 10,000). */
  compactAfterLines?: number;
}

/**
 * Dedupe that survives a restart: an append-only JSON-lines log, replayed on open. A claim
 * resolves `true` only after its line is fsync'ed (concurrent claims share one fsync). Use one
 * process per file.
 */
export declare class FileSeenStore implements SeenStore {
  private constructor();
  /** Opens or creates the log at `path` and loads its live claims. */
  static open(path: string, options?: FileSeenStoreOptions): Promise<FileSeenStore>;
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Rewrites the log with the live claims only (temp file, fsync, rename). */
  compact(): Promise<void>;
  /** Waits for queued writes and closes the file; later claims throw. */
  close(): Promise<void>;
  /** Claims held (live, or expired and not swept yet). */
  readonly size: number;
  /** Lines of the log that did not parse when it was opened (e.g. a write torn by a crash). */
  readonly skippedLines: number;
  /** Why the last automatic compaction failed, if it did (the log stays valid). */
  readonly compactionError: unknown;
}

/** What the handler needs of a verifier (a {@link WebhookVerifier}). */
export type WebhookVerifierLike = Pick<WebhookVerifier, "verify" | "maxBodyBytes">;

/** A Node request, or an Express one (`originalUrl`; `body` as a Buffer from `express.raw()`). */
export type WebhookIncomingMessage = IncomingMessage & { originalUrl?: string; body?: unknown };

export interface WebhookHandlerOptions {
  verifier: WebhookVerifierLike;
  /**
   * Called once per event (first delivery of its `dedupeKey`), after the delivery was acknowledged.
   * A throw or rejection goes to `onError` and releases the claim, so a redelivery retries it.
   */
  onEvent: (event: WebhookEvent) => void | Promise<void>;
  /**
   * Failures of `onEvent` (with its event), of the seen store, and unexpected errors of the
   * handler (without an event). Default: one `console.error` line, never the path or its secret.
   */
  onError?: (error: unknown, event: WebhookEvent | undefined) => void | Promise<void>;
  /** Default: a new {@link MemorySeenStore}. */
  seen?: SeenStore;
  /** How long a claim blocks redeliveries of the same event (default 7 days). */
  ttlMs?: number;
  /**
   * The archive topic, when you want it stated here too: it must equal `verifier.archiveTopic`
   * (set with `new WebhookVerifier({ archiveTopic })`), or the handler is refused. Events of any
   * other topic reach `onEvent` as generic events (`payload` holds the whole notification).
   */
  archiveTopic?: string;
}

/** The body of the handler's JSON answers. */
export type WebhookHandlerAnswer =
  | { accepted: true }
  | { duplicate: true }
  | { code: "IP_NOT_ALLOWED" | "BAD_CONTENT_TYPE" | "BODY_TOO_LARGE" | "MALFORMED_JSON" }
  | { code: "SCHEMA_VIOLATION"; path?: string }
  | { code: "SEEN_STORE_FAILED" | "INTERNAL" };

/**
 * A `(req, res)` handler: 202 for a new event, 200 `{ duplicate: true }` for one already claimed,
 * 404 (empty body) for a wrong secret, 403, 415, 413, 400 `{ code, path? }` for the rest, 500 if
 * the seen store fails (the platform then retries).
 */
export interface WebhookRequestHandler {
  (req: WebhookIncomingMessage, res: ServerResponse): void;
  /** `onEvent` calls still running. */
  readonly pending: number;
  /** Resolves once no `onEvent` call is running (e.g. before a shutdown). */
  drain(): Promise<void>;
}

/**
 * Receives Flexperto webhook deliveries: reads the raw body under `verifier.maxBodyBytes`,
 * verifies it, deduplicates on `event.dedupeKey` through `seen`, acknowledges at once and runs
 * `onEvent` after the answer was sent.
 */
export declare function createWebhookHandler(options: WebhookHandlerOptions): WebhookRequestHandler;

/** What a subscription to rotate must carry. */
export type RotatableSubscription = Pick<WebhookSubscription, "id" | "topic" | "url">;

export interface RotateWebhookSecretOptions {
  /** The verifier of the subscription's deliveries; its secrets are updated in place. */
  verifier: Pick<WebhookVerifier, "setSecrets" | "secretCount">;
  /** The callback URL for a secret; the secret must be one of its path segments. */
  urlFor: (secret: string) => string;
  /**
   * The verifier's secrets now, current first. Required the first time a verifier is rotated;
   * later rotations of the same verifier remember them (pass them again if you changed the
   * verifier's secrets yourself).
   */
  currentSecrets?: readonly string[];
  /** How long both subscriptions stay registered (default 10 minutes). */
  graceMs?: number;
  /** After deleting the old subscription, how long its secret is still accepted for retries in flight (default 15 s). */
  drainMs?: number;
  /** Passed to `createWebhookSubscription` (http://127.0.0.1 callbacks, for the simulator). */
  allowHttpLoopback?: boolean;
  /** Aborts the waits: `done` rejects and the old subscription and secret stay. */
  signal?: AbortSignal;
}

export interface WebhookSecretRotation {
  /** The new secret (store it with your configuration). */
  secret: string;
  /** The new subscription. */
  subscription: WebhookSubscription;
  /** Resolves once the old subscription is deleted and its secret no longer accepted. */
  done: Promise<void>;
}

/**
 * Rotates a subscription's secret: a fresh secret accepted by `verifier` at once, a new
 * subscription (same topic, `urlFor(secret)`), both registered for `graceMs`; then the old
 * subscription is deleted and, `drainMs` later, its secret dropped.
 */
export declare function rotateWebhookSecret(
  client: Pick<FlexpertoClient, "createWebhookSubscription" | "deleteWebhookSubscription">,
  subscription: RotatableSubscription,
  options: RotateWebhookSecretOptions,
): Promise<WebhookSecretRotation>;
