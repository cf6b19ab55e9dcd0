// The archive API of the installed package in Node: ArchiveChecksum (wasm and verifyStream over
// node:crypto), the status predicates, and ArchiveInspector on zips written by archive-zip.mjs.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";

import { ArchiveChecksum, ArchiveInspector, isDownloadable, isFlexpertoError, isTerminal } from "flexperto-sdk";
import { CHAT, METADATA, sampleEntries, writeZip } from "./archive-zip.mjs";

const sha = (b) => createHash("sha256").update(b).digest("hex");
const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const dir = mkdtempSync(join(tmpdir(), "flexperto-archive-"));

async function rejects(promise, name, code) {
  const e = await promise.then(() => assert.fail("expected a rejection"), (err) => err);
  assert.ok(isFlexpertoError(e), `${e?.name}: ${e?.message}`);
  assert.equal(e.name, name, e.message);
  assert.equal(e.code, code, e.message);
  return e;
}

test("ArchiveChecksum: update, digestHex, verify in either case, typed errors", () => {
  const sum = new ArchiveChecksum();
  sum.update(Buffer.from("ab"));
  sum.update(new Uint8Array([0x63]));
  assert.equal(sum.digestHex(), ABC);
  assert.equal(sum.bytesHashed, 3);
  sum.verify(ABC.toUpperCase());
  let e = assert.throws(() => sum.verify(sha("x")), (err) => err.name === "ArchiveError" && err.code === "CHECKSUM_MISMATCH");
  try { sum.verify(sha("x")); } catch (err) { e = err; }
  assert.equal(e.expected, sha("x"));
  assert.equal(e.actual, ABC);
  assert.ok(isFlexpertoError(e));
  for (const bad of ["abc", `${ABC}0`, `${ABC.slice(0, 63)}g`, 42, undefined]) {
    assert.throws(() => sum.verify(bad), (err) => err.name === "ArchiveError" && err.code === "INVALID_CHECKSUM", String(bad));
  }
  assert.throws(() => sum.update("abc"), (err) => err.name === "ValidationError" && err.code === "INVALID_ARGUMENT");
  // A chunk larger than the 1 MiB copy piece.
  const big = Buffer.alloc(3 * 1024 * 1024 + 5, 1);
  const s2 = new ArchiveChecksum();
  s2.update(big);
  assert.equal(s2.digestHex(), sha(big));
  sum.free();
  s2.free();
});

test("verifyStream: Node stream, web ReadableStream and async iterable; progress; constant-time verdicts", async () => {
  const data = Buffer.alloc(5 * 1024 * 1024 + 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const file = join(dir, "blob.bin");
  writeFileSync(file, data);
  const expected = sha(data);
  const seen = [];
  const r = await ArchiveChecksum.verifyStream(createReadStream(file), expected.toUpperCase(), { onProgress: (p) => seen.push(p.bytes) });
  assert.deepEqual(r, { sha256: expected, bytes: data.length });
  assert.equal(seen.at(-1), data.length);
  assert.ok(seen.length > 1 && seen.every((b, i) => i === 0 || b > seen[i - 1]));
  assert.deepEqual(await ArchiveChecksum.verifyStream(Readable.toWeb(createReadStream(file)), expected), r);
  async function* gen() { yield data.subarray(0, 10); yield data.subarray(10); }
  assert.deepEqual(await ArchiveChecksum.verifyStream(gen(), expected), r);
  const e = await rejects(ArchiveChecksum.verifyStream(gen(), sha("other")), "ArchiveError", "CHECKSUM_MISMATCH");
  assert.equal(e.actual, expected);
  // A bad checksum is refused before anything is read.
  let pulled = false;
  async function* lazy() { pulled = true; yield data; }
  await rejects(ArchiveChecksum.verifyStream(lazy(), "nope"), "ArchiveError", "INVALID_CHECKSUM");
  assert.equal(pulled, false);
  async function* strings() { yield "text"; }
  await rejects(ArchiveChecksum.verifyStream(strings(), expected), "ValidationError", "INVALID_ARGUMENT");
  await rejects(ArchiveChecksum.verifyStream(42, expected), "ValidationError", "INVALID_ARGUMENT");
  await rejects(ArchiveChecksum.verifyStream(gen(), expected, { onProgres() {} }), "ValidationError", "INVALID_ARGUMENT");
});

test("isDownloadable and isTerminal, unknown statuses tolerated", () => {
  const table = {
    PROCESSING: [false, false], ARTIFACT_GATHERING_COMPLETE: [false, false], PACKING: [false, false],
    AVAILABLE: [true, false], FAILED: [false, true], ABANDONED: [true, false], EXPIRED: [false, true],
    available: [false, false], ARCHIVED_ELSEWHERE: [false, false], "": [false, false],
  };
  for (const [s, [d, t]] of Object.entries(table)) {
    assert.equal(isDownloadable(s), d, s);
    assert.equal(isTerminal(s), t, s);
  }
});

test("ArchiveInspector from a path: folders, typed metadata and chat, no findings", async () => {
  const zip = writeZip(sampleEntries());
  const file = join(dir, "archive.zip");
  writeFileSync(file, zip.bytes());
  const a = await ArchiveInspector.open(file);
  assert.equal(a.size, zip.size);
  assert.equal(a.zip64, false);
  assert.deepEqual(a.folders.themis.map((e) => e.name), [
    "themis/metadata.json", "themis/chat.json", "themis/uploads/offer.pdf", "themis/recordings/recording-0001.mp4",
  ]);
  assert.deepEqual(a.folders.mithra.map((e) => e.name), ["mithra/contract-0001.pdf"]);
  assert.deepEqual(a.folders.whiteboard.map((e) => e.name), ["whiteboard/events.json"]);
  assert.deepEqual(a.folders.other, []);
  assert.deepEqual(a.findings, []);
  assert.deepEqual(await a.metadata(), METADATA);
  assert.deepEqual(await a.chat(), CHAT);
  assert.equal(Buffer.from(await a.readEntry("mithra/contract-0001.pdf")).toString(), "%PDF-1.7 contract");
  await rejects(a.readEntry("themis/recordings/recording-0001.mp4", { maxBytes: 1000 }), "ArchiveError", "ENTRY_TOO_LARGE");
  await a.close();
});

test("ArchiveInspector from a Blob reads only the directory and the JSON entries", async () => {
  const zip = writeZip(sampleEntries({ recording: { data: Buffer.alloc(2_000_000, 9) } }));
  const src = zip.source();
  const a = await ArchiveInspector.open(src);
  await a.metadata();
  await a.chat();
  assert.ok(src.bytesRead < 200_000, `${src.bytesRead} bytes read`);
  const blob = new Blob([zip.bytes()]);
  const b = await ArchiveInspector.open(blob);
  assert.deepEqual(await b.metadata(), METADATA);
});

test("zip64: a 5 GiB recording, listed and its metadata read, without reading the recording", async () => {
  const zip = writeZip(sampleEntries({ recording: { virtualSize: 5 * 1024 ** 3 } }));
  const src = zip.source();
  const a = await ArchiveInspector.open(src);
  assert.equal(a.zip64, true);
  const rec = a.entries.find((e) => e.name.endsWith(".mp4"));
  assert.equal(rec.size, 5 * 1024 ** 3);
  assert.ok(a.size > 5 * 1024 ** 3);
  assert.deepEqual(await a.metadata(), METADATA);
  assert.ok(src.bytesRead < 200_000, `${src.bytesRead} bytes read`);
});

test("layout problems are findings, not failures", async () => {
  const entries = [
    { name: "themis/recordings/r.mp4", data: "x" },
    { name: "themis/../../etc/passwd", data: "x" },
    { name: "/abs.txt", data: "x" },
    { name: "extras/a.bin", data: "x" },
  ];
  const a = await ArchiveInspector.open(writeZip(entries).source());
  assert.deepEqual(a.findings, [
    { code: "PARENT_SEGMENT", name: "themis/../../etc/passwd" },
    { code: "ABSOLUTE_PATH", name: "/abs.txt" },
    { code: "UNKNOWN_TOP_LEVEL", name: "extras" },
    { code: "NO_THEMIS_METADATA" },
  ]);
  assert.deepEqual(a.folders.other.map((e) => e.name), ["/abs.txt", "extras/a.bin"]);
  assert.equal(await a.metadata(), undefined);
  assert.equal(await a.chat(), undefined);
});

test("truncated, corrupt and mis-shaped archives are typed ArchiveErrors", async () => {
  const bytes = writeZip(sampleEntries()).bytes();
  const blob = (b) => new Blob([b]);
  await rejects(ArchiveInspector.open(blob(bytes.subarray(0, bytes.length - 30))), "ArchiveError", "CORRUPT_ZIP");
  await rejects(ArchiveInspector.open(blob(bytes.subarray(0, 10))), "ArchiveError", "TRUNCATED");
  await rejects(ArchiveInspector.open(blob(Buffer.from("not a zip at all, not at all, not at all"))), "ArchiveError", "CORRUPT_ZIP");
  // Central directory cut off the front: the directory offset points into nothing.
  await rejects(ArchiveInspector.open(blob(bytes.subarray(200))), "ArchiveError", "CORRUPT_ZIP");
  // A wrong CRC in the central directory.
  const badCrc = writeZip([{ name: "themis/metadata.json", data: JSON.stringify(METADATA), deflate: true, crc: 1234 }]);
  const a = await ArchiveInspector.open(badCrc.source());
  await rejects(a.metadata(), "ArchiveError", "CRC_MISMATCH");
  // Corrupt deflate data.
  const corrupt = Buffer.from(writeZip([{ name: "themis/metadata.json", data: JSON.stringify(METADATA), deflate: true }]).bytes());
  corrupt.fill(0xff, 30 + "themis/metadata.json".length, 30 + "themis/metadata.json".length + 8);
  const c = await ArchiveInspector.open(blob(corrupt));
  const err = await c.metadata().then(() => null, (x) => x);
  assert.equal(err.name, "ArchiveError");
  assert.ok(["CORRUPT_ZIP", "TRUNCATED", "CRC_MISMATCH"].includes(err.code), err.code);
  // Metadata of an unexpected shape.
  const odd = writeZip(sampleEntries({ metadata: { ...METADATA, participants: [{ email: 7 }] } }));
  const e = await rejects((await ArchiveInspector.open(odd.source())).metadata(), "ArchiveError", "INVALID_CONTENT");
  assert.equal(e.path, "participants[0].email");
  assert.equal(e.entry, "themis/metadata.json");
  await rejects(ArchiveInspector.open(42), "ValidationError", "INVALID_ARGUMENT");
  // A path that cannot be opened is the argument's fault: a ValidationError, the OS error its cause.
  await assert.rejects(ArchiveInspector.open(join(dir, "missing.zip")), (e) =>
    e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "source" && /cannot be opened: ENOENT/.test(e.message) && e.cause?.code === "ENOENT");
  await assert.rejects(ArchiveInspector.open(dir), (e) => e.name === "ValidationError" && e.field === "source" && e.cause?.code === "EISDIR");
});
