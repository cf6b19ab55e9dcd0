// @ts-check
// ArchiveChecksum (the wasm class, composed with verifyStream) and ArchiveInspector, in JavaScript
// over the wasm core: the I/O (reading a stream, ranged reads of a Blob or a file) and the
// inflating (the platform's own inflater: DecompressionStream in browsers, node:zlib in Node)
// happen here; every decision (the options, the zip's end records and central directory, the
// limits, the layout findings, each entry's size and CRC-32, the JSON shapes, the digest
// comparison) is made in wasm, one crossing per step.
// Shared by the browser and the Node builds (scripts/build.sh converts it to CommonJS); the Node
// build passes a `platform` with node:crypto, node:zlib and node:fs.
import {
  ArchiveChecksum as WasmArchiveChecksum, archiveReadEntryMaxBytes, archiveVerifyDigest, archiveVerifyStreamOptions,
  zipCheckEntry, zipCheckLocalName, zipCheckReadable, zipDataOffset, zipDirectory, zipTailLength,
} from "./flexperto_sdk.js";
import { archiveError, argumentError, pathError, unreadable } from "./errors.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * @param {string} code
 * @param {string} message
 */

/**
 * The chunks of a web ReadableStream, a Node stream or any (async) iterable (verifyStream's
 * input; the claimer's downloads too).
 * @param {any} stream
 * @returns {AsyncGenerator<unknown>}
 */
export async function* chunksOf(stream) {
  let direct;
  let kind;
  try {
    // A stream of downloadArchive: its chunks straight from the download (see archive-client.js).
    direct = stream?.[Symbol.for("flexperto-sdk.directChunks")]?.();
    kind = direct ? "direct" : streamKind(stream);
  } catch (e) {
    throw unreadable("stream", e);
  }
  if (kind === "direct") {
    yield* direct;
  } else if (kind === "async") {
    yield* stream;
  } else if (kind === "reader") {
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
  } else if (kind === "sync") {
    yield* stream;
  } else {
    throw argumentError("stream", "must be a ReadableStream, a Node stream or an async iterable of Uint8Array");
  }
}

/** @param {any} stream */
function streamKind(stream) {
  if (stream && typeof stream[Symbol.asyncIterator] === "function") return "async";
  if (stream && typeof stream.getReader === "function") return "reader";
  if (stream && typeof stream[Symbol.iterator] === "function" && typeof stream !== "string") return "sync";
  return undefined;
}

// --- the sources ArchiveInspector reads from: { size, read(offset, length), close() } ---

/** @typedef {{ size: number, read(offset: number, length: number): Promise<Uint8Array>, close(): Promise<void> }} Source */
/** @typedef {{ name: string, size: number, compressedSize: number, method: number, crc32: number, localHeaderOffset: number, isDirectory: boolean, encrypted: boolean }} Entry */

/** @param {Blob} blob @returns {Source} */
function blobSource(blob) {
  return {
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
    async close() {},
  };
}

/** @param {any} source @returns {Source} */
function customSource(source) {
  if (!Number.isSafeInteger(source.size) || source.size < 0) throw argumentError("source.size", "must be a non-negative integer");
  return {
    size: source.size,
    read: (offset, length) => source.read(offset, length),
    close: async () => source.close?.(),
  };
}

/**
 * @typedef {object} Platform What the Node build adds (pkg-template/node/archive-node.js).
 * @property {() => any} [streamHash] a SHA-256 over node:crypto, on a worker thread
 * @property {(path: string) => Promise<Source>} [openFile] ranged reads of a file
 * @property {(raw: Uint8Array, size: number) => Uint8Array | null | Promise<Uint8Array | null>} inflateRaw
 *   raw deflate, never more than `size` + 1 bytes (null when more): node:zlib in Node,
 *   DecompressionStream in browsers (inflate.js; kept out of the Node bundles, which never use it)
 */

/**
 * The archive classes over `platform`.
 * @param {Platform} platform
 */
export function makeArchiveApi(platform) {
  /** A streaming SHA-256 of an archive file (the wasm hasher), plus `verifyStream`. */
  class ArchiveChecksum extends WasmArchiveChecksum {
    /**
     * Hashes a whole stream and checks it against `expectedHex`; see the declarations.
     * @param {any} stream
     * @param {unknown} expectedHex
     * @param {unknown} [options]
     * @returns {Promise<{ sha256: string, bytes: number }>}
     */
    static async verifyStream(stream, expectedHex, options) {
      // The options and the checksum's form, before anything is read.
      const onProgress = archiveVerifyStreamOptions(expectedHex, options);
      // Node: node:crypto, on a worker thread for long streams (several times faster than wasm,
      // and off the thread that receives the download); browsers: the wasm hasher.
      const hash = platform.streamHash ? platform.streamHash() : new WasmArchiveChecksum();
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
          archiveVerifyDigest(digest, expectedHex);
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
    }
  }

  /** @param {any} source @returns {Promise<Source>} */
  async function openSource(source) {
    let kind;
    try {
      if (typeof Blob !== "undefined" && source instanceof Blob) kind = "blob";
      else if (typeof source === "string") kind = "path";
      else if (source && typeof source === "object" && typeof source.read === "function") kind = "custom";
    } catch (e) {
      throw unreadable("source", e);
    }
    if (kind === "blob") return blobSource(source);
    if (kind === "path") {
      if (!platform.openFile) throw argumentError("source", "a path works in Node only: pass a File or Blob");
      try {
        return await platform.openFile(source);
      } catch (e) {
        // No such file, a folder, a name too long, no permission: the path is refused; any other
        // failure (no more file handles, a disk error) is thrown as it is. The wasm core decides.
        throw pathError("source", "cannot be opened", e);
      }
    }
    if (kind === "custom") return customSource(source);
    throw argumentError("source", "must be a File or Blob, a path (Node), or { size, read(offset, length) }");
  }

  /** @param {Source} src @param {number} offset @param {number} length */
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
    // Set by open() on an object made without this constructor (declared here for the types).
    /** @type {readonly Entry[]} */ entries;
    /** @type {Entry | undefined} */ metadataEntry;
    /** @type {Entry | undefined} */ chatEntry;

    constructor() {
      throw argumentError("ArchiveInspector", "use await ArchiveInspector.open(source): it is not made with new");
    }

    /** @param {unknown} source @returns {Promise<ArchiveInspector>} */
    static async open(source) {
      const src = await openSource(source);
      try {
        let length = Math.min(src.size, zipTailLength());
        let dir;
        for (;;) {
          const tail = await readExactly(src, src.size - length, length);
          dir = JSON.parse(zipDirectory(tail, src.size));
          if (dir.readTail === undefined) break;
          if (dir.readTail <= length || dir.readTail > src.size) throw archiveError("CORRUPT_ZIP", "corrupt zip: inconsistent end records");
          length = dir.readTail;
        }
        /** @type {Entry[]} */
        const entries = dir.entries.map((/** @type {[string, number, number, number, number, number, number, boolean, boolean]} */ [name, method, _flags, crc32, compressedSize, size, localHeaderOffset, isDirectory, encrypted]) => ({
          name, size, compressedSize, method, crc32, localHeaderOffset, isDirectory, encrypted,
        }));
        const inspector = Object.create(ArchiveInspector.prototype);
        const pick = (/** @type {number[]} */ indexes) => indexes.map((i) => entries[i]);
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
            value: dir.findings.map((/** @type {[string, string | null]} */ [code, name]) => (name === null ? { code } : { code, name })),
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

    /**
     * Reads one entry into memory (inflated, size and CRC-32 checked). For small entries.
     * @param {Entry | string} entry
     * @param {unknown} [options]
     */
    async readEntry(entry, options) {
      const maxBytes = archiveReadEntryMaxBytes(options);
      return readData(this, typeof entry === "string" ? this.entries.find((e) => e.name === entry) : entry, 0, maxBytes);
    }

    /** The conference metadata (themis), or undefined when the archive has none. */
    async metadata() {
      const e = this.metadataEntry;
      return e && JSON.parse(decoder.decode(await readData(this, e, 1, archiveReadEntryMaxBytes(undefined))));
    }

    /** The chat history (themis), or undefined when the archive has none. */
    async chat() {
      const e = this.chatEntry;
      return e && JSON.parse(decoder.decode(await readData(this, e, 2, archiveReadEntryMaxBytes(undefined))));
    }

    async close() {
      const src = this[SOURCE];
      this[SOURCE] = null;
      await src?.close();
    }
  }

  /**
   * Reads one entry: local header (its name checked against the listing), data, inflate (bounded by the declared size), then the checks in wasm.
   * @param {ArchiveInspector} inspector
   * @param {Entry | undefined} entry
   * @param {number} kind 0 any, 1 conference metadata, 2 chat history (their shapes are checked)
   * @param {number} maxBytes
   */
  async function readData(inspector, entry, kind, maxBytes) {
    if (!entry || !inspector.entries.includes(entry)) throw argumentError("entry", "not an entry of this archive");
    /** @type {Source | null} */
    const src = /** @type {any} */ (inspector)[SOURCE];
    if (!src) throw argumentError("entry", "the inspector is closed");
    // Encryption, the method, the in-memory limit and the sizes: the zip reader's rules.
    const deflated = zipCheckReadable(entry.method, entry.encrypted ? 1 : 0, entry.compressedSize, entry.size, maxBytes);
    const header = await readExactly(src, entry.localHeaderOffset, 30);
    const headerLength = zipDataOffset(header);
    // The local header's name and extra field, and the data, in one read.
    const rest = await readExactly(src, entry.localHeaderOffset + 30, headerLength - 30 + entry.compressedSize);
    const local = new Uint8Array(headerLength);
    local.set(header);
    local.set(rest.subarray(0, headerLength - 30), 30);
    zipCheckLocalName(entry.name, local);
    const raw = rest.subarray(headerLength - 30);
    let data = raw;
    if (deflated) {
      data = await platform.inflateRaw(raw, entry.size);
      if (data === null) throw archiveError("CORRUPT_ZIP", `corrupt zip: the entry inflates to more than the ${entry.size} bytes declared`);
    }
    zipCheckEntry(entry.name, kind, data, entry.size, entry.crc32);
    return data;
  }

  return { ArchiveChecksum, ArchiveInspector };
}
