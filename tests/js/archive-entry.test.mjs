// `flexperto-sdk/archive`: the entry for a page (or a process) that only checks and inspects
// archives, on its own small wasm without the API client. The same classes' behaviour as the
// main entry's, and none of the client.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";

import * as archive from "flexperto-sdk/archive";
import * as full from "flexperto-sdk";
import { CHAT, METADATA, sampleEntries, writeZip } from "./archive-zip.mjs";

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("flexperto-sdk/package.json"));

test("exports the archive API only, from its own wasm", () => {
  assert.deepEqual(Object.keys(archive).filter((n) => n !== "default").sort(), ["ArchiveChecksum", "ArchiveInspector", "isDownloadable", "isFlexpertoError", "isTerminal"]);
  assert.notEqual(archive.ArchiveChecksum, full.ArchiveChecksum, "not the main entry's class");
  const own = readFileSync(join(pkgDir, "archive", "node", "flexperto_sdk_bg.wasm"));
  const main = readFileSync(join(pkgDir, "node", "flexperto_sdk_bg.wasm"));
  assert.ok(own.length < main.length / 2, `archive wasm ${own.length} B, main ${main.length} B`);
  const glue = readFileSync(join(pkgDir, "archive", "node", "flexperto_sdk.js"), "utf8");
  assert.ok(!/FlexpertoClient|WebhookVerifier|storageDecide/.test(glue), "no client in the archive wasm");
  // Same for both builds' declarations and the exports map.
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  assert.equal(pkg.exports["./archive"].node.default, "./archive/node/index.js");
  assert.equal(pkg.exports["./archive"].default.default, "./archive/web/index.js");
});

test("ArchiveChecksum and verifyStream, ArchiveInspector with metadata and chat", async () => {
  const { ArchiveChecksum, ArchiveInspector, isFlexpertoError } = archive;
  const data = Buffer.alloc(3 * 1024 * 1024 + 5, 3);
  const expected = createHash("sha256").update(data).digest("hex");
  const h = new ArchiveChecksum();
  h.update(data);
  assert.equal(h.digestHex(), expected);
  h.free();
  async function* chunks() { yield data.subarray(0, 1000); yield data.subarray(1000); }
  assert.deepEqual(await ArchiveChecksum.verifyStream(chunks(), expected), { sha256: expected, bytes: data.length });
  const e = await ArchiveChecksum.verifyStream(chunks(), "0".repeat(64)).catch((x) => x);
  assert.ok(isFlexpertoError(e) && e.code === "CHECKSUM_MISMATCH", String(e));
  const e2 = await ArchiveChecksum.verifyStream(chunks(), expected, { onProgres() {} }).catch((x) => x);
  assert.ok(isFlexpertoError(e2) && e2.code === "INVALID_ARGUMENT", String(e2));
  const zip = writeZip(sampleEntries());
  const a = await ArchiveInspector.open(new Blob([zip.bytes()]));
  assert.deepEqual(await a.metadata(), METADATA);
  assert.deepEqual(await a.chat(), CHAT);
  assert.deepEqual(a.findings, []);
  const big = await a.readEntry("themis/recordings/recording-0001.mp4", { maxBytes: 10 }).catch((x) => x);
  assert.equal(big.code, "ENTRY_TOO_LARGE");
  // Odd option values are refused, typed, in both entries (their options are read the same way).
  for (const api of [archive, full]) {
    const b = await api.ArchiveInspector.open(new Blob([zip.bytes()]));
    const getter = { get maxBytes() { throw new Error("boom"); } };
    const odd = [{ maxBytes: NaN }, { maxBytes: Infinity }, { maxBytes: Symbol("x") }, { maxBytes: () => 1 }, { maxBytes: 10n }, { maxBytes: "10" }, { maxBytes: -1 }, { maxByte: 1 }, getter, [1], 5];
    for (const [i, options] of odd.entries()) {
      const e = await b.readEntry("themis/metadata.json", options).catch((x) => x);
      assert.ok(api.isFlexpertoError(e) && e.code === "INVALID_ARGUMENT", `odd option ${i}: ${e}`);
    }
    assert.ok((await b.readEntry("themis/metadata.json", { maxBytes: undefined })).length > 0);
    await b.close();
  }
  await a.close();
});
