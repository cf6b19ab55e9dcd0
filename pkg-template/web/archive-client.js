// The archive method of FlexpertoClient that streams: downloadArchive() fetches the file from
// object storage. Storage is another host with its own signed URL, so the download is a plain fetch WITHOUT the api-key header (the key never leaves
// the API's host); a broken connection resumes with Range (If-Range on the ETag), and an expired
// URL is resolved again through the API.

import { argumentError, sdkError } from "./errors.js";
import { sleep, takeInternal } from "./internal.js";

const STATUS_CODES = { 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 410: "GONE", 429: "RATE_LIMITED" };
const DOWNLOAD = "downloadArchive";

function storageError(status) {
  const code = STATUS_CODES[status] ?? (status >= 500 ? "SERVER_ERROR" : "HTTP_ERROR");
  return sdkError("ApiError", code, `object storage answered ${status}`, { status, operation: DOWNLOAD });
}

// "bytes 100-199/1000" -> { start: 100, total: 1000 } (total undefined for "*").
function contentRange(value) {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value ?? "");
  if (m === null) return null;
  return { start: Number(m[1]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

function invalid(message) {
  return sdkError("ApiError", "INVALID_RESPONSE", message, { status: 0, operation: DOWNLOAD });
}

// Whether storage may serve from `url`: https, or http on a loopback host (the simulator), as
// for the Location the API redirects to (src/api/archives.rs).
function allowedStorageUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || (u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname));
  } catch {
    return false;
  }
}

/** Streams one archive file from storage, resuming after breaks; see downloadArchive. */
class ArchiveDownload {
  constructor(client, archiveId, url, options) {
    this.client = client;
    this.archiveId = archiveId;
    this.url = url;
    this.fetchImpl = fetchFunctionOf(client) ?? globalThis.fetch;
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
    this.totalBytes = undefined;
    this.etag = null;
    this.resumes = 0;
    this.reader = null;
    this.skip = 0; // bytes to drop when storage ignored a Range and sent from the start
  }

  // One GET from the current offset. No api-key: only Range (and If-Range) are sent.
  async open() {
    const headers = {};
    if (this.bytes > 0) {
      headers.range = `bytes=${this.bytes}-`;
      if (this.etag !== null) headers["if-range"] = this.etag;
    }
    const fetchImpl = this.fetchImpl;
    const res = await fetchImpl(this.url, { method: "GET", headers, signal: this.signal });
    const refuse = async (error) => {
      await res.body?.cancel().catch(() => {});
      throw error;
    };
    if (res.url && !allowedStorageUrl(res.url)) await refuse(invalid("object storage redirected to a URL that is not https"));
    const etag = res.headers.get("etag");
    const len = res.headers.get("content-length");
    const length = len !== null && /^\d+$/.test(len) ? Number(len) : undefined;
    if (res.status === 206 && this.bytes > 0) {
      const range = contentRange(res.headers.get("content-range"));
      if (range === null || range.start !== this.bytes) await refuse(invalid("object storage sent another range than asked"));
      if ((this.etag !== null && etag !== null && etag !== this.etag) || (this.totalBytes !== undefined && range.total !== undefined && range.total !== this.totalBytes)) {
        await refuse(invalid("the archive file changed during the download"));
      }
      this.totalBytes ??= range.total;
      this.skip = 0;
    } else if (res.status === 200) {
      // A full answer: the first one, or storage ignored the Range (or the file changed, per If-Range).
      if (this.bytes > 0 && ((this.etag !== null && etag !== this.etag) || (this.totalBytes !== undefined && length !== undefined && length !== this.totalBytes))) {
        await refuse(invalid("the archive file changed during the download"));
      }
      this.etag ??= etag;
      this.totalBytes ??= length;
      this.skip = this.bytes;
    } else if (res.status === 416 && this.totalBytes !== undefined && this.bytes >= this.totalBytes) {
      await res.body?.cancel().catch(() => {});
      return false; // everything had arrived before the break
    } else {
      await refuse(storageError(res.status));
    }
    if (res.body === null) throw storageError(res.status);
    this.reader = res.body.getReader();
    return true;
  }

  // Decides after a failure: resume (returns), or give up (throws).
  async recover(error) {
    if (this.signal.aborted) throw this.signal.reason ?? error;
    const status = error?.name === "ApiError" ? error.status : undefined;
    const transient = error?.name === "ApiError"
      ? error.code !== "INVALID_RESPONSE" && (status >= 500 || status === 429 || status === 403)
      : error?.name !== "ValidationError";
    if (!transient || this.resumes >= this.maxResumes) {
      if (error?.name === "ApiError") throw error;
      throw sdkError("NetworkError", "NETWORK", `archive download broke after ${this.bytes} bytes and ${this.resumes} resumes: ${error?.message ?? error}`, { operation: DOWNLOAD, bytes: this.bytes });
    }
    this.resumes += 1;
    await sleep(Math.min(100 * 2 ** (this.resumes - 1), 2000), this.signal);
    // 403: the signed URL may have expired; ask the API for a fresh one.
    if (status === 403) this.url = await this.client.archiveDownloadUrl(this.archiveId);
  }

  // The next chunk of the file, resuming as needed; null at its end.
  async next() {
    for (;;) {
      if (this.cancelled) return null;
      try {
        if (this.reader === null) {
          if (this.totalBytes !== undefined && this.bytes >= this.totalBytes) return null;
          if (!(await this.open())) return null;
        }
        const { done, value } = await this.reader.read();
        if (this.cancelled) return null;
        if (done) {
          this.reader = null;
          if (this.skip > 0) throw invalid("object storage sent less than was already received");
          if (this.totalBytes !== undefined && this.bytes < this.totalBytes) {
            throw new Error(`connection closed at ${this.bytes} of ${this.totalBytes} bytes`);
          }
          return null; // without a known length, a clean end is the end
        }
        let chunk = value;
        if (this.skip > 0) {
          const drop = Math.min(this.skip, chunk.length);
          this.skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) continue;
        }
        if (this.totalBytes !== undefined && this.bytes + chunk.length > this.totalBytes) {
          throw invalid("object storage sent more than the file's length");
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
    // Outside the download's error handling: a throwing callback errors the stream as it is.
    this.onProgress?.({ bytes: this.bytes, totalBytes: this.totalBytes, resumes: this.resumes });
  }

  cancel(reason) {
    this.cancelled = true;
    this.abort.abort(reason);
    return this.reader?.cancel(reason).catch(() => {});
  }
}

/** The client's `fetch` option (a getter taken off FlexpertoClient by installArchiveClientApi). */
let fetchFunctionOf;

export function installArchiveClientApi(FlexpertoClient) {
  const getter = takeInternal(FlexpertoClient.prototype, "fetchFunction").get;
  fetchFunctionOf = (client) => getter.call(client);
  Object.defineProperty(FlexpertoClient.prototype, "downloadArchive", {
    configurable: true,
    writable: true,
    value: async function downloadArchive(archiveId, options = {}) {
      if (options === null || typeof options !== "object") throw argumentError("options", "must be an object");
      const { onProgress, maxResumes = 5, signal } = options;
      if (onProgress !== undefined && typeof onProgress !== "function") throw argumentError("onProgress", "must be a function");
      if (!Number.isInteger(maxResumes) || maxResumes < 0 || maxResumes > 100) throw argumentError("maxResumes", "must be an integer from 0 to 100");
      if (signal !== undefined && !(signal instanceof AbortSignal)) throw argumentError("signal", "must be an AbortSignal");
      const url = await this.archiveDownloadUrl(archiveId);
      const d = new ArchiveDownload(this, archiveId, url, { onProgress, maxResumes, signal });
      // Open now, so that a refused download rejects here rather than in the first read.
      for (;;) {
        try {
          await d.open();
          break;
        } catch (e) {
          await d.recover(e);
        }
      }
      return new ReadableStream(
        {
          pull: (controller) => d.pull(controller),
          cancel: (reason) => d.cancel(reason),
        },
        { highWaterMark: 0 },
      );
    },
  });
  // archives(): paginate.js, with the other list iterators.
}
