// Node adapters for Flexperto webhooks (node:http and Express-style servers).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FlexpertoClient, WebhookSubscription } from "./flexperto_sdk.js";
import type { WebhookVerifier } from "./delivery.js";
import type { SeenStore, SeenStoreOptions, WebhookHandlerOptions } from "./webhook-flow.js";
export * from "./webhook-flow.js";

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

/** A Node request, or an Express one (`originalUrl`; `body` as a Buffer from `express.raw()`). */
export type WebhookIncomingMessage = IncomingMessage & { originalUrl?: string; body?: unknown };

/**
 * A `(req, res)` handler: 202 for a new event, 200 `{ duplicate: true }` for one already claimed,
 * 404 (empty body) for a wrong secret, 405 with `Allow: POST` for another method, 403, 415, 413,
 * 400 `{ code, path? }` for the rest, 500 if the seen store fails (the platform then retries).
 */
export interface WebhookRequestHandler {
  (req: WebhookIncomingMessage, res: ServerResponse): void;
  /** Handler calls still running after their answer. */
  readonly pending: number;
  /** Resolves once no handler call is running (e.g. before a shutdown). */
  drain(): Promise<void>;
}

/**
 * Receives Flexperto webhook deliveries: checks the path secret, the method and the content
 * type, reads the raw body under `verifier.maxBodyBytes`, verifies it, deduplicates on
 * `event.dedupeKey` through `seen`, acknowledges at once and runs the handlers (`on` by topic,
 * then `onAny`) after the answer was sent. The same flow as createWebRequestHandler.
 * Throws a `ValidationError` (`INVALID_ARGUMENT`, `field` the option's path, e.g. `options.ttlMs`)
 * for a bad or unknown option, before anything is set up.
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
  /** Passed to createWebhookSubscription: resolve the new URL's name and check every address (default in Node: true). */
  resolve?: boolean;
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
 * subscription is deleted and, `drainMs` later, its secret dropped. Rejects with a
 * `ValidationError` (`field` e.g. `options.urlFor`, `subscription.url`) for bad arguments, before
 * anything changes.
 */
export declare function rotateWebhookSecret(
  client: Pick<FlexpertoClient, "createWebhookSubscription" | "deleteWebhookSubscription">,
  subscription: RotatableSubscription,
  options: RotateWebhookSecretOptions,
): Promise<WebhookSecretRotation>;
