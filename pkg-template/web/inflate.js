// Raw deflate in browsers, with the platform's DecompressionStream: the `inflateRaw` of the web
// entries' archive platform (archive.js). Node inflates with node:zlib (node/archive-node.js), so
// the Node bundles leave this file out.
import { archiveError } from "./errors.js";

/**
 * Inflates raw deflate data with DecompressionStream, never producing more than `limit` bytes.
 * @param {Uint8Array} data
 * @param {number} limit
 * @returns {Promise<Uint8Array | null>}
 */
export async function inflateWithStreams(data, limit) {
  const stream = new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (data)]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
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
    throw archiveError("CORRUPT_ZIP", `corrupt zip: invalid deflate data (${/** @type {any} */ (e)?.message ?? e})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
