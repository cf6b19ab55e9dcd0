// FlexpertoClient as the package exports it: the wasm client composed with the methods written in
// JS (pkg-template/web/archive-client.js): downloadArchive() streams a file from object storage,
// and the list iterators of paginate.js page through the wasm list methods.
import { FlexpertoClient as WasmFlexpertoClient } from "./flexperto_sdk.js";
import type { ApiToken, ArchiveRecord, User, WebhookSubscription } from "./flexperto_sdk.js";
import type { ArchivePagesOptions, PageIterator, UsersIteratorOptions } from "./paginate.js";

/** Options of downloadArchive. */
export interface DownloadArchiveOptions {
  /** Called as bytes arrive: bytes so far and the total when known. */
  onProgress?: (progress: { bytes: number; totalBytes?: number; resumes: number }) => void;
  /** How many times a broken download resumes (with Range) before it fails (default 5). */
  maxResumes?: number;
  /** Cancels the download. */
  signal?: AbortSignal;
}

/** The per-call options each page's request gets (as every client method's last argument). */
export type PageRequestOptions = { signal?: AbortSignal; timeoutMs?: number; headers?: Record<string, string> };

/** The Flexperto API client. */
export declare class FlexpertoClient extends WasmFlexpertoClient {
  /**
   * Downloads an archive file: resolves the signed storage URL (archiveDownloadUrl), fetches it
   * WITHOUT the api-key header, and resumes with `Range` after a broken connection. Node (and
   * other servers) only: a browser cannot read the redirect.
   */
  downloadArchive(archiveId: string, options?: DownloadArchiveOptions): Promise<ReadableStream<Uint8Array>>;
  /** Every user (listUsers, page after page). The last argument goes to each page's request. */
  users(query?: UsersIteratorOptions, requestOptions?: PageRequestOptions): PageIterator<User>;
  /**
   * Every archive record, page after page (listArchives with limit/offset until a short page).
   * Records can move between pages while you iterate (e.g. when you abandon them): iterate a
   * status you do not change, or collect first.
   */
  archives(options?: ArchivePagesOptions, requestOptions?: PageRequestOptions): PageIterator<ArchiveRecord>;
  /** Every webhook subscription (the API returns them in one list). */
  webhookSubscriptions(requestOptions?: PageRequestOptions): PageIterator<WebhookSubscription>;
  /** Every API token (the API returns them in one list). */
  apiTokens(requestOptions?: PageRequestOptions): PageIterator<ApiToken>;
}
