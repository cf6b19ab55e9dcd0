// ArchiveChecksum.verifyStream and ArchiveInspector, in JavaScript over the wasm core: the I/O
// (reading a stream, ranged reads of a Blob or a file) and the inflating (the platform's own
// inflater: DecompressionStream in browsers, node:zlib in Node) happen here; every decision about
// the bytes (the zip's end records and central directory, the layout findings, each entry's size
// and CRC-32, the JSON shapes, the digest comparison) is made in wasm, one crossing per step.
// Shared by the browser and the Node builds (scripts/build.sh converts it to CommonJS); the Node
// build passes a `platform` with node:crypto, node:zlib and node:fs.
import { argumentError, sdkError } from "./errors.js";
import { takeInternal } from "./internal.js";

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder("utf-8", { fatal: true });
/** Enough for the end record with the longest comment, the zip64 locator and record. */
const TAIL_LEN = 22 + 0xffff + 20 + 56;
/** The largest entry read into memory (metadata, chat): 64 MiB, as the Rust reader. */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

function archiveError(code, message, extra) {
  return sdkError("ArchiveError", code, message, extra);
}

function checkOptions(options, allowed, field) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object") throw argumentError(field, "must be an object");
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw argumentError(field, `unknown option ${JSON.stringify(k)} (allowed: ${allowed.join(", ")})`);
  }
  return options;
}

/** The chunks of a web ReadableStream, a Node stream or any (async) iterable. */
async function* chunksOf(stream) {
  if (stream && typeof stream[Symbol.asyncIterator] === "function") {
    yield* stream;
  } else if (stream && typeof stream.getReader === "function") {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else if (stream && typeof stream[Symbol.iterator] === "function" && typeof stream !== "string") {
    yield* stream;
  } else {
    throw argumentError("stream", "must be a ReadableStream, a Node stream or an async iterable of Uint8Array");
  }
}

// --- the sources ArchiveInspector reads from: { size, read(offset, length), close() } ---

function blobSource(blob) {
  return {
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
    async close() {},
  };
}

function customSource(source) {
  if (!Number.isSafeInteger(source.size) || source.size < 0) throw argumentError("source.size", "must be a non-negative integer");
  return {
    size: source.size,
    read: (offset, length) => source.read(offset, length),
    close: async () => source.close?.(),
  };
}

/** Inflates raw deflate data with DecompressionStream, never producing more than `limit` bytes. */
async function inflateWithStreams(data, limit) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const parts = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        return null; // more than declared
      }
      parts.push(value);
    }
  } catch (e) {
    throw archiveError("CORRUPT_ZIP", `corrupt zip: invalid deflate data (${e?.message ?? e})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function installArchiveApi(sdk, platform = {}) {
  const { ArchiveChecksum, zipDirectory, zipDataOffset, zipCheckEntry } = sdk;
  const verifyDigest = takeInternal(ArchiveChecksum, "verifyDigest").value;

  Object.defineProperty(ArchiveChecksum, "verifyStream", {
    configurable: true,
    writable: true,
    value: async function verifyStream(stream, expectedHex, options) {
      const { onProgress } = checkOptions(options, ["onProgress"], "options");
      if (onProgress !== undefined && typeof onProgress !== "function") throw argumentError("onProgress", "must be a function");
      verifyDigest(EMPTY, expectedHex); // INVALID_CHECKSUM before reading anything
      // Node: node:crypto, on a worker thread for long streams (several times faster than wasm,
      // and off the thread that receives the download); browsers: the wasm hasher.
      const hash = platform.streamHash ? platform.streamHash() : new ArchiveChecksum();
      let bytes = 0;
      try {
        for await (const chunk of chunksOf(stream)) {
          if (!(chunk instanceof Uint8Array)) throw argumentError("chunk", "stream chunks must be Uint8Array (or Buffer)");
          const wait = hash.update(chunk);
          if (wait) await wait;
          bytes += chunk.length;
          if (onProgress) onProgress({ bytes });
        }
        let sha256;
        if (platform.streamHash) {
          const digest = await hash.digest();
          verifyDigest(digest, expectedHex);
          sha256 = digest.toString("hex");
        } else {
          hash.verify(expectedHex);
          sha256 = hash.digestHex();
        }
        return { sha256, bytes };
      } finally {
        if (platform.streamHash) hash.close();
        else hash.free();
      }
    },
  });

  async function openSource(source) {
    if (typeof Blob !== "undefined" && source instanceof Blob) return blobSource(source);
    if (typeof source === "string") {
      if (!platform.openFile) throw argumentError("source", "a path works in Node only: pass a File or Blob");
      return platform.openFile(source);
    }
    if (source && typeof source === "object" && typeof source.read === "function") return customSource(source);
    throw argumentError("source", "must be a File or Blob, a path (Node), or { size, read(offset, length) }");
  }

  async function readExactly(src, offset, length) {
    if (offset + length > src.size) throw archiveError("TRUNCATED", `truncated zip: ${length} bytes at ${offset} lie past the end of the file`);
    const bytes = await src.read(offset, length);
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      throw archiveError("TRUNCATED", `truncated zip: read ${bytes?.length ?? 0} of ${length} bytes at ${offset}`);
    }
    return bytes;
  }

  const SOURCE = Symbol("source");

  /** A zip archive read through its central directory: never the recordings into memory. */
  class ArchiveInspector {
    constructor() {
      throw new TypeError("use ArchiveInspector.open(source)");
    }

    static async open(source) {
      const src = await openSource(source);
      try {
        let length = Math.min(src.size, TAIL_LEN);
        let dir;
        for (;;) {
          const tail = await readExactly(src, src.size - length, length);
          dir = JSON.parse(zipDirectory(tail, src.size));
          if (dir.readTail === undefined) break;
          if (dir.readTail <= length || dir.readTail > src.size) throw archiveError("CORRUPT_ZIP", "corrupt zip: inconsistent end records");
          length = dir.readTail;
        }
        const entries = dir.entries.map(([name, method, flags, crc32, compressedSize, size, localHeaderOffset]) => ({
          name, size, compressedSize, method, crc32, localHeaderOffset,
          isDirectory: name.endsWith("/"), encrypted: (flags & 1) !== 0,
        }));
        const inspector = Object.create(ArchiveInspector.prototype);
        const pick = (indexes) => indexes.map((i) => entries[i]);
        Object.defineProperties(inspector, {
          [SOURCE]: { value: src, writable: true },
          size: { value: src.size, enumerable: true },
          zip64: { value: dir.zip64, enumerable: true },
          entries: { value: entries, enumerable: true },
          folders: {
            value: { themis: pick(dir.themis), mithra: pick(dir.mithra), whiteboard: pick(dir.whiteboard), other: pick(dir.other) },
            enumerable: true,
          },
          findings: {
            value: dir.findings.map(([code, name]) => (name === null ? { code } : { code, name })),
            enumerable: true,
          },
          metadataEntry: { value: dir.metadata === null ? undefined : entries[dir.metadata], enumerable: true },
          chatEntry: { value: dir.chat === null ? undefined : entries[dir.chat], enumerable: true },
        });
        return inspector;
      } catch (e) {
        await src.close();
        throw e;
      }
    }

    /** Reads one entry into memory (inflated, size and CRC-32 checked). For small entries. */
    async readEntry(entry, options) {
      const { maxBytes = MAX_ENTRY_BYTES } = checkOptions(options, ["maxBytes"], "options");
      return readData(this, typeof entry === "string" ? this.entries.find((e) => e.name === entry) : entry, 0, maxBytes);
    }

    /** The conference metadata (themis), or undefined when the archive has none. */
    async metadata() {
      const e = this.metadataEntry;
      return e && JSON.parse(decoder.decode(await readData(this, e, 1, MAX_ENTRY_BYTES)));
    }

    /** The chat history (themis), or undefined when the archive has none. */
    async chat() {
      const e = this.chatEntry;
      return e && JSON.parse(decoder.decode(await readData(this, e, 2, MAX_ENTRY_BYTES)));
    }

    async close() {
      const src = this[SOURCE];
      this[SOURCE] = null;
      await src?.close();
    }
  }

  /** Reads one entry: local header, data, inflate (bounded by the declared size), then the checks in wasm. */
  async function readData(inspector, entry, kind, maxBytes) {
    if (!entry || !inspector.entries.includes(entry)) throw argumentError("entry", "not an entry of this archive");
    const src = inspector[SOURCE];
    if (!src) throw argumentError("entry", "the inspector is closed");
    if (entry.encrypted) throw archiveError("UNSUPPORTED_ZIP", "unsupported zip: encrypted entry");
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
      throw archiveError("UNSUPPORTED_COMPRESSION", `unsupported compression method ${entry.method}`);
    }
    if (entry.size > maxBytes) {
      throw archiveError("ENTRY_TOO_LARGE", `entry of ${entry.size} bytes exceeds the in-memory limit of ${maxBytes} bytes`);
    }
    const header = await readExactly(src, entry.localHeaderOffset, 30);
    const start = entry.localHeaderOffset + zipDataOffset(header);
    const raw = await readExactly(src, start, entry.compressedSize);
    let data = raw;
    if (entry.method === METHOD_DEFLATE) {
      data = platform.inflateRaw ? platform.inflateRaw(raw, entry.size) : await inflateWithStreams(raw, entry.size);
      if (data === null) throw archiveError("CORRUPT_ZIP", `corrupt zip: the entry inflates to more than the ${entry.size} bytes declared`);
    }
    zipCheckEntry(entry.name, kind, data, entry.size, entry.crc32);
    return data;
  }

  return { ArchiveInspector };
}
