"use strict";
// Node's side of the archive API (pkg-template/web/archive.js): node:crypto for verifyStream
// (OpenSSL, several times faster than any wasm SHA-256), node:zlib to inflate small entries, and
// node:fs for ranged reads of an archive on disk. Loaded lazily: most users never need them, and
// loading them at require time would add to every cold start.
let cryptoModule;
let zlibModule;
let fspModule;

const { sdkError } = require("./errors.js");

function archiveError(code, message) {
  return sdkError("ArchiveError", code, message);
}

// --- verifyStream's hash: node:crypto, on a worker thread once a stream fills a batch ---
//
// Hashing (node:crypto, about 1.4 GB/s here) costs as much CPU as receiving a download through
// fetch, so doing both on the main thread halves a download's speed. A stream is copied into
// batches of BATCH bytes; the batches are transferred (not copied again) to a worker thread that
// hashes them and hands them back for reuse. At most IN_FLIGHT batches belong to one stream, so
// memory stays constant and a slow hash slows the reader (back-pressure) rather than buffering.
// A stream that ends within its first batch is hashed on the main thread: no thread is started.
// At most MAX_WORKERS threads exist (one core is left to the thread receiving the downloads);
// a stream that finds them all busy is hashed on the main thread. Idle workers are kept for the
// next stream. A worker holds the process open only while a stream waits for it, never while a
// stream waits for its source, nor while idle.
const BATCH = 1 << 20;
const IN_FLIGHT = 4;
const IDLE_MAX = 2;
const WORKER_SOURCE = `"use strict";
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
let hash = null;
parentPort.on("message", (m) => {
  if (m === "digest") {
    parentPort.postMessage({ digest: (hash ?? createHash("sha256")).digest() });
    hash = null;
    return;
  }
  (hash ??= createHash("sha256")).update(new Uint8Array(m.buffer, 0, m.length));
  parentPort.postMessage(m.buffer, [m.buffer]);
});`;
const idleWorkers = [];
let liveWorkers = 0;
let maxWorkers;

/** An idle or new worker, unref'd; null when MAX_WORKERS are busy (or none can start: throws). */
function takeWorker() {
  for (let idle; (idle = idleWorkers.pop()); ) {
    if (idle.threadId !== -1) return idle; // -1: exited while idle
  }
  const { Worker } = require("node:worker_threads");
  maxWorkers ??= Math.max(1, require("node:os").availableParallelism() - 1);
  if (liveWorkers >= maxWorkers) return null;
  // Not the process's own flags: `--input-type=module` would make this CommonJS source fail, and
  // the application's `--require`/`--import` hooks have no business in a hashing thread.
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], name: "flexperto-sdk sha256" });
  liveWorkers += 1;
  worker.once("exit", () => (liveWorkers -= 1));
  // Errors reach the stream using the worker (StreamHash.onFailure); none may crash the process.
  worker.on("error", () => {});
  worker.unref();
  return worker;
}

function returnWorker(worker) {
  worker.unref();
  if (idleWorkers.length < IDLE_MAX) idleWorkers.push(worker);
  else worker.terminate().catch(() => {});
}

/** A SHA-256 of a stream: `update` returns a promise when the caller must wait for the hasher. */
class StreamHash {
  constructor() {
    this.batch = new Uint8Array(BATCH); // being filled; null while every batch is with the worker
    this.filled = 0;
    this.spare = []; // batches back from the worker
    this.owned = 1; // batches in existence, at most IN_FLIGHT
    this.worker = null;
    this.started = false; // whether a batch went to a worker
    this.inline = null; // node:crypto on this thread, when no worker is free or can start
    this.failure = null;
    this.digestBytes = null;
    this.wake = null; // resolves the one wait (for a batch or for the digest)
    this.onMessage = (m) => {
      if (m instanceof ArrayBuffer) this.spare.push(new Uint8Array(m));
      else this.digestBytes = Buffer.from(m.digest.buffer, m.digest.byteOffset, m.digest.length);
      this.wakeUp();
    };
    this.onFailure = (e) => {
      this.failure = e instanceof Error ? e : new Error(`the SHA-256 worker thread stopped (exit code ${e})`);
      const worker = this.release();
      worker?.terminate().catch(() => {});
      this.wakeUp();
    };
  }

  wakeUp() {
    const wake = this.wake;
    this.wake = null;
    this.worker?.unref();
    wake?.();
  }

  /** Waits for the worker's next message; the process stays open meanwhile. */
  sleep() {
    this.worker?.ref();
    return new Promise((resolve) => (this.wake = resolve));
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

  /** Hands the filled part of the batch to the worker (taking one), or hashes it here if none is free. */
  send() {
    if (this.failure) throw this.failure;
    if (!this.started) {
      let worker = null;
      try {
        worker = takeWorker();
      } catch {
        // No thread can start here (e.g. a permission model without --allow-worker).
      }
      if (worker === null) {
        this.hashHere();
        return;
      }
      this.worker = worker.on("message", this.onMessage).on("error", this.onFailure).on("exit", this.onFailure);
      this.started = true;
    }
    const { buffer } = this.batch;
    this.worker.postMessage({ buffer, length: this.filled }, [buffer]);
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
    this.worker.postMessage("digest");
    while (!this.digestBytes) {
      if (this.failure) throw this.failure;
      await this.sleep();
    }
    returnWorker(this.release());
    return this.digestBytes;
  }

  /** Detaches the worker from this stream; returns it. */
  release() {
    const worker = this.worker;
    this.worker = null;
    worker?.off("message", this.onMessage).off("error", this.onFailure).off("exit", this.onFailure);
    return worker;
  }

  /** Ends the stream's use of its worker: after `digest`, nothing; after an error, the worker
   * finishes its queue, then is reused. */
  close() {
    const worker = this.release();
    if (!worker) return;
    const done = (m) => {
      if (m instanceof ArrayBuffer) return;
      worker.off("message", done).off("exit", dead);
      returnWorker(worker);
    };
    const dead = () => worker.off("message", done).off("exit", dead);
    worker.on("message", done).on("exit", dead);
    worker.postMessage("digest");
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
      const { size } = await handle.stat();
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
