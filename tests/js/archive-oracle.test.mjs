// ArchiveInspector against Python's zipfile as the oracle: zips that other readers accept although
// they are odd (a self-extractor's stub before them, a comment cut by the end of the file, a name
// holding a NUL), listed and read by the installed package as Python lists and reads them; and an
// entry whose declared sizes would have a read hold gigabytes, refused first.
// Needs python3 on the PATH (as tests/zip_interop.rs does).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { ArchiveInspector } from "flexperto-sdk";
import { METADATA, sampleEntries, writeZip } from "./archive-zip.mjs";

const dir = mkdtempSync(join(tmpdir(), "flexperto-archive-oracle-"));

function python(script, ...args) {
  const r = spawnSync("python3", ["-c", script, ...args], { encoding: "utf8" });
  assert.equal(r.status, 0, `python3 failed: ${r.stderr}`);
  return r.stdout;
}

// [name, hex data] per entry as Python's zipfile reads the file, or null when it refuses it.
const PY_READ = `
import json, sys, zipfile
try:
    z = zipfile.ZipFile(sys.argv[1])
    print(json.dumps([[i.filename, z.read(i).hex()] for i in z.infolist()]))
except zipfile.BadZipFile:
    print("null")
`;

async function sdkReads(source) {
  const a = await ArchiveInspector.open(source);
  try {
    const out = [];
    for (const e of a.entries) out.push([e.name, Buffer.from(await a.readEntry(e)).toString("hex")]);
    return out;
  } finally {
    await a.close();
  }
}

/** Writes `bytes`, and checks that the SDK (from the path and from a Blob) reads what Python does. */
async function readsAsPython(name, bytes) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const expected = JSON.parse(python(PY_READ, path));
  assert.ok(Array.isArray(expected) && expected.length > 0, `Python reads ${name}`);
  assert.deepEqual(await sdkReads(path), expected, name);
  assert.deepEqual(await sdkReads(new Blob([bytes])), expected, `${name} (Blob)`);
  return expected;
}

test("a zip after a self-extractor's stub (classic and zip64) is read past the stub, as Python reads it", async () => {
  const stub = Buffer.alloc(70_000, 0xcc); // longer than the tail read first
  stub.write("MZ stub PK\x01\x02", "latin1");
  for (const zip64 of [false, true]) {
    const zip = writeZip(sampleEntries(), { zip64 }).bytes();
    const read = await readsAsPython(`prefixed-${zip64}.zip`, Buffer.concat([stub, zip]));
    assert.equal(read.length, sampleEntries().length);
    const a = await ArchiveInspector.open(new Blob([stub, zip]));
    assert.deepEqual(a.findings, []);
    assert.equal(a.zip64, zip64);
    assert.ok(a.entries.every((e) => e.localHeaderOffset >= stub.length));
    assert.equal((await a.metadata()).conferenceId, "conf_1");
  }
});

test("a comment cut by the end of the file (after a stub too), and a name holding a NUL, read as Python reads them", async () => {
  const base = join(dir, "python.zip");
  python(`
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.comment = b"written by Python, cut short below"
    z.writestr("themis/metadata.json", b'{"tenant_id":"acme"}')
    z.writestr("themis/NNNNNNNNNNN.json", b"[]")
`, base);
  const zip = readFileSync(base);
  await readsAsPython("comment-cut.zip", zip.subarray(0, zip.length - 20));
  const prefixed = Buffer.concat([Buffer.alloc(500, 0x90), zip]);
  await readsAsPython("prefixed-comment-cut.zip", prefixed.subarray(0, prefixed.length - 20));
  const withNul = Buffer.from(zip.toString("latin1").replaceAll("NNNNNNNNNNN", "chat\0hidden"), "latin1");
  const read = await readsAsPython("nul-in-name.zip", withNul);
  assert.equal(read[1][0], "themis/chat");
});

test("an entry whose local header names another file is listed with its findings, and not read (as in Python)", async () => {
  for (const [listed, finding] of [["../xt", "PARENT_SEGMENT"], ["/atxt", "ABSOLUTE_PATH"], ["C:/xt", "ABSOLUTE_PATH"]]) {
    const path = join(dir, "renamed.zip");
    const py = python(`
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("a.txt", b"hello")
data = open(sys.argv[1], "rb").read()
cd = data.rindex(b"PK\\x01\\x02")
data = data[:cd] + data[cd:].replace(b"a.txt", sys.argv[2].encode())
open(sys.argv[1], "wb").write(data)
z = zipfile.ZipFile(sys.argv[1])
try:
    z.read(z.namelist()[0])
    print(z.namelist()[0], "read")
except zipfile.BadZipFile:
    print(z.namelist()[0], "refused")
`, path, listed);
    assert.equal(py, `${listed} refused\n`);
    const a = await ArchiveInspector.open(path);
    assert.deepEqual(a.entries.map((e) => e.name), [listed]);
    assert.ok(a.findings.some((f) => f.code === finding && f.name === listed), JSON.stringify(a.findings));
    const e = await a.readEntry(listed).then(() => assert.fail("expected a rejection"), (err) => err);
    assert.equal(e.name, "ArchiveError", e.message);
    assert.equal(e.code, "CORRUPT_ZIP", e.message);
    assert.match(e.message, /a\.txt/);
    await a.close();
  }
});

test("a small entry whose directory record declares gigabytes of compressed data is refused before any is read", async () => {
  const zip = writeZip([
    { name: "themis/metadata.json", data: JSON.stringify(METADATA), deflate: true },
    { name: "themis/recordings/recording-0001.mp4", virtualSize: 5 * 2 ** 30 },
  ], { zip64: true });
  // The first central record's zip64 extra field: id, length, size, compressed size, offset.
  const [, cd] = zip.segments.find(([, b]) => b.subarray(0, 4).toString("latin1") === "PK\x01\x02");
  cd.writeBigUInt64LE(BigInt(3 * 2 ** 30), 46 + cd.readUInt16LE(28) + 4 + 8);
  const src = zip.source();
  const a = await ArchiveInspector.open(src);
  assert.equal(a.metadataEntry.compressedSize, 3 * 2 ** 30);
  const e = await a.metadata().then(() => assert.fail("expected a rejection"), (err) => err);
  assert.equal(e.name, "ArchiveError", e.message);
  assert.equal(e.code, "CORRUPT_ZIP", e.message);
  assert.ok(src.bytesRead < 200_000, `${src.bytesRead} bytes read`);
  await a.close();
});
