"use strict";
// Node adapters for Flexperto webhooks, on top of the wasm `WebhookVerifier`:
//   createWebhookHandler  - a (req, res) handler for node:http and Express-style servers
//   MemorySeenStore       - an in-process dedupe store (Map with expiry, bounded)
//   FileSeenStore         - a dedupe store that survives a restart (fsync'ed JSON-lines log)
//   rotateWebhookSecret   - a new subscription with a fresh secret, both accepted for a grace period
// No runtime dependency beyond Node >= 20 and the wasm module of this package.

// Loaded on first use: most users of the package never open a FileSeenStore, and loading
// these modules at require time would add to every cold start.
let fspModule;
let pathModule;
const fsp = () => (fspModule ??= require("node:fs/promises"));
const nodePath = () => (pathModule ??= require("node:path"));
const { generateWebhookSecret } = require("./flexperto_sdk.js");
const { sleep } = require("./internal.js");

const DEFAULT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const EMPTY = Buffer.alloc(0);

/** The answer to each WebhookError code of a refused delivery. */
const STATUS_BY_CODE = {
  SECRET_MISMATCH: 404,
  IP_NOT_ALLOWED: 403,
  BAD_CONTENT_TYPE: 415,
  BODY_TOO_LARGE: 413,
  MALFORMED_JSON: 400,
  SCHEMA_VIOLATION: 400,
};
/** The codes the verifier decides from the request line and headers alone, before the body. */
const HEADER_CODES = new Set(["SECRET_MISMATCH", "IP_NOT_ALLOWED", "BAD_CONTENT_TYPE"]);

function isWebhookError(e) {
  return e instanceof Error && e.name === "WebhookError" && typeof e.code === "string";
}

function checkTtl(ttlMs, what) {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new TypeError(`${what} must be a positive number of milliseconds`);
  }
}

function checkKey(key) {
  if (typeof key !== "string" || key.length === 0) {
    throw new TypeError("a seen-store key must be a non-empty string");
  }
}

// ---------------------------------------------------------------------------------------------
// The handler

/** Writes a complete answer unless one was sent already. `body` undefined: no body at all. */
function send(res, status, body, close) {
  if (res.headersSent || res.writableEnded) return;
  const buf = body === undefined ? EMPTY : Buffer.from(JSON.stringify(body));
  res.statusCode = status;
  res.setHeader("cache-control", "no-store");
  if (body !== undefined) res.setHeader("content-type", "application/json");
  res.setHeader("content-length", buf.length);
  // After refusing a body we did not read, do not keep the connection: whatever the client
  // still sends must not be read (or buffered) on our side.
  if (close) res.setHeader("connection", "close");
  res.end(buf);
}

/** Calls `fn` once, when the answer was handed to the OS ('finish') or the connection closed. */
function afterResponse(res, fn) {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    res.removeListener("finish", once);
    res.removeListener("close", once);
    fn();
  };
  if (res.writableFinished || res.destroyed) {
    setImmediate(once);
    return;
  }
  res.once("finish", once);
  res.once("close", once);
}

class BodyTooLarge extends Error {}
class RequestAborted extends Error {}

/**
 * Reads the raw body of `req`, at most `max` bytes: rejects with BodyTooLarge as soon as the cap
 * is passed (the rest is never buffered).
 */
function readBody(req, max) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let settled = false;
    const cleanup = () => {
      req.removeListener("data", onData);
      req.removeListener("end", onEnd);
      req.removeListener("error", onFail);
      req.removeListener("close", onClose);
    };
    const settle = (err, value) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (err) {
        req.pause();
        reject(err);
      } else {
        resolve(value);
      }
    };
    const onData = (chunk) => {
      const c = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += c.length;
      if (size > max) {
        settle(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => settle(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onFail = (e) =>
      settle(e && e.code === "ECONNRESET" ? new RequestAborted("the request was aborted") : e);
    const onClose = () => settle(new RequestAborted("the request was aborted before its body was complete"));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onFail);
    req.once("close", onClose);
  });
}

/** The raw body a framework already read (Express `express.raw()`), or undefined to read `req`. */
function preReadBody(req) {
  const b = req.body;
  if (b instanceof Uint8Array) return b;
  if (typeof b === "string") return Buffer.from(b, "utf8");
  // body-parser sets `req.body = {}` without reading when the content type is not its own; a
  // parser that did read sets `req._body`. Only an untouched stream can still be read.
  if (req._body || req.readableEnded) {
    throw new TypeError(
      "the request body was already parsed: mount the webhook route with a raw body parser " +
        '(express.raw({ type: "*/*" })) or before any JSON parser',
    );
  }
  return undefined;
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

function defaultOnError(err, event) {
  logError(err, keyOf(event));
}

/**
 * A request handler for Flexperto webhook deliveries; see webhooks.d.ts.
 */
function createWebhookHandler(options) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("createWebhookHandler: options must be an object");
  }
  const { verifier, onEvent } = options;
  if (!verifier || typeof verifier.verify !== "function") {
    throw new TypeError("createWebhookHandler: verifier must be a WebhookVerifier");
  }
  if (typeof onEvent !== "function") {
    throw new TypeError("createWebhookHandler: onEvent must be a function");
  }
  // The archive topic is the verifier's (new WebhookVerifier({ archiveTopic })); given here too,
  // it must be the same, so that a handler set up for a tenant's topic never runs a verifier
  // that would take its archive events for generic ones.
  if (options.archiveTopic !== undefined && options.archiveTopic !== verifier.archiveTopic) {
    throw new TypeError(
      `createWebhookHandler: archiveTopic ${JSON.stringify(options.archiveTopic)} differs from the verifier's ` +
        `${JSON.stringify(verifier.archiveTopic)}: build the verifier with new WebhookVerifier({ archiveTopic })`,
    );
  }
  const onError = options.onError ?? defaultOnError;
  if (typeof onError !== "function") {
    throw new TypeError("createWebhookHandler: onError must be a function");
  }
  const seen = options.seen ?? new MemorySeenStore();
  if (typeof seen.claim !== "function" || typeof seen.release !== "function") {
    throw new TypeError("createWebhookHandler: seen must have claim(key, ttlMs) and release(key)");
  }
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  checkTtl(ttlMs, "createWebhookHandler: ttlMs");

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

  const settleIdle = () => {
    if (running.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  /**
   * Runs onEvent for a claimed event once `answered` resolves; on failure releases the claim and
   * reports. Counted in `pending` from the acknowledgement on.
   */
  const runEvent = (event, key, answered) => {
    const task = (async () => {
      await answered;
      try {
        await onEvent(event);
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
      settleIdle();
    });
  };

  const handle = async (req, res) => {
    const path = req.originalUrl ?? req.url ?? "";
    const remoteAddress = req.socket?.remoteAddress ?? "";
    const headers = req.headers;
    const refuse = (e, close) => {
      const status = STATUS_BY_CODE[e.code];
      if (e.code === "SECRET_MISMATCH") send(res, status, undefined, close); // reveal nothing
      else send(res, status, e.path === undefined ? { code: e.code } : { code: e.code, path: e.path }, close);
    };

    let body = preReadBody(req);
    if (body === undefined) {
      // The checks that need no body first, so that a caller without the secret (or from the
      // wrong address) never gets a byte of its body read. With an empty body, the verifier
      // stops at MALFORMED_JSON once those checks passed (its order: secret, source, content
      // type, size, JSON, schema).
      try {
        verifier.verify({ path, remoteAddress, headers, body: EMPTY });
      } catch (e) {
        if (!isWebhookError(e)) throw e;
        if (HEADER_CODES.has(e.code)) return refuse(e, true);
      }
      const max = verifier.maxBodyBytes;
      const declared = headers["content-length"];
      if (declared !== undefined && Number(declared) > max) {
        return refuse({ code: "BODY_TOO_LARGE" }, true);
      }
      try {
        body = await readBody(req, max);
      } catch (e) {
        if (e instanceof BodyTooLarge) return refuse({ code: "BODY_TOO_LARGE" }, true);
        if (e instanceof RequestAborted) return; // the sender went away: nobody to answer
        throw e;
      }
    }

    let event;
    try {
      event = verifier.verify({ path, remoteAddress, headers, body });
    } catch (e) {
      if (isWebhookError(e) && Object.hasOwn(STATUS_BY_CODE, e.code)) return refuse(e, false);
      throw e;
    }

    const key = event.dedupeKey;
    let first;
    try {
      first = await seen.claim(key, ttlMs);
    } catch (err) {
      // Not acknowledged: the platform retries.
      send(res, 500, { code: "SEEN_STORE_FAILED" });
      report(err, event, key);
      return;
    }
    if (!first) {
      send(res, 200, { duplicate: true });
      return;
    }
    send(res, 202, { accepted: true });
    runEvent(event, key, new Promise((resolve) => afterResponse(res, resolve)));
  };

  const handler = (req, res) => {
    handle(req, res).catch((err) => {
      send(res, 500, { code: "INTERNAL" });
      report(err, undefined);
    });
  };
  Object.defineProperty(handler, "pending", { get: () => running.size, enumerable: true });
  handler.drain = () =>
    running.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
  return handler;
}

// ---------------------------------------------------------------------------------------------
// Seen stores

/**
 * The claims of one process: key -> expiry (ms since the epoch). Map order is claim order, so
 * the oldest claims are swept first.
 */
class ClaimMap {
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

function checkMaxEntries(v) {
  const n = v ?? 1_000_000;
  if (!Number.isSafeInteger(n) || n < 1) throw new TypeError("maxEntries must be a positive integer");
  return n;
}

/** In-process dedupe: fine for one process whose restarts may reprocess a few events. */
class MemorySeenStore {
  #claims;

  constructor(options = {}) {
    this.#claims = new ClaimMap(checkMaxEntries(options.maxEntries), options.now ?? Date.now);
  }

  async claim(key, ttlMs) {
    checkKey(key);
    checkTtl(ttlMs, "ttlMs");
    return this.#claims.tryClaim(key, ttlMs) !== 0;
  }

  async release(key) {
    checkKey(key);
    this.#claims.map.delete(key);
  }

  /** Live and not yet swept claims. */
  get size() {
    return this.#claims.map.size;
  }
}

/**
 * Dedupe that survives a restart: an append-only JSON-lines log (`{"k":key,"exp":ms}` per claim,
 * `{"r":key}` per release), replayed on open. A claim resolves `true` only once its line is on
 * disk (fsync; concurrent claims share one write and one fsync). One process per file.
 */
class FileSeenStore {
  #path;
  #fh;
  #claims;
  /** Items in order: `{ line }` (batched) or `{ task }` (runs alone), each with resolve/reject. */
  #queue = [];
  #flushing = false;
  #closing = false;
  #lines;
  #minCompactLines;
  #compactAt;
  #compactQueued = false;

  /** Use `await FileSeenStore.open(path)`. */
  constructor(token, path, fh, claims, lines, options) {
    if (token !== OPEN_TOKEN) throw new TypeError("use await FileSeenStore.open(path)");
    this.#path = path;
    this.#fh = fh;
    this.#claims = claims;
    this.#lines = lines;
    this.#minCompactLines = options.compactAfterLines ?? 10_000;
    this.#compactAt = this.#nextCompactAt();
    /** Lines of the log that did not parse when it was opened (a write torn by a crash). */
    this.skippedLines = 0;
    /** The last automatic compaction's failure, if any (the log stays valid without it). */
    this.compactionError = undefined;
  }

  /**
   * Opens (or creates) the log at `path` and loads the live claims. Lines that do not parse are
   * skipped and counted in `skippedLines`.
   */
  static async open(path, options = {}) {
    if (typeof path !== "string" || path.length === 0) throw new TypeError("path must be a non-empty string");
    const compactAfter = options.compactAfterLines ?? 10_000;
    if (!Number.isSafeInteger(compactAfter) || compactAfter < 1) {
      throw new TypeError("compactAfterLines must be a positive integer");
    }
    const now = options.now ?? Date.now;
    const claims = new ClaimMap(checkMaxEntries(options.maxEntries), now);
    let text = "";
    try {
      text = await fsp().readFile(path, "utf8");
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
    }
    let lines = 0;
    let skipped = 0;
    const t = now();
    for (const line of text.split("\n")) {
      if (line.length === 0) continue;
      lines++;
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      if (rec && typeof rec.k === "string" && typeof rec.exp === "number") {
        claims.map.delete(rec.k);
        if (rec.exp > t) claims.map.set(rec.k, rec.exp);
      } else if (rec && typeof rec.r === "string") {
        claims.map.delete(rec.r);
      } else {
        skipped++;
      }
    }
    const fh = await fsp().open(path, "a");
    try {
      // A torn last line must not swallow the next record.
      if (text.length > 0 && !text.endsWith("\n")) {
        await writeAll(fh, Buffer.from("\n"));
        await fh.sync();
      }
    } catch (e) {
      await fh.close();
      throw e;
    }
    const store = new FileSeenStore(OPEN_TOKEN, path, fh, claims, lines, options);
    store.skippedLines = skipped;
    if (lines > store.#compactAt) {
      try {
        await store.compact();
      } catch (e) {
        store.compactionError = e; // the log stays valid; try again as it grows
      }
    }
    return store;
  }

  async claim(key, ttlMs) {
    checkKey(key);
    checkTtl(ttlMs, "ttlMs");
    this.#checkOpen();
    // Check and set synchronously: atomic within this process.
    const until = this.#claims.tryClaim(key, ttlMs);
    if (until === 0) return false;
    try {
      await this.#enqueue({ line: JSON.stringify({ k: key, exp: until }) + "\n" });
    } catch (e) {
      // Not durable: take the claim back (if it is still ours) so that a redelivery can claim it.
      if (this.#claims.map.get(key) === until) this.#claims.map.delete(key);
      throw e;
    }
    return true;
  }

  async release(key) {
    checkKey(key);
    this.#checkOpen();
    if (!this.#claims.map.delete(key)) return;
    await this.#enqueue({ line: JSON.stringify({ r: key }) + "\n" });
  }

  /** Live and not yet swept claims. */
  get size() {
    return this.#claims.map.size;
  }

  /** Rewrites the log with the live claims only (temp file, fsync, rename: atomic). */
  compact() {
    this.#checkOpen();
    return this.#enqueue({ task: () => this.#compactNow() });
  }

  /** Waits for the writes queued so far, then closes the file. Claims after this throw. */
  async close() {
    if (this.#closing) return;
    this.#closing = true;
    await this.#enqueue({ task: () => this.#fh.close() });
  }

  #nextCompactAt() {
    return Math.max(this.#minCompactLines, 2 * this.#claims.map.size);
  }

  #checkOpen() {
    if (this.#closing) throw new Error("FileSeenStore is closed");
  }

  #enqueue(item) {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...item, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        void this.#flush();
      }
    });
  }

  /** The one writer: consecutive lines go out in one write and one fsync (group commit). */
  async #flush() {
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0];
        if (head.task) {
          this.#queue.shift();
          try {
            head.resolve(await head.task());
          } catch (e) {
            head.reject(e);
          }
          continue;
        }
        let n = 1;
        while (n < this.#queue.length && !this.#queue[n].task) n++;
        const batch = this.#queue.splice(0, n);
        try {
          await writeAll(this.#fh, Buffer.from(batch.map((b) => b.line).join("")));
          await this.#fh.sync();
          this.#lines += batch.length;
          for (const b of batch) b.resolve();
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
        if (this.#lines > this.#compactAt && !this.#compactQueued && !this.#closing) {
          this.#compactQueued = true;
          this.#queue.push({
            task: () => this.#compactNow(),
            resolve: () => {},
            reject: (e) => {
              this.compactionError = e;
              this.#compactAt = 2 * this.#lines; // try again later
            },
          });
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #compactNow() {
    this.#compactQueued = false;
    const now = this.#claims.now();
    const live = [];
    for (const [k, exp] of this.#claims.map) if (exp > now) live.push(JSON.stringify({ k, exp }) + "\n");
    const tmp = `${this.#path}.${process.pid}.compact`;
    const out = await fsp().open(tmp, "w");
    try {
      await writeAll(out, Buffer.from(live.join("")));
      await out.sync();
    } finally {
      await out.close();
    }
    await fsp().rename(tmp, this.#path);
    await syncDir(nodePath().dirname(this.#path));
    const old = this.#fh;
    this.#fh = await fsp().open(this.#path, "a");
    await old.close();
    this.#lines = live.length;
    this.#compactAt = this.#nextCompactAt();
    this.compactionError = undefined;
  }
}
const OPEN_TOKEN = Symbol("FileSeenStore.open");

async function writeAll(fh, buf) {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

async function syncDir(dir) {
  let fh;
  try {
    fh = await fsp().open(dir, "r");
    await fh.sync();
  } catch {
    // Not every platform can fsync a directory (Windows); the rename itself is atomic.
  } finally {
    await fh?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Secret rotation

/** The secrets each verifier accepts, as far as rotateWebhookSecret knows (current first). */
const knownSecrets = new WeakMap();

function pathSegments(url) {
  return new URL(url).pathname.split("/");
}

function checkDuration(v, name, dflt) {
  const n = v ?? dflt;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
    throw new TypeError(`rotateWebhookSecret: ${name} must be a non-negative number of milliseconds`);
  }
  return n;
}

/**
 * Rotates the secret of `subscription`; see webhooks.d.ts.
 */
async function rotateWebhookSecret(client, subscription, options) {
  if (!options || typeof options !== "object") throw new TypeError("rotateWebhookSecret: options are required");
  const { verifier, urlFor, allowHttpLoopback = false, signal } = options;
  if (!verifier || typeof verifier.setSecrets !== "function") {
    throw new TypeError("rotateWebhookSecret: verifier must be a WebhookVerifier");
  }
  if (typeof urlFor !== "function") throw new TypeError("rotateWebhookSecret: urlFor must be a function");
  if (!subscription || typeof subscription.id !== "string" || typeof subscription.topic !== "string" ||
      typeof subscription.url !== "string") {
    throw new TypeError("rotateWebhookSecret: subscription needs string id, topic and url");
  }
  const graceMs = checkDuration(options.graceMs, "graceMs", 10 * 60_000);
  const drainMs = checkDuration(options.drainMs, "drainMs", 15_000);

  let current = options.currentSecrets ?? knownSecrets.get(verifier);
  if (current === undefined) {
    throw new TypeError(
      "rotateWebhookSecret: pass currentSecrets (the verifier's secrets, current first) the first time",
    );
  }
  if (!Array.isArray(current) || current.some((s) => typeof s !== "string")) {
    throw new TypeError("rotateWebhookSecret: currentSecrets must be an array of strings");
  }
  if (options.currentSecrets === undefined && typeof verifier.secretCount === "number" &&
      verifier.secretCount !== current.length) {
    throw new TypeError(
      "rotateWebhookSecret: the verifier's secrets changed outside rotateWebhookSecret; pass currentSecrets",
    );
  }
  current = [...current];
  const oldSegments = new Set(pathSegments(subscription.url));
  const oldSecret = current.find((s) => oldSegments.has(s));
  if (oldSecret === undefined) {
    // Never echo the URL: it holds a secret.
    throw new TypeError("rotateWebhookSecret: the subscription's URL carries none of the current secrets");
  }

  const secret = generateWebhookSecret();
  const url = urlFor(secret);
  if (typeof url !== "string" || !pathSegments(url).includes(secret)) {
    throw new TypeError("rotateWebhookSecret: urlFor(secret) must return a URL with the secret as a path segment");
  }

  // Accept the new secret before the platform can deliver to the new URL.
  const next = [secret, ...current.filter((s) => s !== secret)];
  verifier.setSecrets(next);
  knownSecrets.set(verifier, next);
  let created;
  try {
    created = await client.createWebhookSubscription({ topic: subscription.topic, url }, { allowHttpLoopback });
  } catch (e) {
    const back = (knownSecrets.get(verifier) ?? next).filter((s) => s !== secret);
    verifier.setSecrets(back);
    knownSecrets.set(verifier, back);
    throw e;
  }

  const done = (async () => {
    // Both subscriptions deliver during the grace (duplicates dedupe by event), so nothing
    // emitted before the new subscription existed is lost.
    await sleep(graceMs, signal);
    try {
      await client.deleteWebhookSubscription(subscription.id);
    } catch (e) {
      if (!(e && e.name === "ApiError" && e.status === 404)) throw e;
    }
    // Retries to the old URL already in flight keep arriving for a while (4 attempts, 3 s each).
    await sleep(drainMs, signal);
    const remaining = (knownSecrets.get(verifier) ?? next).filter((s) => s !== oldSecret);
    verifier.setSecrets(remaining);
    knownSecrets.set(verifier, remaining);
  })();
  return { secret, subscription: created, done };
}

module.exports = {
  createWebhookHandler,
  MemorySeenStore,
  FileSeenStore,
  rotateWebhookSecret,
};
