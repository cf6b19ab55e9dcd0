// Archive records and downloads on the installed package against the simulator: list, paging,
// get, the download URL on a separate storage origin (which must never see the api-key), resume
// after a broken connection, faults, abandon -> ABANDONED -> EXPIRED, and bad ids.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";

import { ArchiveChecksum, FlexpertoClient, isFlexpertoError } from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

let sim;
let client;
let apiKey;

before(async () => {
  sim = await startSim();
  apiKey = await sim.apiKey("admin");
  client = new FlexpertoClient({ baseUrl: sim.url, apiKey, maxRetries: 0 });
});
after(() => sim?.stop());

/** Ends a conference, moves the simulator clock past its packing steps, and waits for the checksum. */
async function availableArchive(opts = {}) {
  const { archiveId, conferenceId } = await sim.endConference({ sizeBytes: 300_000, ...opts });
  await sim.advanceClock(3);
  for (let i = 0; i < 200; i++) {
    const r = await client.getArchive(archiveId);
    if (r.status === "AVAILABLE" || r.status === "FAILED") return { archiveId, conferenceId, record: r };
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`archive ${archiveId} never became AVAILABLE`);
}

async function readAll(stream) {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

function assertNoKeyAtStorage(requests) {
  assert.ok(requests.length > 0, "storage saw requests");
  for (const r of requests) {
    const names = r.headers.map(([n]) => n.toLowerCase());
    assert.ok(!names.includes("api-key"), `storage got an api-key header: ${JSON.stringify(r.headers)}`);
    assert.ok(!JSON.stringify(r).includes(apiKey), "the key appears nowhere in what storage saw");
  }
}

describe("archive records", () => {
  test("listArchives filters and pages; archives() walks every page; getArchive reads one", async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await availableArchive({ sizeBytes: 20_000 })).archiveId);
    const failed = await availableArchive({ fail: true, error: "recording missing" });
    assert.equal(failed.record.status, "FAILED");
    assert.equal(failed.record.error, "recording missing");

    const page = await client.listArchives({ status: "AVAILABLE", limit: 2, offset: 0 });
    assert.equal(page.items.length, 2);
    assert.ok(page.items.every((r) => r.status === "AVAILABLE"));
    assert.ok(typeof page.total === "number" && page.total >= 5);

    const seen = [];
    for await (const r of client.archives({ status: "AVAILABLE", pageSize: 2 })) seen.push(r.id);
    for (const id of made) assert.ok(seen.includes(id), `${id} listed`);
    assert.equal(new Set(seen).size, seen.length, "no record twice");
    assert.ok(!seen.includes(failed.archiveId));

    const r = await client.getArchive(made[0]);
    assert.equal(r.id, made[0]);
    assert.match(r.sha256CheckSum, /^[0-9a-f]{64}$/);
    assert.equal(typeof r.subject.conference_id, "string");
  });

  test("bad ids and queries are refused before any request", async () => {
    const before = (await sim.requests()).length;
    for (const id of ["", "..", "a/b", "../users", "a%2Fb", "x y"]) {
      await assert.rejects(client.getArchive(id), (e) => isFlexpertoError(e) && e.name === "ValidationError" && e.code === "INVALID_ID");
      await assert.rejects(client.downloadArchive(id), (e) => e.code === "INVALID_ID");
      await assert.rejects(client.abandonArchive(id), (e) => e.code === "INVALID_ID");
    }
    await assert.rejects(client.listArchives({ limit: 0 }), (e) => e.code === "INVALID_ARGUMENT" && e.field === "limit");
    await assert.rejects(client.listArchives({ status: "NOPE" }), (e) => e.code === "INVALID_ARGUMENT");
    await assert.rejects(client.listArchives({ colour: 1 }), (e) => e.name === "ValidationError");
    assert.equal((await sim.requests()).length, before, "nothing was sent");
    await assert.rejects(client.getArchive("arc_does_not_exist"), (e) => e.name === "ApiError" && e.code === "NOT_FOUND");
  });

  test("non-admin keys are refused by the archive endpoints", async () => {
    const expert = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("expert"), maxRetries: 0 });
    await assert.rejects(expert.listArchives(), (e) => e.name === "ApiError" && e.code === "FORBIDDEN");
  });
});

describe("downloads from the storage origin", () => {
  test("archiveDownloadUrl points at another origin; the download matches sha256CheckSum; storage never sees the key", async () => {
    const { archiveId, record } = await availableArchive({ sizeBytes: 2_000_000 });
    await sim.control("DELETE", "storage/requests");
    const url = await client.archiveDownloadUrl(archiveId);
    assert.equal(new URL(url).origin, await sim.storageUrl());
    assert.notEqual(new URL(url).origin, new URL(sim.url).origin);
    const progress = [];
    const stream = await client.downloadArchive(archiveId, { onProgress: (p) => progress.push(p) });
    const got = await readAll(stream);
    assert.equal(got.bytes, record.sizeBytes);
    assert.equal(got.sha256, record.sha256CheckSum);
    assert.equal(progress.at(-1).bytes, record.sizeBytes);
    assert.equal(progress.at(-1).totalBytes, record.sizeBytes);
    const storage = await sim.storageRequests();
    assertNoKeyAtStorage(storage);
    console.log(`# storage saw ${storage.length} requests, none with an api-key header`);
  });

  test("a download broken halfway resumes with Range and verifies", async () => {
    const { archiveId, record } = await availableArchive({ sizeBytes: 3_000_000 });
    await sim.control("DELETE", "storage/requests");
    await sim.storageFault({ kind: "truncate", afterBytes: 1_500_000, times: 1 });
    const progress = [];
    const stream = await client.downloadArchive(archiveId, { onProgress: (p) => progress.push(p) });
    const verified = await ArchiveChecksum.verifyStream(stream, record.sha256CheckSum);
    assert.equal(verified.bytes, record.sizeBytes, "the resumed download verifies");
    assert.equal(progress.at(-1).resumes, 1);
    const storage = await sim.storageRequests();
    const ranges = storage.map((r) => r.headers.find(([n]) => n.toLowerCase() === "range")?.[1]);
    assert.equal(ranges[0], undefined);
    assert.match(ranges[1], /^bytes=\d+-$/);
    const from = Number(ranges[1].slice(6, -1));
    assert.ok(from > 0 && from <= 1_500_000, `resumed from ${from}`);
    assertNoKeyAtStorage(storage);
    console.log(`# broken at 1500000 bytes, resumed with ${ranges[1]}, sha256 matches`);
  });

  test("a resume after the signed URL expired asks the API for a fresh one", async () => {
    const { archiveId, record } = await availableArchive({ sizeBytes: 2_000_000 });
    await sim.control("DELETE", "storage/requests");
    await sim.storageFault({ kind: "truncate", afterBytes: 1_000_000, times: 1 });
    let moved = null;
    const stream = await client.downloadArchive(archiveId, {
      // While the first response is still flowing, 16 simulated minutes pass: its URL expires.
      onProgress: () => {
        moved ??= sim.advanceClock(16 * 60);
      },
    });
    const verified = await ArchiveChecksum.verifyStream(stream, record.sha256CheckSum);
    assert.equal(verified.bytes, record.sizeBytes);
    await moved;
    const storage = await sim.storageRequests();
    // The first GET (cut short), the resume on the old URL (refused: expired), the resume on a
    // fresh URL from the API (206).
    assert.deepEqual(storage.map((r) => r.status), [200, 403, 206]);
    assert.equal(storage[0].query, storage[1].query);
    assert.notEqual(storage[1].query, storage[2].query);
    assertNoKeyAtStorage(storage);
  });

  test("one flipped byte fails verification with a typed error", async () => {
    const { archiveId, record } = await availableArchive({ sizeBytes: 500_000 });
    await sim.storageFault({ kind: "flip", offset: 250_000, times: 1 });
    const stream = await client.downloadArchive(archiveId);
    await assert.rejects(
      ArchiveChecksum.verifyStream(stream, record.sha256CheckSum),
      (e) => isFlexpertoError(e) && e.name === "ArchiveError" && e.code === "CHECKSUM_MISMATCH" && e.expected === record.sha256CheckSum,
    );
    // The same file without the fault verifies.
    const again = await ArchiveChecksum.verifyStream(await client.downloadArchive(archiveId), record.sha256CheckSum);
    assert.equal(again.sha256, record.sha256CheckSum);
  });

  test("a storage 500 is retried; a lasting one fails typed", async () => {
    const { archiveId, record } = await availableArchive({ sizeBytes: 100_000 });
    await sim.storageFault({ kind: "status", status: 500, times: 1 });
    assert.equal((await readAll(await client.downloadArchive(archiveId))).sha256, record.sha256CheckSum);
    await sim.storageFault({ kind: "status", status: 500, times: 3 });
    await assert.rejects(client.downloadArchive(archiveId, { maxResumes: 2 }), (e) => isFlexpertoError(e) && e.name === "ApiError" && e.code === "SERVER_ERROR" && e.status === 500);
    await sim.control("DELETE", "storage/faults");
  });

  test("storage's error statuses get the API's codes: 413 PAYLOAD_TOO_LARGE, 422 UNPROCESSABLE, not retried", async () => {
    const { archiveId } = await availableArchive({ sizeBytes: 50_000 });
    for (const [status, code] of [[413, "PAYLOAD_TOO_LARGE"], [422, "UNPROCESSABLE"], [410, "GONE"], [418, "HTTP_ERROR"]]) {
      await sim.control("DELETE", "storage/requests");
      await sim.storageFault({ kind: "status", status, times: 1 });
      await assert.rejects(
        client.downloadArchive(archiveId),
        (e) => isFlexpertoError(e) && e.name === "ApiError" && e.code === code && e.status === status && e.operation === "archiveDownloadUrl",
        `${status}`,
      );
      assert.equal((await sim.storageRequests()).length, 1, `${status} is not retried`);
    }
    await sim.control("DELETE", "storage/faults");
  });

  test("storage's Retry-After is honoured: waited for when short, reported when beyond a minute", async () => {
    const { archiveId, record } = await availableArchive({ sizeBytes: 50_000 });
    await sim.control("DELETE", "storage/requests");
    await sim.storageFault({ kind: "status", status: 503, retryAfter: "3600", times: 1 });
    await assert.rejects(
      client.downloadArchive(archiveId),
      (e) => isFlexpertoError(e) && e.code === "SERVER_ERROR" && e.status === 503 && e.retryAfterMs === 3_600_000,
    );
    assert.equal((await sim.storageRequests()).length, 1, "an hour is not waited for, nor retried early");
    await sim.storageFault({ kind: "status", status: 429, retryAfter: "1", times: 1 });
    const started = Date.now();
    const stream = await client.downloadArchive(archiveId);
    // A lower bound on behaviour (the wait asked for), not a speed: backoff alone waits at most 100 ms here.
    assert.ok(Date.now() - started >= 950, `resumed after ${Date.now() - started} ms, before Retry-After`);
    assert.equal((await readAll(stream)).sha256, record.sha256CheckSum);
    await sim.control("DELETE", "storage/faults");
  });

  test("a connection that keeps breaking fails with a NetworkError after maxResumes", async () => {
    const { archiveId } = await availableArchive({ sizeBytes: 400_000 });
    await sim.storageFault({ kind: "truncate", afterBytes: 1000 });
    const stream = await client.downloadArchive(archiveId, { maxResumes: 2 });
    await assert.rejects(readAll(stream), (e) => isFlexpertoError(e) && e.name === "NetworkError" && e.code === "NETWORK");
    await sim.control("DELETE", "storage/faults");
  });

  test("cancelling the stream stops the download: no further storage requests", async () => {
    const { archiveId } = await availableArchive({ sizeBytes: 3_000_000 });
    await sim.control("DELETE", "storage/requests");
    await sim.storageFault({ kind: "slow", bytesPerSecond: 200_000, times: 1 });
    const stream = await client.downloadArchive(archiveId);
    const reader = stream.getReader();
    await reader.read();
    const pending = reader.read();
    await reader.cancel(new Error("enough"));
    assert.deepEqual(await pending, { done: true, value: undefined });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await sim.storageRequests()).length, 1, "no resume after cancel");
    await sim.control("DELETE", "storage/faults");
  });

  test("an AbortSignal ends the download with its reason", async () => {
    const { archiveId } = await availableArchive({ sizeBytes: 3_000_000 });
    await sim.storageFault({ kind: "slow", bytesPerSecond: 200_000, times: 1 });
    const ac = new AbortController();
    const stream = await client.downloadArchive(archiveId, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("user stop")), 100);
    await assert.rejects(readAll(stream), (e) => e.message === "user stop" || e.name === "AbortError");
    await sim.control("DELETE", "storage/faults");
  });

  test("verifyStream reads a download's chunks directly: the stream is locked; a read stream is read as a stream; a failed verify stops the download", async () => {
    const { archiveId, record } = await availableArchive({ sizeBytes: 2_000_000 });
    // Direct: the stream is locked for the verify, and the same progress is reported.
    const progress = [];
    const stream = await client.downloadArchive(archiveId, { onProgress: (p) => progress.push(p.bytes) });
    const verifying = ArchiveChecksum.verifyStream(stream, record.sha256CheckSum);
    assert.equal(stream.locked, true, "verifyStream holds the stream");
    assert.equal((await verifying).bytes, record.sizeBytes);
    assert.equal(progress.at(-1), record.sizeBytes);
    // A stream the caller has started reading (and released) is read through the stream: the
    // chunk already taken is not seen again, so the digest cannot match.
    const started = await client.downloadArchive(archiveId);
    const reader = started.getReader();
    const first = await reader.read();
    reader.releaseLock();
    const e = await ArchiveChecksum.verifyStream(started, record.sha256CheckSum).catch((err) => err);
    assert.equal(e.code, "CHECKSUM_MISMATCH");
    assert.ok(first.value.length > 0);
    // A chunk refused half-way (a throwing onProgress) ends the download: no resume follows.
    await sim.control("DELETE", "storage/requests");
    await sim.storageFault({ kind: "slow", bytesPerSecond: 400_000, times: 1 });
    let calls = 0;
    const stopping = await client.downloadArchive(archiveId, {
      onProgress: () => {
        if (++calls === 2) throw new Error("progress bar broke");
      },
    });
    await assert.rejects(ArchiveChecksum.verifyStream(stopping, record.sha256CheckSum), /progress bar broke/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await sim.storageRequests()).length, 1, "no further storage request after the verify stopped");
    await sim.control("DELETE", "storage/faults");
  });

  test("an onProgress that throws errors the stream with its own error, without resuming", async () => {
    const { archiveId } = await availableArchive({ sizeBytes: 500_000 });
    await sim.control("DELETE", "storage/requests");
    const stream = await client.downloadArchive(archiveId, {
      onProgress: () => {
        throw new Error("progress bar broke");
      },
    });
    await assert.rejects(readAll(stream), /progress bar broke/);
    assert.equal((await sim.storageRequests()).length, 1);
  });

  test("bad options are refused", async () => {
    const { archiveId } = await availableArchive({ sizeBytes: 10_000 });
    await assert.rejects(client.downloadArchive(archiveId, { maxResumes: -1 }), (e) => e.code === "INVALID_ARGUMENT");
    await assert.rejects(client.downloadArchive(archiveId, { onProgress: 5 }), (e) => e.code === "INVALID_ARGUMENT");
    // Read as every other argument is: the field named, unknown keys and odd values refused.
    const refused = (options, field, message) =>
      assert.rejects(client.downloadArchive(archiveId, options), (e) => {
        assert.equal(e.name, "ValidationError");
        assert.equal(e.code, "INVALID_ARGUMENT");
        assert.equal(e.field, field);
        if (message) assert.match(e.message, message);
        return true;
      });
    await refused({ maxResumes: -1 }, "options.maxResumes");
    await refused({ maxResumes: "2" }, "options.maxResumes");
    await refused({ maxResumes: 101 }, "options.maxResumes", /0 to/);
    await refused({ maxResume: 2 }, "options", /unknown field `maxResume`/);
    await refused({ onProgress: null }, "options.onProgress", /function/);
    await refused({ signal: {} }, "options.signal", /AbortSignal/);
    await refused({ signal: null }, "options.signal", /AbortSignal/);
    await refused("fast", "options", /object/);
    await refused([], "options", /object/);
    await refused({ get maxResumes() { throw new Error("no"); } }, "options", /getter/);
    const stream = await client.downloadArchive(archiveId, { maxResumes: 0, signal: new AbortController().signal, onProgress() {} });
    assert.equal((await readAll(stream)).bytes, 10_000);
  });
});

describe("archives() against servers that page oddly", () => {
  const record = (i) => ({ id: `arc_${i}`, subject: { conference_id: `conf_${i}` }, status: "AVAILABLE" });
  const fakeClient = (answer) =>
    new FlexpertoClient({
      baseUrl: "https://demo.test.flexperto.com",
      apiKey,
      maxRetries: 0,
      fetch: async (request) => new Response(JSON.stringify(answer(new URL(request.url))), { status: 200, headers: { "content-type": "application/json" } }),
    });

  test("a server that ignores offset: each record once, then stop", async () => {
    const c = fakeClient(() => ({ items: Array.from({ length: 100 }, (_, i) => record(i)) }));
    const ids = [];
    for await (const r of c.archives({ pageSize: 100 })) ids.push(r.id);
    assert.equal(ids.length, 100);
  });

  test("a bare array larger than the page: not paginated, that was all", async () => {
    const c = fakeClient(() => Array.from({ length: 150 }, (_, i) => record(i)));
    const ids = [];
    for await (const r of c.archives({ pageSize: 100 })) ids.push(r.id);
    assert.equal(ids.length, 150);
  });

  test("a server that pages properly: every page", async () => {
    const all = Array.from({ length: 230 }, (_, i) => record(i));
    const c = fakeClient((u) => {
      const offset = Number(u.searchParams.get("offset") ?? 0);
      const limit = Number(u.searchParams.get("limit") ?? 100);
      return { items: all.slice(offset, offset + limit), total: all.length };
    });
    const ids = [];
    for await (const r of c.archives({ pageSize: 100 })) ids.push(r.id);
    assert.deepEqual(ids, all.map((r) => r.id));
  });
});

describe("downloadArchive against storage that misbehaves (a fake fetch)", () => {
  const API = "https://demo.test.flexperto.com";
  const STORAGE = "https://storage.example.invalid/arc_1.zip?sig=1";
  // `bytes` zero bytes, then the connection breaks.
  const broken = (bytes) => {
    let sent = false;
    return new ReadableStream({
      pull(c) {
        if (sent) return c.error(new TypeError("terminated"));
        sent = true;
        c.enqueue(new Uint8Array(bytes));
      },
    });
  };
  function fakeClient(storage) {
    const seen = [];
    const client = new FlexpertoClient({
      baseUrl: API,
      apiKey,
      maxRetries: 0,
      // The client's API calls and its downloads from storage both pass a built Request.
      fetch: async (request) => {
        const url = request.url;
        if (url.startsWith(API)) return new Response(null, { status: 302, headers: { location: STORAGE } });
        const headers = new Headers(request.headers);
        seen.push(Object.fromEntries(headers));
        return storage(seen.length, headers);
      },
    });
    return { client, seen };
  }

  test("a resumed 206 of another version of the file (ETag) is refused", async () => {
    const { client, seen } = fakeClient((n) =>
      n === 1
        ? new Response(broken(5), { status: 200, headers: { etag: '"a"', "content-length": "10" } })
        : new Response(new Uint8Array(5), { status: 206, headers: { etag: '"b"', "content-range": "bytes 5-9/10" } }),
    );
    const stream = await client.downloadArchive("arc_1");
    await assert.rejects(readAll(stream), (e) => e.name === "ApiError" && e.code === "INVALID_RESPONSE");
    assert.equal(seen[1].range, "bytes=5-");
    assert.equal(seen[1]["if-range"], '"a"');
    for (const h of seen) assert.ok(!("api-key" in h), "no key to storage");
  });

  test("storage that ignores Range: the bytes already received are skipped", async () => {
    const file = Uint8Array.from({ length: 10 }, (_, i) => i);
    const { client } = fakeClient((n) =>
      n === 1
        ? new Response(broken(4), { status: 200, headers: { "content-length": "10" } })
        : new Response(file, { status: 200, headers: { "content-length": "10" } }),
    );
    const chunks = [];
    for await (const c of await client.downloadArchive("arc_1")) chunks.push(...c);
    assert.deepEqual(chunks, [0, 0, 0, 0, 4, 5, 6, 7, 8, 9]);
  });

  test("a break after the last byte is a finished download", async () => {
    const { client, seen } = fakeClient(() => new Response(broken(10), { status: 200, headers: { "content-length": "10" } }));
    const got = await readAll(await client.downloadArchive("arc_1"));
    assert.equal(got.bytes, 10);
    assert.equal(seen.length, 1);
  });

  test("a redirect away from https storage is refused", async () => {
    const { client } = fakeClient(() => {
      const r = new Response(new Uint8Array(3), { status: 200 });
      Object.defineProperty(r, "url", { value: "http://evil.example/x" });
      return r;
    });
    await assert.rejects(client.downloadArchive("arc_1"), (e) => e.code === "INVALID_RESPONSE");
  });
});

describe("claiming", () => {
  test("abandon -> ABANDONED (still downloadable) -> EXPIRED after 3 days (no download)", async () => {
    const { archiveId, conferenceId, record } = await availableArchive({ sizeBytes: 50_000 });
    const abandoned = await client.abandonArchive(conferenceId);
    assert.equal(abandoned?.status ?? (await client.getArchive(archiveId)).status, "ABANDONED");
    assert.equal((await readAll(await client.downloadArchive(archiveId))).sha256, record.sha256CheckSum);
    await sim.advanceClock(3 * 86_400 + 60);
    const expired = await client.getArchive(archiveId);
    assert.equal(expired.status, "EXPIRED");
    await assert.rejects(client.downloadArchive(archiveId), (e) => e.name === "ApiError" && e.status >= 400);
  });

  test("a FAILED archive has no download", async () => {
    const { archiveId } = await availableArchive({ fail: true });
    await assert.rejects(client.archiveDownloadUrl(archiveId), (e) => e.name === "ApiError" && e.code === "CONFLICT");
  });
});

test("list methods refuse a query that is not a plain object of known keys, before any request", async () => {
  let requests = 0;
  const client = new FlexpertoClient({
    baseUrl: "http://127.0.0.1:9",
    apiKey: "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln",
    fetch: async () => {
      requests += 1;
      throw new Error("no request expected");
    },
  });
  for (const [call, query] of [
    [(q) => client.listArchives(q), 42],
    [(q) => client.listArchives(q), [1]],
    [(q) => client.listArchives(q), { state: "AVAILABLE" }],
    [(q) => client.listUsers(q), "expert"],
    [(q) => client.listUsers(q), { role: "expert", bogus: 1 }],
  ]) {
    const e = await call(query).then(() => assert.fail("expected a rejection"), (err) => err);
    assert.equal(e.name, "ValidationError", JSON.stringify(query));
    assert.equal(e.code, "INVALID_ARGUMENT");
    assert.equal(e.field, "query");
  }
  assert.equal(requests, 0);
});
