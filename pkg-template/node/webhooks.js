"use strict";
// Node adapters for Flexperto webhooks, on top of the wasm `WebhookVerifier`:
//   createWebhookHandler  - a (req, res) handler for node:http and Express-style servers
//   createWebRequestHandler - the same flow for Fetch-API servers (webhook-fetch.js), re-exported
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
const {
  argText,
  generateWebhookSecret,
  seenStoreClaim,
  seenStoreOptions,
  webhookRotationNext,
  webhookRotationStart,
  webhookSecretsWithout,
} = require("./flexperto_sdk.js");
const { sleep } = require("./internal.js");
const { argumentError, pathError, unreadable } = require("./errors.js");

const EMPTY = Buffer.alloc(0);
const {
  BodyTooLarge,
  RequestAborted,
  ClaimMap,
  MemorySeenStore,
  createWebhookFlow,
  isTopic,
} = require("./webhook-flow.js");
const { createWebRequestHandler } = require("./webhook-fetch.js");

// ---------------------------------------------------------------------------------------------
// The handler: the Node adapter of the shared flow (webhook-flow.js). It reads the request and
// writes the reply; the flow decides.

/** Writes a reply of the flow unless an answer was sent already. */
function send(res, r) {
  if (res.headersSent || res.writableEnded) return;
  const buf = r.body === undefined ? EMPTY : Buffer.from(r.body);
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  res.setHeader("content-length", buf.length);
  // After refusing a body we did not read, do not keep the connection: whatever the client
  // still sends must not be read (or buffered) on our side.
  if (r.close) res.setHeader("connection", "close");
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

/** Whether `req` is a readable stream (a node:http IncomingMessage or alike). */
function isStream(req) {
  return req !== null && typeof req === "object" && typeof req.on === "function" && typeof req.once === "function";
}

/**
 * A request handler for Flexperto webhook deliveries; see webhooks.d.ts.
 */
function createWebhookHandler(options) {
  const flow = createWebhookFlow(options, "createWebhookHandler");
  const handle = async (req, res) => {
    const r = await flow.handle({
      method: req.method,
      path: req.originalUrl ?? req.url ?? "",
      remoteAddress: req.socket?.remoteAddress ?? "",
      headers: req.headers,
      declaredLength: req.headers["content-length"],
      preRead: preReadBody(req),
      readBody: (max) => readBody(req, max),
    });
    if (r === undefined) return; // the sender went away: nobody to answer
    send(res, r);
    r.start?.(new Promise((resolve) => afterResponse(res, resolve)));
  };
  const handler = (req, res) => {
    // Checked at once: a failure inside `handle` is answered on `res`, which must be one.
    let ok;
    try {
      ok = isStream(req) && res !== null && typeof res === "object" && typeof res.setHeader === "function" && typeof res.end === "function";
    } catch (e) {
      throw unreadable("req", e);
    }
    if (!ok) throw argumentError("req", "the handler of createWebhookHandler takes a node:http request and response");
    handle(req, res).catch((err) => send(res, flow.internalError(err)));
  };
  Object.defineProperty(handler, "pending", { get: () => flow.pending, enumerable: true });
  handler.drain = () => flow.drain();
  return handler;
}

// ---------------------------------------------------------------------------------------------
// Seen stores (MemorySeenStore is shared with the Fetch adapter: webhook-flow.js)

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
    if (token !== OPEN_TOKEN) throw argumentError("FileSeenStore", "use await FileSeenStore.open(path): it is not made with new");
    this.#path = path;
    this.#fh = fh;
    this.#claims = claims;
    this.#lines = lines;
    this.#minCompactLines = options.compactAfterLines;
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
  static async open(path, options) {
    argText(path, "path");
    // Checked, with their defaults, in the wasm core (src/wasm/js_options.rs).
    options = seenStoreOptions(options, "FileSeenStore");
    const now = options.now ?? Date.now;
    const claims = new ClaimMap(options.maxEntries, now);
    let text = "";
    try {
      text = await fsp().readFile(path, "utf8");
    } catch (e) {
      if (e.code !== "ENOENT") throw cannotOpen(e);
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
    let fh;
    try {
      fh = await fsp().open(path, "a");
    } catch (e) {
      throw cannotOpen(e);
    }
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
    // `this`: a class that names itself in its body loses its `name` when bundled (scripts/bundle.mjs).
    const store = new this(OPEN_TOKEN, path, fh, claims, lines, options);
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
    seenStoreClaim(key, ttlMs);
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
    argText(key, "key");
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

/**
 * A log that cannot be opened: a ValidationError on the path when it is the path's fault (a
 * folder, a name too long, no permission), else the error as it is (decided in the wasm core).
 */
function cannotOpen(e) {
  return pathError("path", "cannot be opened as the seen store's log", e);
}

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

/**
 * Rotates the secret of `subscription`; see webhooks.d.ts. Which secrets the verifier accepts at
 * each step is decided in Rust (src/webhook/rotation.rs); this function does the calls and waits.
 */
async function rotateWebhookSecret(client, subscription, options) {
  // The options are read and checked in the wasm core (src/wasm/webhooks.rs), the verifier's
  // known secrets looked up through `known`.
  const start = webhookRotationStart(client, subscription, options, (v) => knownSecrets.get(v));
  const { verifier, urlFor, allowHttpLoopback = false, resolve, signal, current, oldSecret, graceMs, drainMs } = start;

  const secret = generateWebhookSecret();
  // Accept the new secret before the platform can deliver to the new URL.
  const url = urlFor(secret);
  const next = webhookRotationNext(current, secret, url);
  verifier.setSecrets(next);
  knownSecrets.set(verifier, next);
  let created;
  try {
    created = await client.createWebhookSubscription(
      { topic: subscription.topic, url },
      resolve === undefined ? { allowHttpLoopback } : { allowHttpLoopback, resolve },
    );
  } catch (e) {
    const back = webhookSecretsWithout(knownSecrets.get(verifier) ?? next, secret);
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
    const remaining = webhookSecretsWithout(knownSecrets.get(verifier) ?? next, oldSecret);
    verifier.setSecrets(remaining);
    knownSecrets.set(verifier, remaining);
  })();
  return { secret, subscription: created, done };
}

module.exports = {
  createWebhookHandler,
  createWebRequestHandler,
  isTopic,
  MemorySeenStore,
  FileSeenStore,
  rotateWebhookSecret,
};
