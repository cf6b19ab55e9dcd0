// The list iterators of FlexpertoClient: users(), webhookSubscriptions(), apiTokens() and
// archives(), on one paginator. When to stop (short page, total reached, a server that ignores
// offset or limit) and the bounds of pageSize and toArray's limit are the wasm core's
// (src/pagination.rs); this file only fetches pages and hands out their items.
import { Paginator, toArrayLimit } from "./flexperto_sdk.js";
import { argumentError } from "./errors.js";

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
    if (options === null || typeof options !== "object") throw argumentError("options", "toArray takes { limit }");
    const limit = toArrayLimit(options.limit);
    const out = [];
    for await (const item of it) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  };
  return it;
}

function objectArg(v, name) {
  if (v === undefined) return {};
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw argumentError(name, "must be an object");
  return v;
}

function onlyKeys(o, keys, name) {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw argumentError(`${name}.${k}`, "unknown option");
}

/** Per-call options (signal, timeoutMs, headers) go on to each page's request when given. */
const withOptions = (args, requestOptions) => (requestOptions === undefined ? args : [...args, requestOptions]);

/**
 * `client.users(query, requestOptions)`: every user, listUsers page after page.
 * @param {any} client @param {unknown} query @param {unknown} [requestOptions]
 */
export function users(client, query, requestOptions) {
  const q = objectArg(query, "query");
  onlyKeys(q, ["role", "email", "pageSize"], "query");
  const { pageSize, ...filter } = q;
  return paginate((limit, offset) => client.listUsers(...withOptions([{ ...filter, limit, offset }], requestOptions)), pageSize, true);
}

/**
 * `client.archives(options, requestOptions)`: every archive record, listArchives page after page.
 * @param {any} client @param {unknown} options @param {unknown} [requestOptions]
 */
export function archives(client, options, requestOptions) {
  const o = objectArg(options, "options");
  onlyKeys(o, ["status", "pageSize"], "options");
  const { pageSize, ...filter } = o;
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
