// The archive claim worker (Node): ArchiveClaimer, the file sink, the ledgers.
import type { ArchiveRecord, ClaimPolicy, ClaimState, FlexpertoClient } from "../flexperto_sdk.js";
import type { SeenStore } from "../webhooks.js";

/** What a sink is told about the archive it is about to store. */
export interface ArchiveSinkRecord {
  archiveId: string;
  conferenceId: string;
  /** The record's SHA-256 (lowercase hex): the bytes are checked against it before commit. */
  sha256CheckSum: string;
  /** The file's size, when the record gave it. */
  sizeBytes?: number;
}

/**
 * One archive file being written. `write` is called with each chunk in order (await it: that is
 * the back-pressure); then exactly one of `commit` or `abort`.
 */
export interface ArchiveSinkWriter {
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Makes the file durable under its final name and resolves to a receipt (any JSON value; the
   * ledger keeps it). Resolve ONLY once the file survives a crash: the archive is abandoned
   * after this. Reject with `code: "SINK_CONFLICT"` when a different file already has the name
   * (the archive is quarantined); an identical file already there is a success.
   */
  commit(): Promise<unknown>;
  /** Throws the partial file away (a mismatch, a broken download, a lost lease). */
  abort(): Promise<void>;
}

/**
 * Where archives are stored. `open` is called once per download attempt; an object-storage sink
 * starts a multipart upload in `open`, uploads parts in `write`, completes it in `commit` (with
 * a conditional "create only" so it never replaces another object), and aborts the upload in
 * `abort`.
 */
export interface ArchiveSink {
  open(record: ArchiveSinkRecord): Promise<ArchiveSinkWriter>;
}

/** Options of {@link FileArchiveSink}. */
export interface FileArchiveSinkOptions {
  /** The folder (created if missing). */
  dir: string;
}

/** The receipt of {@link FileArchiveSink}. */
export interface FileArchiveReceipt {
  path: string;
  bytes: number;
  /** An identical file was there already (e.g. stored by a worker that died before recording it). */
  alreadyPresent: boolean;
}

/**
 * Stores each archive as `{dir}/{conferenceId}--{archiveId}.zip`: written to a temporary file,
 * fsync'ed, linked to its final name (which never replaces an existing file), then the folder is
 * fsync'ed.
 */
export declare class FileArchiveSink implements ArchiveSink {
  constructor(options: FileArchiveSinkOptions);
  readonly dir: string;
  /** The final path of an archive's file. */
  pathOf(record: { conferenceId: string; archiveId: string }): string;
  open(record: ArchiveSinkRecord): Promise<ArchiveSinkWriter>;
}

/** One archive in the ledger: the record a compliance team keeps. */
export interface LedgerRow {
  archiveId: string;
  conferenceId: string | null;
  /** The record's checksum, once read through the API. */
  sha256CheckSum: string | null;
  state: ClaimState;
  /** The sink's receipt, once stored. */
  receipt: unknown;
  /** Why the archive failed, was quarantined, or was last released. */
  error: string | null;
  /** Downloads started. */
  attempts: number;
  /** Downloads whose SHA-256 did not match. */
  mismatches: number;
  /** Failed attempts of the current step in a row. */
  failures: number;
  /** The platform showed the archive ABANDONED (or EXPIRED) at the last read. */
  remoteAbandoned: boolean;
  /** The worker holding the lease, if any. */
  owner: string | null;
  /** Until when the lease holds (Unix ms). */
  leaseUntil: number | null;
  createdAt: string;
  updatedAt: string;
  storedAt: string | null;
  abandonedAt: string | null;
}

/** Arguments of {@link ArchiveLedger.acquire}. */
export interface AcquireOptions {
  owner: string;
  nowMs: number;
  leaseUntil: number;
  conferenceId?: string;
}

/**
 * Where claims are recorded. `acquire` must be atomic: of concurrent acquires of one archive by
 * different owners, at most one resolves to a row while the lease runs. `save` and `renew` write
 * only while `owner` holds an unexpired lease, and resolve whether they did.
 */
export interface ArchiveLedger {
  migrate(): Promise<void>;
  acquire(archiveId: string, options: AcquireOptions): Promise<LedgerRow | null>;
  save(row: LedgerRow, options: { owner: string; nowMs: number }): Promise<boolean>;
  renew(archiveId: string, options: { owner: string; nowMs: number; leaseUntil: number }): Promise<boolean>;
  release(archiveId: string, options: { owner: string }): Promise<void>;
  /** The archive's row, or null. */
  get(archiveId: string): Promise<LedgerRow | null>;
  /** Every row, oldest first. */
  list(): Promise<LedgerRow[]>;
  close(): Promise<void>;
}

/** The ledger in memory, for tests. */
export declare class MemoryLedger implements ArchiveLedger {
  constructor();
  migrate(): Promise<void>;
  acquire(archiveId: string, options: AcquireOptions): Promise<LedgerRow | null>;
  save(row: LedgerRow, options: { owner: string; nowMs: number }): Promise<boolean>;
  renew(archiveId: string, options: { owner: string; nowMs: number; leaseUntil: number }): Promise<boolean>;
  release(archiveId: string, options: { owner: string }): Promise<void>;
  get(archiveId: string): Promise<LedgerRow | null>;
  list(): Promise<LedgerRow[]>;
  close(): Promise<void>;
}

/** The ledger in a SQLite file (needs better-sqlite3 12): one process or one machine. */
export declare class SqliteLedger extends MemoryLedger {
  constructor(options: { path: string });
}

/** `{ connectionString }` or a pg `Pool` of your own (`{ pool }`). */
export type PostgresOptions = { connectionString: string } | { pool: unknown };

/** The ledger in PostgreSQL (needs pg): many workers on many machines. Call `migrate()` once. */
export declare class PostgresLedger extends MemoryLedger {
  constructor(options: PostgresOptions);
}

/** The webhook handler's dedupe store in PostgreSQL, for many instances behind a load balancer. */
export declare class PostgresSeenStore implements SeenStore {
  constructor(options: PostgresOptions & { now?: () => number });
  migrate(): Promise<void>;
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
  /** Deletes expired claims; resolves to how many. */
  purge(): Promise<number>;
  close(): Promise<void>;
}

/** How one claim ended (for now). */
export type ClaimOutcome = "stored" | "quarantined" | "failed" | "skipped";

/** What {@link ArchiveClaimer.claim} resolves to. */
export interface ClaimResult {
  archiveId: string | null;
  outcome: ClaimOutcome;
  state: ClaimState | null;
  error?: string;
}

/** Counts of a sweep. */
export interface SweepCounts {
  /** Stored and abandoned. */
  stored: number;
  quarantined: number;
  failed: number;
  /** Not ready, held by another worker, or released after failures: a later sweep tries again. */
  skipped: number;
}

/** What onProgress receives: one archive's step or bytes, and the claimer's running counts. */
export interface ClaimProgress {
  archiveId: string | null;
  state: ClaimState | null;
  outcome: ClaimOutcome | "active" | "error";
  /** Bytes downloaded so far (during a download). */
  bytes?: number;
  totalBytes?: number;
  error?: string;
  counts: { active: number; stored: number; quarantined: number; failed: number; skipped: number };
}

/** Options of {@link ArchiveClaimer}. */
export interface ArchiveClaimerOptions {
  client: FlexpertoClient;
  sink: ArchiveSink;
  ledger: ArchiveLedger;
  /** Archives claimed at once by sweep (default 4). */
  concurrency?: number;
  onProgress?: (progress: ClaimProgress) => void;
  /** Bounds and timings (defaults: 3 mismatches, 5 failures, 60 s leases). */
  policy?: ClaimPolicy;
  /** The lease holder's name (default: host:pid:random). */
  owner?: string;
}

/**
 * Claims archives without losing one: download, check the SHA-256 against the record, store in
 * the sink, record in the ledger, and only then abandon. Every decision is the core's
 * (`claimStep`); the ledger holds each status before its step runs. The constructor, the
 * sinks, the ledgers and their methods answer a bad or unknown option with a `ValidationError`
 * (`field` e.g. `options.concurrency`, `archiveId`).
 */
export declare class ArchiveClaimer {
  constructor(options: ArchiveClaimerOptions);
  readonly owner: string;
  readonly counts: ClaimProgress["counts"];
  /** Claims one archive as far as it can go now. */
  claim(archiveId: string): Promise<ClaimResult>;
  /**
   * Claims the archive a webhook event names; the payload is a hint, the record is read again.
   * An archive event is one that carries `archiveId` (a verified event of its verifier's archive
   * topic, `"archive.available"` or the tenant's own `archiveTopic`), or a payload whose topic is
   * absent or `"archive.available"` with its `data`; any other event resolves as `skipped`.
   */
  handleEvent(event: { topic?: string; archiveId?: string; conferenceId?: string; data?: unknown }): Promise<ClaimResult>;
  /** Claims every downloadable archive not yet stored, and finishes unfinished claims. */
  sweep(options?: { signal?: AbortSignal }): Promise<SweepCounts>;
  /** Sweeps every `intervalMs` (default 60000) until `signal` aborts. */
  run(options?: { intervalMs?: number; signal?: AbortSignal }): Promise<void>;
}

export type { ArchiveRecord };
