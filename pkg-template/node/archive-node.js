"use strict";
// Node's side of the archive API (pkg-template/web/archive.js): node:crypto for verifyStream
// (OpenSSL, several times faster than any wasm SHA-256), node:zlib to inflate small entries, and
// node:fs for ranged reads of an archive on disk. Loaded lazily: most users never need them, and
// loading them at require time would add to every cold start.
let cryptoModule;
let zlibModule;
let fspModule;

const { archiveError } = require("./errors.js");

// --- verifyStream's and ArchiveClaimer's hash: node:crypto, on worker threads ---
//
// Hashing (node:crypto, about 2 GB/s here) costs as much CPU as receiving a download through
// fetch, so doing both on the main thread halves a download's speed. A stream is copied into
// batches of BATCH bytes; the batches are transferred (not copied again) to a worker thread that
// hashes them and hands them back for reuse. At most IN_FLIGHT batches belong to one stream, so
// memory stays constant and a slow hash slows the reader (back-pressure) rather than buffering.
// A stream that ends within its first batch is hashed on the main thread: no thread is started.
// Streams share the threads: each thread keeps one hash per stream (messages carry the stream's
// id), and a stream takes the thread with the fewest streams. There are at most maxThreads (one
// core is left to the thread receiving the downloads, and 4 threads hash faster than any
// network); ArchiveClaimer's 4 concurrent downloads on 2 cores all hash on the one thread
// (bench/README.md, claim-throughput). Threads stay for the next streams, unref'd: a thread
// holds the process open only while a stream waits for it, never while a stream waits for its
// source, nor while idle. When no thread can start, a stream hashes on the main thread.
const BATCH = 1 << 20;
const IN_FLIGHT = 4;
const MAX_THREADS = 4;
const WORKER_SOURCE = `"use strict";
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const hashes = new Map();
parentPort.on("message", (m) => {
  if (m.end !== undefined) {
    const hash = hashes.get(m.end) ?? createHash("sha256");
    hashes.delete(m.end);
    if (m.digest) parentPort.postMessage({ id: m.end, digest: hash.digest() });
    return;
  }
  let hash = hashes.get(m.id);
  if (hash === undefined) hashes.set(m.id, (hash = createHash("sha256")));
  hash.update(new Uint8Array(m.buffer, 0, m.length));
  parentPort.postMessage({ id: m.id, buffer: m.buffer }, [m.buffer]);
});`;
/** @type {HashThread[]} */
const threads = [];
let maxThreads;
let nextStreamId = 1;

/** One worker thread and the streams it hashes for. */
class HashThread {
  constructor(worker) {
    this.worker = worker;
    this.streams = new Map(); // id -> StreamHash
    this.waiting = 0; // streams waiting for a message from this thread
    worker.on("message", (m) => this.streams.get(m.id)?.onMessage(m));
    // Errors reach the streams using the thread; none may crash the process.
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => this.fail(code));
    worker.unref();
  }

  fail(e) {
    const i = threads.indexOf(this);
    if (i >= 0) threads.splice(i, 1);
    const failure = e instanceof Error ? e : new Error(`the SHA-256 worker thread stopped (exit code ${e})`);
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.onFailure(failure);
    this.worker.terminate().catch(() => {});
  }

  wait() {
    if (this.waiting++ === 0) this.worker.ref();
  }

  woken() {
    if (--this.waiting === 0) this.worker.unref();
  }
}

/** The thread with the fewest streams, starting one while fewer than maxThreads run; null when none can start. */
function takeThread() {
  maxThreads ??= Math.min(MAX_THREADS, Math.max(1, require("node:os").availableParallelism() - 1));
  let best = null;
  for (const t of threads) if (best === null || t.streams.size < best.streams.size) best = t;
  if (best !== null && (best.streams.size === 0 || threads.length >= maxThreads)) return best;
  try {
    const { Worker } = require("node:worker_threads");
    // Not the process's own flags: `--input-type=module` would make this CommonJS source fail, and
    // the application's `--require`/`--import` hooks have no business in a hashing thread.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], name: "flexperto-sdk sha256" });
    const thread = new HashThread(worker);
    threads.push(thread);
    return thread;
  } catch {
    return best; // no thread can start here (e.g. a permission model without --allow-worker)
  }
}

/** A SHA-256 of a stream: `update` returns a promise when the caller must wait for the hasher. */
class StreamHash {
  constructor() {
    this.id = nextStreamId++;
    this.batch = new Uint8Array(BATCH); // being filled; null while every batch is with the thread
    this.filled = 0;
    this.spare = []; // batches back from the thread
    this.owned = 1; // batches in existence, at most IN_FLIGHT
    this.thread = null;
    this.started = false; // whether a batch went to a thread
    this.inline = null; // node:crypto on this thread, when no thread can start
    this.failure = null;
    this.digestBytes = null;
    this.wake = null; // resolves the one wait (for a batch or for the digest)
  }

  onMessage(m) {
    if (m.buffer) this.spare.push(new Uint8Array(m.buffer));
    else this.digestBytes = Buffer.from(m.digest.buffer, m.digest.byteOffset, m.digest.length);
    this.wakeUp();
  }

  onFailure(e) {
    this.failure = e;
    this.thread = null;
    this.wakeUp();
  }

  wakeUp() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits for the thread's next message; the process stays open meanwhile. */
  sleep() {
    const thread = this.thread;
    thread?.wait();
    return new Promise((resolve) => {
      this.wake = () => {
        thread?.woken();
        resolve();
      };
    });
  }

  update(chunk) {
    if (this.inline) {
      this.inline.update(chunk);
      return undefined;
    }
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, BATCH - this.filled);
      this.batch.set(n === chunk.length ? chunk : chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === BATCH) {
        this.send();
        if (this.inline) return this.update(chunk.subarray(at));
        if (!this.batch) return this.refill(chunk.subarray(at));
      }
    }
    return undefined;
  }

  /** Hands the filled part of the batch to the thread (taking one), or hashes it here if none can start. */
  send() {
    if (this.failure) throw this.failure;
    if (!this.started) {
      const thread = takeThread();
      if (thread === null) {
        this.hashHere();
        return;
      }
      this.thread = thread;
      thread.streams.set(this.id, this);
      this.started = true;
    }
    if (this.thread === null) throw this.failure ?? new Error("the SHA-256 worker thread stopped");
    const { buffer } = this.batch;
    this.thread.worker.postMessage({ id: this.id, buffer, length: this.filled }, [buffer]);
    this.filled = 0;
    this.batch = this.spare.pop() ?? null;
    if (!this.batch && this.owned < IN_FLIGHT) {
      this.batch = new Uint8Array(BATCH);
      this.owned += 1;
    }
  }

  /** From now on, hashes on this thread, starting with what the batch holds. */
  hashHere() {
    this.inline = platform.createHash("sha256").update(this.batch.subarray(0, this.filled));
    this.batch = null;
  }

  /** Waits for a batch to come back, then goes on with the rest of the chunk. */
  async refill(rest) {
    while (!this.batch) {
      if (this.failure) throw this.failure;
      if (this.spare.length) this.batch = this.spare.pop();
      else await this.sleep();
    }
    await this.update(rest);
  }

  /** The 32-byte digest of everything updated. */
  async digest() {
    if (this.failure) throw this.failure;
    if (!this.started && !this.inline) this.hashHere(); // shorter than a batch
    if (this.inline) return this.inline.digest();
    if (this.filled) this.send();
    this.thread.worker.postMessage({ end: this.id, digest: true });
    while (!this.digestBytes) {
      if (this.failure) throw this.failure;
      await this.sleep();
    }
    this.release();
    return this.digestBytes;
  }

  /** Detaches this stream from its thread; returns the thread. */
  release() {
    const thread = this.thread;
    this.thread = null;
    thread?.streams.delete(this.id);
    return thread;
  }

  /** Ends the stream's use of its thread (after `digest`: nothing left to do); the thread
   * drops the stream's hash after the batches already sent, and serves other streams. */
  close() {
    const thread = this.release();
    thread?.worker.postMessage({ end: this.id, digest: false });
  }
}

const platform = {
  createHash(algorithm) {
    return (cryptoModule ??= require("node:crypto")).createHash(algorithm);
  },

  /** verifyStream's hasher: see StreamHash. */
  streamHash: () => new StreamHash(),

  /** Inflates raw deflate data; never more than `size` + 1 bytes (null: more than declared). */
  inflateRaw(data, size) {
    const zlib = (zlibModule ??= require("node:zlib"));
    let out;
    try {
      out = zlib.inflateRawSync(data, { maxOutputLength: size + 1 });
    } catch (e) {
      if (e?.code === "ERR_BUFFER_TOO_LARGE") return null;
      if (e?.code === "Z_BUF_ERROR") throw archiveError("TRUNCATED", "truncated zip: the deflate stream ends early");
      throw archiveError("CORRUPT_ZIP", `corrupt zip: invalid deflate data (${e?.message ?? e})`);
    }
    return out.length > size ? null : out;
  },

  /** An archive on disk as a source of ranged reads. */
  async openFile(path) {
    const fsp = (fspModule ??= require("node:fs/promises"));
    const handle = await fsp.open(path, "r");
    try {
      const st = await handle.stat();
      // A folder opens, and fails on its first read: refused here, as the path it is.
      if (!st.isFile()) throw Object.assign(new Error(`not a file: ${path}`), { code: "EISDIR" });
      const { size } = st;
      return {
        size,
        async read(offset, length) {
          const buf = Buffer.allocUnsafe(length);
          let done = 0;
          while (done < length) {
            const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
            if (bytesRead === 0) break;
            done += bytesRead;
          }
          return done === length ? buf : buf.subarray(0, done);
        },
        close: () => handle.close(),
      };
    } catch (e) {
      await handle.close();
      throw e;
    }
  },
};

module.exports = { platform };
