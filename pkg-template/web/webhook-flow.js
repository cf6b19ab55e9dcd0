// The webhook flow that both adapters share (node:http in node/webhooks.js, the Fetch API in
// webhook-fetch.js): the order of the checks, the dedupe claim, the answer, and running the work
// after it, dispatched by topic. An adapter only reads its request into the `io` object below and
// writes the reply back. Which request is refused and with which status is decided in the wasm
// core (src/webhook/flow.rs); the in-process dedupe store lives here so that both adapters share it.
import { seenStoreClaim, seenStoreOptions, argText, isArchiveEvent, webhookAnswer, webhookBeforeBody, webhookHandlerOptions } from "./flexperto_sdk.js";
import { sdkError } from "./errors.js";

const EMPTY = new Uint8Array(0);

/** What io.readBody rejects with: the body passed the cap (the rest was not read). */
export class BodyTooLarge extends Error {}
/** What io.readBody rejects with: the sender went away before the body was complete. */
export class RequestAborted extends Error {}

// The core's answer to each outcome, asked once per code.
const answers = new Map();
function answerOf(code) {
  let a = answers.get(code);
  if (a === undefined) {
    a = webhookAnswer(code);
    answers.set(code, a);
  }
  return a;
}

/**
 * The reply to write: `status`, `headers` (an object), `body` (a string or undefined), and
 * `close` when the request's body was not read (the connection should not be kept).
 */
function reply(code, path, close = false) {
  const a = answerOf(code);
  const headers = { "cache-control": "no-store" };
  let body;
  if (a.ack !== undefined) body = a.ack;
  else if (a.code !== undefined) body = JSON.stringify(path === undefined ? { code: a.code } : { code: a.code, path });
  if (body !== undefined) headers["content-type"] = "application/json";
  if (a.allow !== undefined) headers.allow = a.allow;
  return { status: a.status, headers, body, close };
}

/**
 * Whether `event` is of `topic` (a type guard in webhook-flow.d.ts). An archive event, under any
 * tenant's archive topic, is of "archive.available": the wasm core decides (isArchiveEvent).
 */
export function isTopic(event, topic) {
  if (topic === "archive.available") return isArchiveEvent(event);
  try {
    return event !== null && typeof event === "object" && event.topic === topic;
  } catch {
    return false; // a getter or Proxy trap threw: not an event of any topic
  }
}

function isWebhookError(e) {
  return e instanceof Error && e.name === "WebhookError" && typeof /** @type {any} */ (e).code === "string";
}

/** The dedupe key of an event, or undefined. */
function keyOf(event) {
  try {
    return event?.dedupeKey;
  } catch {
    return undefined;
  }
}

function logError(err, key) {
  // Never the request path (it holds the secret), never the request or the payload.
  const where = key ? ` for ${key}` : "";
  const name = err instanceof Error ? err.name : typeof err;
  const message = err instanceof Error ? err.message : String(err);
  console.error(`[flexperto-sdk] webhook handler error${where}: ${name}: ${message}`);
}

/**
 * The flow of one handler; `name` is the adapter's function, for error messages. Returns
 * `{ handle(io), internalError(err), pending, drain() }`: `handle` resolves to a reply plus, for
 * an accepted event, `start(answered)`, which runs the work once `answered` resolves.
 *
 * io: { method, path, remoteAddress, headers, declaredLength?, preRead?, readBody(max) }.
 */
export function createWebhookFlow(options, name) {
  // Every option is checked in the wasm core (src/wasm/js_options.rs): unknown ones refused,
  // functions checked, the archive topic compared with the verifier's, ttlMs in range.
  const o = webhookHandlerOptions(options, name);
  const { verifier, ttlMs, everyEvent } = o;
  const topicHandlers = new Map(o.on);
  const onError = o.onError ?? ((err, event) => logError(err, keyOf(event)));
  const seen = o.seen ?? new MemorySeenStore();

  const running = new Set();
  let idleWaiters = [];

  const report = (err, event, key = keyOf(event)) => {
    try {
      const r = onError(err, event);
      if (r && typeof r.then === "function") r.then(undefined, (e2) => logError(e2, key));
    } catch (e2) {
      // onError itself failed: still never silent.
      logError(e2, key);
      logError(err, key);
    }
  };

  /** The topic's handler (on["archive.available"] is keyed by the archive topic), then onAny. */
  const dispatch = async (event) => {
    const handler = topicHandlers.get(event.topic);
    if (handler === undefined && everyEvent === undefined) {
      // Never dropped in silence: reported, and the claim released for a later handler.
      throw sdkError("WebhookError", "UNHANDLED_TOPIC", `no handler for the topic ${JSON.stringify(event.topic)}: add it to on, or pass onAny`);
    }
    if (handler !== undefined) await handler(event);
    if (everyEvent !== undefined) await everyEvent(event);
  };

  const start = (event, key, answered) => {
    const task = (async () => {
      await answered;
      try {
        await dispatch(event);
      } catch (err) {
        try {
          await seen.release(key);
        } catch (releaseErr) {
          report(releaseErr, event, key);
        }
        report(err, event, key);
      }
    })();
    running.add(task);
    task.finally(() => {
      running.delete(task);
      if (running.size > 0) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    });
    return task;
  };

  const handle = async (io) => {
    const { path, remoteAddress, headers } = io;
    // The checks that need no body first, so that a caller without the secret (or from the
    // wrong address, or with the wrong method) never gets a byte of its body read. With an
    // empty body the verifier stops at MALFORMED_JSON once its header checks passed.
    let finding;
    try {
      verifier.verify({ path, remoteAddress, headers, body: EMPTY });
    } catch (e) {
      if (!isWebhookError(e)) throw e;
      finding = e.code;
    }
    const max = verifier.maxBodyBytes;
    const refused = webhookBeforeBody(io.method, finding, io.preRead === undefined ? io.declaredLength : undefined, max);
    if (refused !== undefined) return reply(refused, undefined, io.preRead === undefined);
    let body = io.preRead;
    if (body === undefined) {
      try {
        body = await io.readBody(max);
      } catch (e) {
        if (e instanceof BodyTooLarge) return reply("BODY_TOO_LARGE", undefined, true);
        if (e instanceof RequestAborted) return undefined; // nobody to answer
        throw e;
      }
    }

    let event;
    try {
      event = verifier.verify({ path, remoteAddress, headers, body });
    } catch (e) {
      if (isWebhookError(e) && answerOf(e.code) !== undefined) return reply(e.code, e.path);
      throw e;
    }

    const key = event.dedupeKey;
    let first;
    try {
      first = await seen.claim(key, ttlMs);
    } catch (err) {
      // Not acknowledged: the platform retries.
      report(err, event, key);
      return reply("SEEN_STORE_FAILED");
    }
    if (!first) return reply("DUPLICATE");
    return { ...reply("ACCEPTED"), start: (answered) => start(event, key, answered) };
  };

  return {
    /** The checked options (webhookHandlerOptions). */
    options: o,
    handle,
    /** The reply to an unexpected failure of the handler, which is reported. */
    internalError(err) {
      report(err, undefined);
      return reply("INTERNAL");
    },
    get pending() {
      return running.size;
    },
    drain() {
      return running.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The in-process seen store

/**
 * The claims of one process: key -> expiry (ms since the epoch). Map order is claim order, so
 * the oldest claims are swept first.
 */
export class ClaimMap {
  constructor(maxEntries, now) {
    this.map = new Map();
    this.maxEntries = maxEntries;
    this.now = now;
  }

  /** Atomic in one process: check and set happen synchronously. */
  tryClaim(key, ttlMs) {
    const now = this.now();
    const exp = this.map.get(key);
    if (exp !== undefined && exp > now) return 0;
    this.map.delete(key); // re-insert at the end: claim order
    const until = now + ttlMs;
    this.map.set(key, until);
    this.sweep(now);
    return until;
  }

  sweep(now) {
    // Incremental: a few of the oldest, stopping at the first live one.
    let n = 0;
    for (const [k, exp] of this.map) {
      if (exp > now || ++n > 16) break;
      this.map.delete(k);
    }
    if (this.map.size > this.maxEntries) {
      for (const [k, exp] of this.map) if (exp <= now) this.map.delete(k);
      // Still over: drop the oldest claims, down to 90% so this stays amortized O(1).
      const target = Math.max(1, Math.floor(this.maxEntries * 0.9));
      for (const k of this.map.keys()) {
        if (this.map.size <= target) break;
        this.map.delete(k);
      }
    }
  }
}

/** In-process dedupe: fine for one process whose restarts may reprocess a few events. */
export class MemorySeenStore {
  #claims;

  constructor(options) {
    const o = seenStoreOptions(options, "MemorySeenStore");
    this.#claims = new ClaimMap(o.maxEntries, o.now ?? Date.now);
  }

  async claim(key, ttlMs) {
    seenStoreClaim(key, ttlMs);
    return this.#claims.tryClaim(key, ttlMs) !== 0;
  }

  async release(key) {
    argText(key, "key");
    this.#claims.map.delete(key);
  }

  /** Live and not yet swept claims. */
  get size() {
    return this.#claims.map.size;
  }
}
