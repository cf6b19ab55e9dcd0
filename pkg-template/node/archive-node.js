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

const platform = {
  createHash(algorithm) {
    return (cryptoModule ??= require("node:crypto")).createHash(algorithm);
  },

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
