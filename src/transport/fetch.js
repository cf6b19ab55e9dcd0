// The fetch adapter of the wasm transport (src/transport/fetch.rs): one request per call, so the
// wasm boundary is crossed once each way. Timeouts share an AbortController among the requests
// that start within the same short window (at most BUCKET_MAX of them): creating a controller per
// request costs more than the rest of the SDK's work on a request. A request therefore times out
// between timeoutMs and timeoutMs + BUCKET_MS after it started.
const BUCKET_MS = 20;
const BUCKET_MAX = 8;
let bucket = null;

function open(timeoutMs, now) {
  const controller = new AbortController();
  const b = { controller, timeoutMs, openedAt: now, started: 0, inflight: 0, timer: null };
  b.timer = setTimeout(() => controller.abort(), timeoutMs + BUCKET_MS);
  // In Node, a pending timer keeps the process alive; this one must not outlive the requests.
  if (typeof b.timer === "object" && typeof b.timer.unref === "function") b.timer.unref();
  return b;
}

function release(b) {
  b.inflight -= 1;
  if (b.inflight === 0 && b !== bucket) clearTimeout(b.timer);
}

/**
 * Sends one request; resolves to [status, Uint8Array body, retryAfter, location]. The two headers
 * are read only when the status is not 2xx (each string crossing into wasm costs).
 */
export function fetchOnce(fetchImpl, url, method, headers, body, timeoutMs) {
  const now = Date.now();
  let b = bucket;
  if (b === null || b.timeoutMs !== timeoutMs || b.started >= BUCKET_MAX || now - b.openedAt >= BUCKET_MS) {
    if (b !== null && b.inflight === 0) clearTimeout(b.timer);
    b = bucket = open(timeoutMs, now);
  }
  b.started += 1;
  b.inflight += 1;
  const signal = b.controller.signal;
  const init = { method, headers, redirect: "manual", signal };
  if (body !== undefined) init.body = body;
  let pending;
  try {
    pending = fetchImpl === undefined ? fetch(url, init) : fetchImpl(url, init);
  } catch (e) {
    pending = Promise.reject(e);
  }
  return Promise.resolve(pending)
    .then((r) =>
      r.arrayBuffer().then((buf) => {
        const ok = r.status >= 200 && r.status < 300;
        return [
          r.status,
          new Uint8Array(buf),
          ok ? null : r.headers.get("retry-after"),
          ok ? null : r.headers.get("location"),
        ];
      }),
    )
    .then(
      (out) => {
        release(b);
        return out;
      },
      (e) => {
        release(b);
        throw signal.aborted ? "timeout" : e;
      },
    );
}
