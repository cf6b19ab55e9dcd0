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
  const it = items();
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

export function installPaginationApi(FlexpertoClient) {
  const define = (name, value) =>
    Object.defineProperty(FlexpertoClient.prototype, name, { configurable: true, writable: true, value });

  define("users", function users(query, requestOptions) {
    const q = objectArg(query, "query");
    onlyKeys(q, ["role", "email", "pageSize"], "query");
    const { pageSize, ...filter } = q;
    return paginate((limit, offset) => this.listUsers(...withOptions([{ ...filter, limit, offset }], requestOptions)), pageSize, true);
  });

  define("archives", function archives(options, requestOptions) {
    const o = objectArg(options, "options");
    onlyKeys(o, ["status", "pageSize"], "options");
    const { pageSize, ...filter } = o;
    return paginate((limit, offset) => this.listArchives(...withOptions([{ ...filter, limit, offset }], requestOptions)), pageSize, true);
  });

  // The API returns these lists whole: one page.
  define("webhookSubscriptions", function webhookSubscriptions(requestOptions) {
    return paginate(() => this.listWebhookSubscriptions(...withOptions([], requestOptions)), undefined, false);
  });

  define("apiTokens", function apiTokens(requestOptions) {
    return paginate(() => this.listApiTokens(...withOptions([], requestOptions)), undefined, false);
  });
}
