// The list iterators of FlexpertoClient: users(), webhookSubscriptions(), apiTokens() and
// archives(), on one paginator. When to stop (short page, total reached, a server that ignores
// offset or limit) and the bounds of pageSize and toArray's limit are the wasm core's
// (src/pagination.rs); this file only fetches pages and hands out their items.
import { Paginator, iterationArgument, toArrayLimit } from "./flexperto_sdk.js";

function idOf(item) {
  const id = item?.id;
  return id === undefined || id === null ? undefined : String(id);
}

/**
 * Iterates the items of the pages `fetchPage(limit, offset)` resolves to (`{ items, total? }`).
 * The result is an async iterator with `toArray({ limit })`.
 */
export function paginate(fetchPage, pageSize, paginated) {
  const paginator = new Paginator(pageSize, paginated); // throws now on a bad pageSize
  async function* items() {
    try {
      for (let offset = paginator.nextOffset(); offset !== undefined; offset = paginator.nextOffset()) {
        const page = await fetchPage(paginator.pageSize, offset);
        const list = Array.isArray(page?.items) ? page.items : [];
        const total = typeof page?.total === "number" ? page.total : undefined;
        const n = paginator.page(list.length, idOf(list[0]), total);
        for (let i = 0; i < n; i++) yield list[i];
      }
    } finally {
      paginator.free();
    }
  }
  const it = /** @type {any} */ (items());
  /** At most `limit` items (required, 1 to 10000), as an array. */
  it.toArray = async (options) => {
    const limit = toArrayLimit(options);
    const out = [];
    for await (const item of it) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  };
  return it;
}

/** Per-call options (signal, timeoutMs, headers) go on to each page's request when given. */
const withOptions = (args, requestOptions) => (requestOptions === undefined ? args : [...args, requestOptions]);

/**
 * `client.users(query, requestOptions)`: every user, listUsers page after page.
 * @param {any} client @param {unknown} query @param {unknown} [requestOptions]
 */
export function users(client, query, requestOptions) {
  const [filter, pageSize] = iterationArgument("users", query);
  return paginate((limit, offset) => client.listUsers(...withOptions([{ ...filter, limit, offset }], requestOptions)), pageSize, true);
}

/**
 * `client.archives(options, requestOptions)`: every archive record, listArchives page after page.
 * @param {any} client @param {unknown} options @param {unknown} [requestOptions]
 */
export function archives(client, options, requestOptions) {
  const [filter, pageSize] = iterationArgument("archives", options);
  return paginate((limit, offset) => client.listArchives(...withOptions([{ ...filter, limit, offset }], requestOptions)), pageSize, true);
}

/**
 * `client.webhookSubscriptions(requestOptions)`: the API returns the list whole, one page.
 * @param {any} client @param {unknown} [requestOptions]
 */
export function webhookSubscriptions(client, requestOptions) {
  return paginate(() => client.listWebhookSubscriptions(...withOptions([], requestOptions)), undefined, false);
}

/**
 * `client.apiTokens(requestOptions)`: the API returns the list whole, one page.
 * @param {any} client @param {unknown} [requestOptions]
 */
export function apiTokens(client, requestOptions) {
  return paginate(() => client.listApiTokens(...withOptions([], requestOptions)), undefined, false);
}
