// The list iterators of FlexpertoClient (paginate.js).
import type { ArchiveStatus, UserRole } from "./flexperto_sdk.js";

/**
 * Every item of a list, page after page. It stops at a short page, at the server's `total`, and
 * at a server that ignores `offset` (a page that starts again with the first item) or `limit`.
 */
export interface PageIterator<T> extends AsyncIterableIterator<T> {
  /**
   * The first `limit` items as an array. `limit` is required and at most 10,000 (as stripe-node's
   * `autoPagingToArray`): a `ValidationError` (field `limit`) otherwise. Iterate with
   * `for await` to go further.
   */
  toArray(options: { limit: number }): Promise<T[]>;
}

/** Filters and page size of `users()`. */
export interface UsersIteratorOptions {
  role?: UserRole;
  email?: string;
  /** Page size, 1 to 100 (default 100). */
  pageSize?: number;
}

/** Filters and page size of `archives()`. */
export interface ArchivePagesOptions {
  /** Only archives in this status. */
  status?: ArchiveStatus;
  /** Page size, 1 to 100 (default 100). */
  pageSize?: number;
}
