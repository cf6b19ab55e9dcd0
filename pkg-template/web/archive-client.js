// @ts-check
// FlexpertoClient: the wasm client, composed with the archive methods that stream: archives()
// pages through listArchives, and downloadArchive() fetches the file from object storage.
// Storage is another host with its own signed URL, so the download is a plain fetch WITHOUT the
// api-key header (the key never leaves the API's host); a broken connection resumes with Range
// (If-Range on the ETag), and an expired URL is resolved again through the API.
// This file performs the requests and reads the streams; what an answer means (its error code,
// whether the URL is acceptable, whether and when to resume, honouring Retry-After) and which
// options are valid are decided in wasm (src/archive/storage.rs through src/wasm/archive.rs).

import {
  FlexpertoClient as WasmFlexpertoClient, archiveDownloadOptions, storageBroken, storageCheckUrl,
  storageComplete, storageDecide, storageError, storageOpened, storageReceived,
} from "./flexperto_sdk.js";
import { sleep } from "./internal.js";
import { apiTokens as tokenPages, archives as archivePages, users as userPages, webhookSubscriptions as subscriptionPages } from "./paginate.js";

/**
 * @typedef {{ onProgress?: (p: { bytes: number, totalBytes?: number, resumes: number }) => void, maxResumes: number, signal?: AbortSignal }} DownloadOptions
 */

/** Streams one archive file from storage, resuming after breaks; see downloadArchive. */
class ArchiveDownload {
  /**
   * @param {FlexpertoClient} client
   * @param {string} archiveId
   * @param {string} url
   * @param {typeof fetch} fetchImpl
   * @param {DownloadOptions} options
   */
  constructor(client, archiveId, url, fetchImpl, options) {
    this.client = client;
    this.archiveId = archiveId;
    this.url = url;
    this.fetchImpl = fetchImpl;
    this.onProgress = options.onProgress;
    this.maxResumes = options.maxResumes;
    // Ends every request and wait: on the caller's signal, or when the stream is cancelled.
    this.abort = new AbortController();
    if (options.signal === undefined) {
      this.signal = this.abort.signal;
    } else if (typeof AbortSignal.any === "function") {
      this.signal = AbortSignal.any([options.signal, this.abort.signal]);
    } else {
      // Node before 20.3: the caller's signal aborts ours (its listener lives as long as it does).
      this.signal = this.abort.signal;
      if (options.signal.aborted) this.abort.abort(options.signal.reason);
      options.signal.addEventListener("abort", () => this.abort.abort(options.signal.reason), { once: true });
    }
    this.cancelled = false;
    this.bytes = 0;
    /** @type {number | undefined} */
    this.totalBytes = undefined;
    /** @type {string | null} */
    this.etag = null;
    this.resumes = 0;
    /** @type {ReadableStreamDefaultReader<Uint8Array> | null} */
    this.reader = null;
    this.skip = 0; // bytes to drop when storage ignored a Range and sent from the start
  }

  // One GET from the current offset. No api-key: only Range (and If-Range) are sent.
  async open() {
    /** @type {Record<string, string>} */
    const headers = {};
    if (this.bytes > 0) {
      headers.range = `bytes=${this.bytes}-`;
      if (this.etag !== null) headers["if-range"] = this.etag;
    }
    const fetchImpl = this.fetchImpl;
    const res = await fetchImpl(this.url, { method: "GET", headers, signal: this.signal });
    const refuse = async (/** @type {unknown} */ error) => {
      await res.body?.cancel().catch(() => {});
      throw error;
    };
    if (res.url) {
      try {
        storageCheckUrl(res.url); // where storage's own redirects ended
      } catch (e) {
        await refuse(e);
      }
    }
    // What the answer means (the range, the same file, the end, an error status) is the core's.
    const header = (/** @type {string} */ name) => res.headers.get(name) ?? undefined;
    let opened;
    try {
      opened = storageOpened(res.status, this.bytes, this.etag ?? undefined, this.totalBytes,
        header("content-range"), header("etag"), header("content-length"), header("retry-after"));
    } catch (e) {
      await refuse(e);
    }
    if (opened === null) {
      await res.body?.cancel().catch(() => {});
      return false; // everything had arrived before the break
    }
    this.skip = opened.skip;
    this.etag = opened.etag;
    this.totalBytes = opened.totalBytes;
    if (res.body === null) throw storageError(res.status, undefined);
    this.reader = res.body.getReader();
    return true;
  }

  /**
   * After a failure: resume (returns), or give up (throws). Whether, when and with which URL is
   * decided in wasm (storage's Retry-After honoured; 403: a fresh URL from the API first).
   * @param {unknown} error
   */
  async recover(error) {
    if (this.signal.aborted) throw this.signal.reason ?? error;
    const next = storageDecide(error, this.resumes, this.maxResumes);
    if (next === undefined) throw storageBroken(error, this.bytes, this.resumes);
    this.resumes += 1;
    await sleep(next.delayMs, this.signal);
    if (next.newUrl) this.url = await this.client.archiveDownloadUrl(this.archiveId);
  }

  // The next chunk of the file, resuming as needed; null at its end.
  async next() {
    for (;;) {
      if (this.cancelled) return null;
      try {
        if (this.reader === null) {
          if (storageComplete(this.bytes, this.totalBytes)) return null;
          if (!(await this.open())) return null;
        }
        const { done, value } = await this.reader.read();
        if (this.cancelled) return null;
        // What the read means (drop the part received before, the end, a short or long body)
        // is the core's; it throws for a body that ended early (resumed) or is unusable.
        const drop = storageReceived(this.bytes, this.totalBytes, this.skip, done ? undefined : value.length);
        if (done) {
          this.reader = null;
          return null;
        }
        let chunk = value;
        if (drop > 0) {
          this.skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) continue;
        }
        this.bytes += chunk.length;
        return chunk;
      } catch (e) {
        this.reader?.cancel().catch(() => {});
        this.reader = null;
        if (this.cancelled) return null;
        await this.recover(e);
      }
    }
  }

  async pull(controller) {
    const chunk = await this.next();
    if (chunk === null) {
      if (!this.cancelled) controller.close();
      return;
    }
    controller.enqueue(chunk);
    this.progress();
  }

  // After each chunk handed out, outside the download's error handling: a throwing callback
  // errors the reading as it is.
  progress() {
    this.onProgress?.({ bytes: this.bytes, totalBytes: this.totalBytes, resumes: this.resumes });
  }

  cancel(reason) {
    this.cancelled = true;
    this.abort.abort(reason);
    return this.reader?.cancel(reason).catch(() => {});
  }
}

// The key of downloadArchive's direct chunk reader on the streams it returns (a registered
// symbol, so that `flexperto-sdk/archive`'s verifyStream finds it too).
const DIRECT_CHUNKS = Symbol.for("flexperto-sdk.directChunks");

/**
 * The chunks of a download, read without the web stream; ending the iteration early cancels it.
 * @param {ArchiveDownload} d
 * @returns {AsyncGenerator<Uint8Array>}
 */
async function* directChunks(d) {
  let ended = false;
  try {
    for (;;) {
      const chunk = await d.next();
      if (chunk === null) {
        ended = true;
        return;
      }
      yield chunk;
      d.progress();
    }
  } finally {
    if (!ended) await d.cancel(new Error("the reader stopped"));
  }
}

/**
 * The Flexperto API client (the wasm client), with the methods that stream archives.
 */
export class FlexpertoClient extends WasmFlexpertoClient {
  /** @type {typeof fetch} */
  #fetch;

  /** @param {any} options as the wasm client's */
  constructor(options) {
    super(options);
    // The same fetch the client's API calls use (the option, or the global one at call time).
    // A given fetch receives a built Request, as the client's API calls pass it (gloo-net).
    const own = options.fetch;
    this.#fetch = typeof own === "function" ? (input, init) => own(new Request(input, init)) : (input, init) => globalThis.fetch(input, init);
  }

  /**
   * Downloads an archive file as a stream; see the declarations.
   * @param {string} archiveId
   * @param {unknown} [options]
   * @returns {Promise<ReadableStream<Uint8Array>>}
   */
  async downloadArchive(archiveId, options) {
    /** @type {DownloadOptions} */
    const checked = archiveDownloadOptions(options);
    const url = await this.archiveDownloadUrl(archiveId);
    const d = new ArchiveDownload(this, archiveId, url, this.#fetch, checked);
    // Open now, so that a refused download rejects here rather than in the first read.
    for (;;) {
      try {
        await d.open();
        break;
      } catch (e) {
        await d.recover(e);
      }
    }
    let pulled = false;
    const stream = new ReadableStream(
      {
        pull: (controller) => {
          pulled = true;
          return d.pull(controller);
        },
        cancel: (reason) => d.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    // The SDK's own readers (verifyStream, ArchiveClaimer) take the chunks straight from the
    // download rather than through this stream: in Node 20 each chunk read through a web stream
    // costs CPU (about 0.3 s more per GiB than reading the response body alone, 64 KiB chunks,
    // bench/README.md "downloadArchive's stream"). The stream is locked first, so nothing else
    // can read it meanwhile; a stream already read from (a chunk may wait in its queue) and any
    // other reader use the stream as usual.
    Object.defineProperty(stream, DIRECT_CHUNKS, {
      value: () => {
        if (stream.locked || pulled) return null;
        stream.getReader(); // locks the stream: its chunks are ours from now on
        return directChunks(d);
      },
    });
    return stream;
  }

  // The list iterators (paginate.js, on the core's paginator); see the declarations.
  /** @param {unknown} [query] @param {unknown} [requestOptions] */
  users(query, requestOptions) {
    return userPages(this, query, requestOptions);
  }

  /** @param {unknown} [options] @param {unknown} [requestOptions] */
  archives(options, requestOptions) {
    return archivePages(this, options, requestOptions);
  }

  /** @param {unknown} [requestOptions] */
  webhookSubscriptions(requestOptions) {
    return subscriptionPages(this, requestOptions);
  }

  /** @param {unknown} [requestOptions] */
  apiTokens(requestOptions) {
    return tokenPages(this, requestOptions);
  }
}
