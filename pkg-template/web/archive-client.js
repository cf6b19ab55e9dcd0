// The archive methods of FlexpertoClient that stream: archives() pages through listArchives, and
// downloadArchive() fetches the file from object storage. Storage is another host with its own
// signed URL, so the download is a plain fetch WITHOUT the api-key header (the key never leaves
// the API's host); a broken connection resumes with Range (If-Range on the ETag), and an expired
// URL is resolved again through the API.

const STATUS_CODES = { 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 410: "GONE", 429: "RATE_LIMITED" };
const DOWNLOAD = "downloadArchive";

function sdkError(name, code, message, extra) {
  const e = new Error(message);
  e.name = name;
  e.code = code;
  return Object.assign(e, extra);
}

function storageError(status) {
  const code = STATUS_CODES[status] ?? (status >= 500 ? "SERVER_ERROR" : "HTTP_ERROR");
  return sdkError("ApiError", code, `object storage answered ${status}`, { status, operation: DOWNLOAD });
}

function argError(field, reason) {
  return sdkError("ValidationError", "INVALID_ARGUMENT", `${field}: ${reason}`, { field });
}

// "bytes 100-199/1000" -> { start: 100, total: 1000 } (total undefined for "*").
function contentRange(value) {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value ?? "");
  if (m === null) return null;
  return { start: Number(m[1]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });

/** Streams one archive file from storage, resuming after breaks; see downloadArchive. */
class ArchiveDownload {
  constructor(client, archiveId, url, options) {
    this.client = client;
    this.archiveId = archiveId;
    this.url = url;
    this.fetch = client.fetchFunction ?? globalThis.fetch;
    this.onProgress = options.onProgress;
    this.maxResumes = options.maxResumes;
    this.signal = options.signal;
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
    const res = await this.fetch(this.url, { method: "GET", headers, signal: this.signal });
    if (res.status === 206 && this.bytes > 0) {
      const range = contentRange(res.headers.get("content-range"));
      if (range === null || range.start !== this.bytes) {
        await res.body?.cancel();
        throw sdkError("ApiError", "INVALID_RESPONSE", "object storage sent another range than asked", { status: 206, operation: DOWNLOAD });
      }
      this.totalBytes ??= range.total;
      this.skip = 0;
    } else if (res.status === 200) {
      // A full answer: the first one, or storage ignored the Range (or the file changed, per If-Range).
      const etag = res.headers.get("etag");
      if (this.bytes > 0 && this.etag !== null && etag !== this.etag) {
        await res.body?.cancel();
        throw sdkError("ApiError", "INVALID_RESPONSE", "the archive file changed during the download", { status: 200, operation: DOWNLOAD });
      }
      this.etag = etag;
      const len = res.headers.get("content-length");
      if (len !== null && /^\d+$/.test(len)) this.totalBytes ??= Number(len);
      this.skip = this.bytes;
    } else {
      await res.body?.cancel();
      throw storageError(res.status);
    }
    if (res.body === null) throw storageError(res.status);
    this.reader = res.body.getReader();
  }

  // Decides after a failure: resume (true), or give up by throwing.
  async recover(error) {
    if (this.signal?.aborted) throw this.signal.reason ?? error;
    const status = error?.name === "ApiError" ? error.status : undefined;
    const transient = status === undefined ? error?.name !== "ValidationError" && error?.code !== "INVALID_RESPONSE" : status >= 500 || status === 429 || status === 403;
    if (!transient || this.resumes >= this.maxResumes) {
      if (status !== undefined || error?.name === "ApiError") throw error;
      throw sdkError("NetworkError", "NETWORK", `archive download broke after ${this.bytes} bytes and ${this.resumes} resumes: ${error?.message ?? error}`, { operation: DOWNLOAD, bytes: this.bytes });
    }
    this.resumes += 1;
    await sleep(Math.min(100 * 2 ** (this.resumes - 1), 2000), this.signal);
    // 403: the signed URL may have expired; ask the API for a fresh one.
    if (status === 403) this.url = await this.client.archiveDownloadUrl(this.archiveId);
    return true;
  }

  async pull(controller) {
    for (;;) {
      try {
        if (this.reader === null) await this.open();
        const { done, value } = await this.reader.read();
        if (done) {
          this.reader = null;
          if (this.totalBytes !== undefined && this.bytes < this.totalBytes) {
            throw new Error(`connection closed at ${this.bytes} of ${this.totalBytes} bytes`);
          }
          controller.close();
          return;
        }
        let chunk = value;
        if (this.skip > 0) {
          const drop = Math.min(this.skip, chunk.length);
          this.skip -= drop;
          chunk = chunk.subarray(drop);
          if (chunk.length === 0) continue;
        }
        this.bytes += chunk.length;
        controller.enqueue(chunk);
        this.onProgress?.({ bytes: this.bytes, totalBytes: this.totalBytes, resumes: this.resumes });
        return;
      } catch (e) {
        this.reader?.cancel().catch(() => {});
        this.reader = null;
        await this.recover(e);
      }
    }
  }
}

export function installArchiveClientApi(FlexpertoClient) {
  Object.defineProperty(FlexpertoClient.prototype, "downloadArchive", {
    configurable: true,
    writable: true,
    value: async function downloadArchive(archiveId, options = {}) {
      if (options === null || typeof options !== "object") throw argError("options", "must be an object");
      const { onProgress, maxResumes = 5, signal } = options;
      if (onProgress !== undefined && typeof onProgress !== "function") throw argError("onProgress", "must be a function");
      if (!Number.isInteger(maxResumes) || maxResumes < 0 || maxResumes > 100) throw argError("maxResumes", "must be an integer from 0 to 100");
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
          cancel: (reason) => d.reader?.cancel(reason),
        },
        { highWaterMark: 0 },
      );
    },
  });

  Object.defineProperty(FlexpertoClient.prototype, "archives", {
    configurable: true,
    writable: true,
    value: async function* archives(options = {}) {
      if (options === null || typeof options !== "object") throw argError("options", "must be an object");
      const { status, pageSize = 100 } = options;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw argError("pageSize", "must be an integer from 1 to 100");
      for (let offset = 0; ; ) {
        const query = { limit: pageSize, offset };
        if (status !== undefined) query.status = status;
        const page = await this.listArchives(query);
        yield* page.items;
        offset += page.items.length;
        if (page.items.length < pageSize || (page.total !== undefined && offset >= page.total)) return;
      }
    },
  });
}
