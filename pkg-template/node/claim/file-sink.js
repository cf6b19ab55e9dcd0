"use strict";
// FileArchiveSink: stores each archive as one file in a folder, durably and without ever
// replacing a different file.
//
// The sink interface (index.d.ts, ArchiveSink), which an object-storage sink implements the same
// way: `open(record)` resolves to a writer; `writer.write(chunk)` resolves once the chunk is
// accepted; `writer.commit()` resolves to a receipt (any JSON value, kept in the ledger) only
// when the file is durably stored under its final name; `writer.abort()` throws the partial file
// away. commit() rejects with `code: "SINK_CONFLICT"` when a DIFFERENT file already has the name
// (the archive is then quarantined, never abandoned); an identical file there is a success.
//
// Partial files live in `{dir}/.partial/`, named after the final file plus the writer's pid and a
// random part. Only the holder of an archive's lease opens a writer for it, so when a writer is
// opened, every other partial file of the same archive belongs to an earlier holder that was
// killed before its commit or abort: open() deletes them. That folder holds only the files being
// written, so looking through it costs the same however many archives `dir` keeps.

const fsp = require("node:fs/promises");
const path = require("node:path");
const { randomBytes } = require("node:crypto");
const { fileSinkOptions, sinkFileName } = require("../flexperto_sdk.js");
const { sdkError } = require("../errors.js");

const COMPARE_CHUNK = 1 << 20;
const PARTIAL = ".partial";
const WRITE_BATCH = 64 << 10;

/** Whether the files at `a` and `b` have the same bytes. */
async function sameContent(a, b) {
  const [fa, fb] = await Promise.all([fsp.open(a, "r"), fsp.open(b, "r")]);
  try {
    const [sa, sb] = await Promise.all([fa.stat(), fb.stat()]);
    if (sa.size !== sb.size) return false;
    const ba = Buffer.allocUnsafe(COMPARE_CHUNK);
    const bb = Buffer.allocUnsafe(COMPARE_CHUNK);
    for (let at = 0; at < sa.size; ) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, COMPARE_CHUNK, at), fb.read(bb, 0, COMPARE_CHUNK, at)]);
      if (ra.bytesRead !== rb.bytesRead || ra.bytesRead === 0) return false;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      at += ra.bytesRead;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

/** fsync of a folder, so that a new name in it survives a crash. */
async function syncDir(dir) {
  const fh = await fsp.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

class FileArchiveWriter {
  #fh;
  #tmp;
  #final;
  #dir;
  #bytes = 0;
  #closed = false;
  #buf = Buffer.allocUnsafeSlow(WRITE_BATCH);
  #filled = 0;

  constructor(fh, tmp, final, dir) {
    this.#fh = fh;
    this.#tmp = tmp;
    this.#final = final;
    this.#dir = dir;
  }

  async write(chunk) {
    if (this.#closed) throw new Error("FileArchiveSink: write after commit or abort");
    // Chunks are copied into one buffer of WRITE_BATCH bytes, written when full: small chunks
    // are gathered (a write each costs a thread-pool round trip), and the buffer is the
    // writer's own for its whole life. 64 KiB, measured: batches of 1 MiB made 20 concurrent
    // 50 MiB files 3-5x slower to write than 64 KiB writes on the development machine's disk.
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, WRITE_BATCH - this.#filled);
      this.#buf.set(n === chunk.length ? chunk : chunk.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === WRITE_BATCH) await this.#flush();
    }
    this.#bytes += chunk.length;
  }

  async #flush() {
    let at = 0;
    while (at < this.#filled) {
      const { bytesWritten } = await this.#fh.write(this.#buf, at, this.#filled - at);
      at += bytesWritten;
    }
    this.#filled = 0;
  }

  /**
   * fsync the file, give it its final name without replacing anything (a hard link fails if
   * the name exists, where rename would replace it), drop the temporary name, fsync the folder.
   */
  async commit() {
    if (this.#closed) throw new Error("FileArchiveSink: commit after commit or abort");
    this.#closed = true;
    let alreadyPresent = false;
    try {
      await this.#flush();
      await this.#fh.sync();
      await this.#fh.close();
      try {
        await fsp.link(this.#tmp, this.#final);
      } catch (e) {
        if (e?.code !== "EEXIST") throw e;
        if (!(await sameContent(this.#tmp, this.#final))) {
          throw sdkError("SinkError", "SINK_CONFLICT", `a different file already exists at ${this.#final}`, { path: this.#final });
        }
        alreadyPresent = true;
      }
      await fsp.unlink(this.#tmp);
      await syncDir(this.#dir);
    } catch (e) {
      await fsp.unlink(this.#tmp).catch(() => {});
      throw e;
    }
    return { path: this.#final, bytes: this.#bytes, alreadyPresent };
  }

  async abort() {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close().catch(() => {});
    await fsp.unlink(this.#tmp).catch(() => {});
  }
}

/** Stores archives as `{dir}/{conferenceId}--{archiveId}.zip`. */
class FileArchiveSink {
  #dir;
  #ready = null;

  constructor(options) {
    const dir = fileSinkOptions(options); // checked in the wasm core (src/wasm/js_options.rs)
    this.#dir = path.resolve(dir);
  }

  /** The folder the files go to. */
  get dir() {
    return this.#dir;
  }

  /** The final path of an archive's file. */
  pathOf(record) {
    return path.join(this.#dir, sinkFileName(record)); // checked in the wasm core
  }

  async open(record) {
    const final = this.pathOf(record);
    const partial = path.join(this.#dir, PARTIAL);
    this.#ready ??= fsp.mkdir(partial, { recursive: true }).catch((e) => {
      this.#ready = null;
      throw e;
    });
    await this.#ready;
    const base = path.basename(final);
    await this.#dropStale(partial, `${base}.`);
    const tmp = path.join(partial, `${base}.${process.pid}.${randomBytes(6).toString("hex")}.part`);
    let fh;
    try {
      fh = await fsp.open(tmp, "wx", 0o600);
    } catch (e) {
      if (e?.code !== "ENOENT") throw e;
      // The folder was removed since it was made: make it again, once.
      await fsp.mkdir(partial, { recursive: true });
      fh = await fsp.open(tmp, "wx", 0o600);
    }
    return new FileArchiveWriter(fh, tmp, final, this.#dir);
  }

  /** Deletes the partial files of earlier writers of the same archive (see the top of this file). */
  async #dropStale(partial, prefix) {
    const names = await fsp.readdir(partial).catch((e) => {
      if (e?.code === "ENOENT") return [];
      throw e;
    });
    for (const name of names) {
      if (name.startsWith(prefix) && name.endsWith(".part")) {
        await fsp.unlink(path.join(partial, name)).catch((e) => {
          if (e?.code !== "ENOENT") throw e;
        });
      }
    }
  }
}

module.exports = { FileArchiveSink };
