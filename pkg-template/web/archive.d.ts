// ArchiveChecksum (the wasm hasher composed with verifyStream) and ArchiveInspector: a
// Flexperto archive (zip) read through its central directory (pkg-template/web/archive.js).
import { ArchiveChecksum as WasmArchiveChecksum } from "./flexperto_sdk.js";
import type {
  ArchiveEntry, ArchiveFinding, ArchiveFolders, ChatHistory, ConferenceMetadata, VerifyStreamOptions,
} from "./flexperto_sdk.js";

// The shapes the Rust core produces (entries, findings, folders, the themis JSON documents) are
// generated from its types (tsify) into flexperto_sdk.d.ts; this file declares only what the
// hand-written JavaScript itself takes and makes.

/** What {@link ArchiveChecksum.verifyStream} reads: a web ReadableStream, a Node stream, or any async iterable of chunks. */
export type ArchiveByteStream = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
/** A stream whose SHA-256 matched. */
export interface VerifiedStream {
  /** The SHA-256, 64 lowercase hex characters. */
  sha256: string;
  /** How many bytes the stream had. */
  bytes: number;
}

/** A streaming SHA-256 of an archive file. Its state is a few hundred bytes, whatever the file's size. */
export declare class ArchiveChecksum extends WasmArchiveChecksum {
  /**
   * Hashes a whole stream (a web `ReadableStream`, a Node stream, or any async iterable of
   * `Uint8Array`) in constant memory and checks it against `expectedHex` like `verify`;
   * resolves to the digest and the byte count. In Node it hashes with `node:crypto` (several
   * times faster than any wasm SHA-256), on a worker thread once the stream reaches 1 MiB; in
   * browsers with the wasm hasher. The digests are compared in constant time either way.
   * `onProgress` is called after each chunk. Rejects with an `ArchiveError` (`INVALID_CHECKSUM`
   * before reading anything, `CHECKSUM_MISMATCH`), a `ValidationError` for a chunk that is not a
   * `Uint8Array` or a bad option, or the stream's own error.
   */
  static verifyStream(stream: ArchiveByteStream, expectedHex: string, options?: VerifyStreamOptions): Promise<VerifiedStream>;
}

/** Anything that can read byte ranges of an archive, e.g. ranged HTTP requests to object storage. */
export interface ArchiveRangeSource {
  /** The file's length in bytes. */
  readonly size: number;
  /** Exactly `length` bytes from `offset`. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close?(): void | Promise<void>;
}

/** What {@link ArchiveInspector.open} reads: a File or Blob, a path (Node only), or a range source. */
export type ArchiveSource = Blob | string | ArchiveRangeSource;

/**
 * A Flexperto archive (zip, zip64 over 4 GiB) read through its central directory: `open` reads
 * only the end of the file; `metadata()` and `chat()` read only their small JSON entries; the
 * recordings are never read. A truncated or corrupt zip rejects with an `ArchiveError`.
 */
export declare class ArchiveInspector {
  private constructor();
  /** Reads the zip's directory. Rejects with an `ArchiveError` (TRUNCATED, CORRUPT_ZIP, UNSUPPORTED_ZIP, LIMIT_EXCEEDED) or a `ValidationError` for a bad source. */
  static open(source: ArchiveSource): Promise<ArchiveInspector>;
  /** The file's length in bytes. */
  readonly size: number;
  /** Whether the zip uses zip64 end records. */
  readonly zip64: boolean;
  /** Every entry, in central-directory order. */
  readonly entries: readonly ArchiveEntry[];
  readonly folders: ArchiveFolders;
  /** Layout problems (no themis metadata, unknown top-level folders, `..` or absolute paths, ...). */
  readonly findings: readonly ArchiveFinding[];
  /** The entry `metadata()` reads: the first themis JSON whose name contains "meta". */
  readonly metadataEntry?: ArchiveEntry;
  /** The entry `chat()` reads: the first other themis JSON whose name contains "chat". */
  readonly chatEntry?: ArchiveEntry;
  /** The conference metadata, or undefined without one. Rejects with an `ArchiveError` (CRC_MISMATCH, INVALID_CONTENT with `path`, ...). */
  metadata(): Promise<ConferenceMetadata | undefined>;
  /** The chat history, or undefined without one. Rejects as `metadata()`. */
  chat(): Promise<ChatHistory | undefined>;
  /** One entry inflated into memory, size and CRC-32 checked (at most `maxBytes`, default 64 MiB: ENTRY_TOO_LARGE). */
  readEntry(entry: ArchiveEntry | string, options?: { maxBytes?: number }): Promise<Uint8Array>;
  /** Closes the file (Node paths); the inspector cannot read entries afterwards. */
  close(): Promise<void>;
}
