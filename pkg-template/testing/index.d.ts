// flexperto-sdk/testing: helpers for a plugin's own tests (Node).
import type { ArchiveRecord, ArchiveStatus, ContractOperation, FlexpertoClientOptions, OperationId } from "../node/index.js";

export type { ContractOperation };
import { FlexpertoClient } from "../node/index.js";

/** Every archive status, in life-cycle order. */
export declare const ARCHIVE_STATUSES: readonly ["PROCESSING", "ARTIFACT_GATHERING_COMPLETE", "PACKING", "AVAILABLE", "FAILED", "ABANDONED", "EXPIRED"];

/** The body of an `archive.available` notification. */
export interface ArchiveNotification {
  id: string;
  topic: string;
  createdAt: string;
  data: {
    archive_id: string;
    archive_subject: { conference_id: string; [field: string]: unknown };
    sha256CheckSum?: string;
    status?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** A valid `archive.available` notification; each field can be given. */
export declare function archiveNotification(options?: {
  id?: string;
  archiveId?: string;
  conferenceId?: string;
  sha256CheckSum?: string;
  topic?: string;
  createdAt?: string;
  /** Merged into `data` (extra or replaced fields). */
  data?: Record<string, unknown>;
}): ArchiveNotification;

/** A valid archive record in `status` (default AVAILABLE), with the fields of that status; `fields` are merged over it. */
export declare function archiveRecord(status?: (typeof ARCHIVE_STATUSES)[number], fields?: Partial<ArchiveRecord> & Record<string, unknown>): ArchiveRecord;

/** The platform's delivery policy. */
export interface DeliveryPolicy {
  /** 4 */
  attempts: number;
  /** 3000 */
  attemptTimeoutMs: number;
  /** The wait before each attempt: 0, 100, 200, 400. */
  backoffMs: number[];
}
export declare function deliveryPolicy(): DeliveryPolicy;

export interface DeliveryAttempt {
  attempt: number;
  /** The answer's status, when there was one. */
  status?: number;
  /** "timeout", or the network error's message. */
  error?: string;
  ms: number;
}

export interface DeliveryResult {
  /** An attempt was acknowledged (199 < status < 399 within the timeout). */
  delivered: boolean;
  attempts: DeliveryAttempt[];
  /** The duplicate copies' results. */
  copies: Array<{ delivered: boolean; attempts: DeliveryAttempt[] }>;
}

export interface DeliverOptions {
  /** Extra copies sent at the same time, as an at-least-once platform may (default 0). */
  duplicates?: number;
  /** The request URL when `target` is a handler (default https://plugin.example/webhooks). Put your secret segment in it. */
  url?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Per attempt (default: the platform's 3000). */
  attemptTimeoutMs?: number;
}

/**
 * Delivers a notification as the platform does: a JSON POST, acknowledged by 199 < status < 399
 * within 3 s, else up to 4 attempts 100/200/400 ms apart. `target`: a URL, or a Fetch handler
 * (e.g. from createWebRequestHandler).
 */
export declare function deliver(
  notification: object | string,
  target: string | URL | ((request: Request) => Promise<Response>),
  options?: DeliverOptions,
): Promise<DeliveryResult>;

/** A running simulator. */
export declare class Simulator implements AsyncDisposable {
  /** Made by `start` (or `startSimulator`); a subclass's constructor receives the same two values. */
  protected constructor(url: string, child: import("node:child_process").ChildProcess);
  /**
   * Starts the simulator, as `startSimulator` does; called on a subclass, it makes an instance of
   * the subclass (e.g. one with helpers of your own tests).
   */
  static start(options?: { bin?: string; args?: string[] }): Promise<Simulator>;
  /** Its base URL (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** Calls its `/_sim/` control API. */
  control(method: string, path: string, body?: unknown): Promise<any>;
  /** A fresh API key of `role`. */
  apiKey(role?: "admin" | "expert" | "customer"): Promise<string>;
  /** A client of this simulator with a fresh admin key. */
  client(options?: Partial<Pick<FlexpertoClientOptions, "timeoutMs" | "maxRetries">> & Record<string, unknown>): Promise<FlexpertoClient>;
  /** Ends a conference, which creates its archive (then notified). */
  endConference(options?: Record<string, unknown>): Promise<{ conferenceId: string; archiveId: string; record: ArchiveRecord }>;
  /** Injects an API fault (see the simulator's README). */
  fault(spec: Record<string, unknown>): Promise<unknown>;
  /** Moves its clock on. */
  advanceClock(seconds: number): Promise<unknown>;
  /** The requests the API saw. */
  requests(): Promise<Array<Record<string, unknown>>>;
  reset(): Promise<unknown>;
  /** Ends the process (SIGTERM) and waits for it. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the simulator (`--port 0` plus `args`) and resolves once it listens. The binary:
 * `bin`, else FLEXPERTO_SIM_BIN, else the `flexperto-sim` package (npm i -D flexperto-sim).
 */
export declare function startSimulator(options?: { bin?: string; args?: string[] }): Promise<Simulator>;

/** A method call the fake recorded. */
export interface FakeCall {
  method: string;
  args: unknown[];
}

/** An API request the fake tenant answered (object storage's are not listed). */
export interface FakeRequest {
  /** The contract's operation it matched (absent for a path the contract does not have: 404 or 405). */
  operationId?: OperationId;
  method: string;
  url: string;
  status: number;
}

/** Every operation of the contract this package ships, in contract order, with the answer the contract gives it. */
export declare function contractOperations(): ContractOperation[];

/**
 * The fake's options: `stateful` (default true), and FlexpertoClient's own (not `fetch` or
 * `apiKey`). A `stateful` that is not a boolean, or a `fetch`, throws a ConfigError (`INVALID_OPTION`).
 */
export type FakeFlexpertoClientOptions = {
  /** false: every operation is answered from the contract (contractOperations()), nothing is kept. */
  stateful?: boolean;
  /** Default `https://fake.test.flexperto.com`. */
  baseUrl?: string;
} & Partial<Omit<FlexpertoClientOptions, "fetch" | "apiKey" | "baseUrl">>;

/**
 * The real FlexpertoClient (its parsers, typed errors and checks) over an in-memory tenant, for
 * unit tests. The tenant answers every operation of the contract: from its state where it keeps
 * one (users, meetings, archives and their files, webhook subscriptions, API keys, settings, the
 * spec), as the simulator answers them (lists page 20 items by default), else with the
 * contract's answer. Every method call is recorded in `calls`, every request
 * in `requests`. Callback names are not resolved unless a `lookup` is given (no DNS in memory).
 */
export declare class FakeFlexpertoClient extends FlexpertoClient {
  constructor(options?: FakeFlexpertoClientOptions);
  /** Every method call, in order. */
  readonly calls: FakeCall[];
  /** Every API request the fake tenant answered, in order. */
  readonly requests: FakeRequest[];
  /** Seeds a user (wire format); returns it. */
  addUser(user: { email: string; id?: string; role?: "expert" | "customer" | "admin"; [field: string]: unknown }): import("../node/index.js").User;
  /** Seeds an archive record (see archiveRecord); a `content` field is what downloadArchive streams. */
  addArchive(record: ArchiveRecord & { content?: Uint8Array }): ArchiveRecord;
}
export type { ArchiveStatus };
