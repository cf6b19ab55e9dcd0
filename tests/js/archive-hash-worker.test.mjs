// verifyStream in Node hashes long streams on a worker thread (pkg-template/node/archive-node.js,
// StreamHash): 1 MiB batches, at most 4 in flight. These tests cover the batch edges, streams
// running at once, a stream that fails half-way (the worker is reused afterwards), the cap on
// threads, a worker that cannot start (node:crypto on the main thread instead), a worker that
// dies mid-stream or before the digest (a rejection that says so, not a hang or a mismatch), and
// that no thread keeps the process alive.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { ArchiveChecksum } from "flexperto-sdk";

const MiB = 1 << 20;
const sha = (b) => createHash("sha256").update(b).digest("hex");

function bytes(length, seed) {
  const b = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** `data` as chunks of `size` bytes (the last one shorter). */
function* chunked(data, size) {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

test("verifyStream digests every length around the 1 MiB batches, in any chunk size", async () => {
  const data = bytes(9 * MiB + 123, 7);
  const lengths = [0, 1, MiB - 1, MiB, MiB + 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 123];
  for (const length of lengths) {
    const part = data.subarray(0, length);
    const expected = sha(part);
    // Tiny chunks only where they cross a batch edge: millions of 7-byte chunks take seconds.
    for (const size of length <= MiB + 1 ? [7, 65536, 3 * MiB + 1] : [65521, 3 * MiB + 1]) {
      const r = await ArchiveChecksum.verifyStream(chunked(part, size), expected);
      assert.deepEqual(r, { sha256: expected, bytes: length }, `length ${length}, chunks of ${size}`);
    }
  }
  // A mismatch is found the same way over several batches.
  const e = await ArchiveChecksum.verifyStream(chunked(data, 65536), sha("other")).catch((err) => err);
  assert.equal(e.code, "CHECKSUM_MISMATCH");
  assert.equal(e.actual, sha(data));
});

test("verifyStream: streams verified at once each get their own digest", async () => {
  const datas = [1, 2, 3, 4, 5].map((seed) => bytes(6 * MiB + seed, seed));
  const results = await Promise.all(datas.map((d) => ArchiveChecksum.verifyStream(chunked(d, 65536), sha(d))));
  assert.deepEqual(results.map((r) => r.sha256), datas.map(sha));
});

test("verifyStream: a stream failing half-way rejects with its error; the next stream verifies", async () => {
  const data = bytes(8 * MiB, 11);
  async function* failing() {
    yield* chunked(data.subarray(0, 5 * MiB), 65536);
    throw new Error("connection reset");
  }
  await assert.rejects(ArchiveChecksum.verifyStream(failing(), sha(data)), /connection reset/);
  for (let i = 0; i < 3; i++) {
    const r = await ArchiveChecksum.verifyStream(chunked(data, 65536), sha(data));
    assert.equal(r.bytes, data.length);
  }
});

/** Runs `source` (an ES module body) in a new Node process from the repository root; its output. */
function runNode(source) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the process did not exit within 20 s (it hung); stdout: ${out} stderr: ${err}`));
    }, 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}: ${err}`));
    });
  });
}

const PRELUDE = `
import { createHash } from "node:crypto";
import { ArchiveChecksum } from "flexperto-sdk";
const data = Buffer.alloc(6 * 1024 * 1024 + 5, 9);
const expected = createHash("sha256").update(data).digest("hex");
function* chunks() { for (let at = 0; at < data.length; at += 65536) yield data.subarray(at, at + 65536); }
`;

test("verifyStream leaves no thread holding the process open: after success, after a failed stream, during a stalled one", async () => {
  const out = await runNode(`${PRELUDE}
const r = await ArchiveChecksum.verifyStream(chunks(), expected);
async function* failing() { yield* chunks(); throw new Error("reset"); }
const e = await ArchiveChecksum.verifyStream(failing(), expected).catch((err) => err.message);
console.log(r.bytes, e);`);
  assert.equal(out, `${6 * MiB + 5} reset`);
  // A source that stalls for ever after 2 MiB, on a fresh thread: only the source could keep the
  // process open, and it does not.
  const stalled = await runNode(`${PRELUDE}
async function* stalled() { yield data.subarray(0, 2 * 1024 * 1024); await new Promise(() => {}); }
ArchiveChecksum.verifyStream(stalled(), expected);
console.log("waiting");`);
  assert.equal(stalled, "waiting");
});

test("verifyStream starts at most one thread per core but one; more streams share them", async () => {
  const out = await runNode(`
import workerThreads from "node:worker_threads";
import { availableParallelism } from "node:os";
const Real = workerThreads.Worker;
let started = 0;
workerThreads.Worker = class extends Real { constructor(...args) { super(...args); started += 1; } };
${PRELUDE}
const results = await Promise.all(Array.from({ length: 6 }, async () => {
  async function* slow() { for (const c of chunks()) { await new Promise((r) => setImmediate(r)); yield c; } }
  return (await ArchiveChecksum.verifyStream(slow(), expected)).sha256 === expected;
}));
console.log(results.every(Boolean), started >= 1 && started <= Math.max(1, availableParallelism() - 1));`);
  assert.equal(out, "true true");
});

test("verifyStream hashes on the main thread when no worker thread can start", async () => {
  const out = await runNode(`
import workerThreads from "node:worker_threads";
workerThreads.Worker = class { constructor() { throw new Error("no threads here"); } };
${PRELUDE}
const r = await ArchiveChecksum.verifyStream(chunks(), expected);
const e = await ArchiveChecksum.verifyStream(chunks(), "0".repeat(64)).catch((err) => err);
console.log(r.sha256 === expected, r.bytes, e.code);`);
  assert.equal(out, `true ${6 * MiB + 5} CHECKSUM_MISMATCH`);
});

/** A worker thread that stops itself after its second message (a batch), then the prelude. */
const DYING_WORKER = `
import workerThreads from "node:worker_threads";
const Real = workerThreads.Worker;
workerThreads.Worker = class extends Real {
  postMessage(m, t) { super.postMessage(m, t); if (++this.sent === 2) this.terminate(); }
  sent = 0;
};
${PRELUDE}`;

test("verifyStream reports a worker that died before the digest as such, not as a mismatch", async () => {
  const out = await runNode(`${DYING_WORKER}
// Two full batches, then a pause (the worker's exit arrives), then the last bytes.
async function* paused() {
  yield data.subarray(0, 2 * 1024 * 1024);
  await new Promise((r) => setTimeout(r, 200));
  yield data.subarray(2 * 1024 * 1024, 2 * 1024 * 1024 + 5);
}
const part = createHash("sha256").update(data.subarray(0, 2 * 1024 * 1024 + 5)).digest("hex");
const e = await ArchiveChecksum.verifyStream(paused(), part).catch((err) => err);
console.log(e.code === undefined, /worker thread stopped/.test(e.message));`);
  assert.equal(out, "true true");
});

test("verifyStream rejects, rather than hangs, when its worker thread dies mid-stream", async () => {
  const out = await runNode(`${DYING_WORKER}
const e = await ArchiveChecksum.verifyStream(chunks(), expected).catch((err) => err);
console.log(e instanceof Error, /worker thread stopped/.test(e.message));
// A new worker serves the next stream.
workerThreads.Worker = Real;
const r = await ArchiveChecksum.verifyStream(chunks(), expected);
console.log(r.sha256 === expected);`);
  assert.equal(out, "true true\ntrue");
});
