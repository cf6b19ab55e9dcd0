// Webhooks on the installed package: the Node handler through a real node:http server, the
// verifier's codes, callback URL rules, the seen stores, and secret rotation against the simulator.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, appendFile, stat } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  FileSeenStore,
  FlexpertoClient,
  MemorySeenStore,
  WebhookVerifier,
  createWebhookHandler,
  generateWebhookSecret,
  rotateWebhookSecret,
  validateCallbackUrl,
} from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

const SECRET = generateWebhookSecret();
const OTHER = generateWebhookSecret();
const JSON_CT = { "content-type": "application/json" };

function envelope(data = {}, extra = {}) {
  return {
    id: `ntf_${Math.random().toString(36).slice(2)}`,
    topic: "archive.available",
    createdAt: "2026-11-28T20:00:00.000Z",
    data: {
      archive_id: `arc_${Math.random().toString(36).slice(2)}`,
      archive_subject: { conference_id: "conf_1" },
      sha256CheckSum: "ab".repeat(32),
      status: "AVAILABLE",
      ...data,
    },
    ...extra,
  };
}
const bytes = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));
/** A request of `method` whose body is framed by content-length (Node sends GET and DELETE bodies unframed otherwise). */
const framed = (method, v, headers = JSON_CT) => {
  const body = bytes(v);
  return { method, body, headers: { ...headers, "content-length": String(body.length) } };
};

/** A POST over a fresh connection; `chunks` sends the body in pieces without content-length. */
function post(url, { body = Buffer.alloc(0), headers = JSON_CT, chunks, method = "POST" } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false },
      (res) => {
        const parts = [];
        res.on("data", (c) => parts.push(c));
        res.on("end", () => {
          const text = Buffer.concat(parts).toString();
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      },
    );
    // The server may answer and close before the whole body is sent (413): the answer counts.
    req.on("error", reject);
    if (chunks) {
      let i = 0;
      const next = () => {
        if (i === chunks.length) return req.end();
        req.write(chunks[i++], () => setImmediate(next));
      };
      next();
    } else {
      req.end(body);
    }
  });
}

function listen(listener) {
  return new Promise((resolve) => {
    const server = http.createServer(listener);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}
const closeServer = (server) => new Promise((r) => (server.closeAllConnections(), server.close(() => r())));
const base = (server) => `http://127.0.0.1:${server.address().port}`;

/** Asserts that `fn` throws a WebhookError of `code`; returns it. */
function throwsCode(fn, code) {
  try {
    fn();
  } catch (e) {
    assert.equal(e.name, "WebhookError", e.message);
    assert.equal(e.code, code, e.message);
    assert.ok(!String(e.message).includes(SECRET), "the secret leaked into an error");
    return e;
  }
  assert.fail(`expected WebhookError ${code}`);
}

describe("createWebhookHandler through node:http", () => {
  let server;
  let url;
  const events = [];
  const errors = [];
  const logged = [];
  const mk = (verifierOptions) =>
    createWebhookHandler({
      verifier: new WebhookVerifier({ secrets: [SECRET], maxBodyBytes: 4096, ...verifierOptions }),
      onEvent: (e) => void events.push(e),
      onError: (err, e) => void errors.push([err, e]),
    });
  const open = mk({ allowedIps: ["127.0.0.1/32", "::1/128"] });
  const denied = mk({ allowedIps: ["203.0.113.0/24"] });
  const spoofable = mk({ allowedIps: ["203.0.113.0/24"], trustedProxies: 0 });
  const consoleError = console.error;

  before(async () => {
    console.error = (...a) => void logged.push(a.join(" "));
    server = await listen((req, res) => {
      const first = req.url.split("/")[1];
      if (first === "raw") {
        // An Express-style raw body parser ran before the handler.
        const parts = [];
        req.on("data", (c) => parts.push(c));
        req.on("end", () => {
          req.body = Buffer.concat(parts);
          req.originalUrl = req.url;
          req.url = "/";
          open(req, res);
        });
        return;
      }
      const handler = { open, denied, spoofable }[first];
      if (handler) handler(req, res);
      else res.writeHead(500).end();
    });
    url = base(server);
  });
  after(async () => {
    console.error = consoleError;
    await closeServer(server);
  });

  const ok = envelope({ extra_field: { nested: [1, 2] } }, { unknownTop: "kept" });
  const table = [
    ["wrong secret", `/open/cb/${OTHER}`, { body: bytes(envelope()) }, 404],
    ["no secret segment", `/open/cb`, { body: bytes(envelope()) }, 404],
    ["secret as a query, not a segment", `/open/cb?s=${SECRET}`, { body: bytes(envelope()) }, 404],
    ["address not allowed", `/denied/cb/${SECRET}`, { body: bytes(envelope()) }, 403, "IP_NOT_ALLOWED"],
    [
      "spoofed X-Forwarded-For, trustedProxies 0",
      `/spoofable/cb/${SECRET}`,
      { body: bytes(envelope()), headers: { ...JSON_CT, "x-forwarded-for": "203.0.113.9" } },
      403,
      "IP_NOT_ALLOWED",
    ],
    ["oversize, content-length", `/open/cb/${SECRET}`, { body: Buffer.alloc(10_000, 0x20) }, 413, "BODY_TOO_LARGE"],
    [
      "oversize, chunked",
      `/open/cb/${SECRET}`,
      { chunks: Array.from({ length: 10 }, () => Buffer.alloc(1000, 0x20)), headers: JSON_CT },
      413,
      "BODY_TOO_LARGE",
    ],
    ["wrong content type", `/open/cb/${SECRET}`, { body: bytes(envelope()), headers: { "content-type": "text/plain" } }, 415, "BAD_CONTENT_TYPE"],
    ["no content type", `/open/cb/${SECRET}`, { body: bytes(envelope()), headers: {} }, 415, "BAD_CONTENT_TYPE"],
    ["not JSON", `/open/cb/${SECRET}`, { body: bytes("{nope") }, 400, "MALFORMED_JSON"],
    ["empty body", `/open/cb/${SECRET}`, { body: Buffer.alloc(0) }, 400, "MALFORMED_JSON"],
    ["invalid UTF-8", `/open/cb/${SECRET}`, { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }, 400, "MALFORMED_JSON"],
    ["deeply nested", `/open/cb/${SECRET}`, { body: bytes("[".repeat(2000) + "]".repeat(2000)) }, 400, "MALFORMED_JSON"],
    ["JSON array", `/open/cb/${SECRET}`, { body: bytes("[1]") }, 400, "SCHEMA_VIOLATION", "$"],
    ["wrong type", `/open/cb/${SECRET}`, { body: bytes(envelope({ archive_id: 42 })) }, 400, "SCHEMA_VIOLATION", "data.archive_id"],
    [
      "wrong nested type",
      `/open/cb/${SECRET}`,
      { body: bytes(envelope({ archive_subject: "conf_1" })) },
      400,
      "SCHEMA_VIOLATION",
      "data.archive_subject",
    ],
    [
      "bad checksum",
      `/open/cb/${SECRET}`,
      { body: bytes(envelope({ sha256CheckSum: "xyz" })) },
      400,
      "SCHEMA_VIOLATION",
      "data.sha256CheckSum",
    ],
    [
      "missing required field",
      `/open/cb/${SECRET}`,
      { body: bytes(envelope({ archive_subject: {} })) },
      400,
      "SCHEMA_VIOLATION",
      "data.archive_subject.conference_id",
    ],
    [
      "missing data",
      `/open/cb/${SECRET}`,
      { body: bytes({ id: "n", topic: "archive.available" }) },
      400,
      "SCHEMA_VIOLATION",
      "data",
    ],
    // A valid delivery under another method is not a delivery (issue 12): 405 with Allow: POST,
    // after the secret check (a caller without it still learns nothing) and before the body.
    ["GET with a valid body", `/open/cb/${SECRET}`, framed("GET", envelope()), 405, "METHOD_NOT_ALLOWED"],
    ["PUT with a valid body", `/open/cb/${SECRET}`, framed("PUT", envelope()), 405, "METHOD_NOT_ALLOWED"],
    ["DELETE with a valid body", `/open/cb/${SECRET}`, framed("DELETE", envelope()), 405, "METHOD_NOT_ALLOWED"],
    ["GET with a wrong content type", `/open/cb/${SECRET}`, framed("GET", envelope(), { "content-type": "text/plain" }), 405, "METHOD_NOT_ALLOWED"],
    ["GET with a wrong secret", `/open/cb/${OTHER}`, framed("GET", envelope()), 404],
    ["GET from an address not allowed", `/denied/cb/${SECRET}`, framed("GET", envelope()), 403, "IP_NOT_ALLOWED"],
    ["extra fields", `/open/cb/${SECRET}`, { body: bytes(ok) }, 202],
    [
      "spoofed X-Forwarded-For from an allowed peer is ignored",
      `/open/cb/${SECRET}`,
      { body: bytes(envelope()), headers: { ...JSON_CT, "x-forwarded-for": "198.51.100.1" } },
      202,
    ],
    ["Express raw body (req.body Buffer)", `/raw/cb/${SECRET}`, { body: bytes(envelope()) }, 202],
  ];

  for (const [name, path, req, status, code, errPath] of table) {
    test(`${name} -> ${status}${code ? ` ${code}` : ""}`, async () => {
      const r = await post(url + path, req);
      assert.equal(r.status, status, r.text);
      assert.equal(r.headers.allow, status === 405 ? "POST" : undefined);
      if (status === 404) {
        assert.equal(r.text, "", "a wrong secret reveals nothing");
      } else if (code) {
        assert.equal(r.json?.code, code, r.text);
        if (errPath !== undefined) assert.equal(r.json.path, errPath, r.text);
      } else {
        assert.deepEqual(r.json, { accepted: true });
      }
      assert.ok(!r.text.includes(SECRET));
    });
  }

  test("the accepted payload keeps unknown fields; the server never crashed", async () => {
    await open.drain();
    const e = events.find((x) => x.notificationId === ok.id);
    assert.ok(e, "the extra-fields delivery reached onEvent");
    assert.equal(e.archiveId, ok.data.archive_id);
    assert.equal(e.conferenceId, "conf_1");
    assert.equal(e.dedupeKey, `archive.available:${ok.data.archive_id}`);
    assert.deepEqual(e.payload, ok);
    assert.equal(e.payload.unknownTop, "kept");
    assert.deepEqual(e.payload.data.extra_field, { nested: [1, 2] });
    assert.deepEqual(errors, []);
    // Still serving after every bad input above.
    assert.equal((await post(`${url}/open/cb/${SECRET}`, { body: bytes(envelope()) })).status, 202);
    assert.ok(!logged.join("\n").includes(SECRET), "the secret was logged");
  });

  test("a duplicate is acknowledged with 200 and not processed again", async () => {
    const body = bytes(envelope());
    const before = events.length;
    const [a, b] = await Promise.all([post(`${url}/open/cb/${SECRET}`, { body }), post(`${url}/open/cb/${SECRET}`, { body })]);
    assert.deepEqual([a.status, b.status].sort(), [200, 202]);
    assert.deepEqual((a.status === 200 ? a : b).json, { duplicate: true });
    await open.drain();
    assert.equal(events.length, before + 1);
  });
});

describe("createWebhookHandler: onEvent after the answer, failures reported and released", () => {
  test("a slow onEvent does not delay the answer", async () => {
    let release;
    const gate = new Promise((r) => (release = r));
    let finished = false;
    const handler = createWebhookHandler({
      verifier: new WebhookVerifier({ secrets: [SECRET] }),
      onEvent: async () => {
        await gate;
        finished = true;
      },
    });
    const server = await listen(handler);
    try {
      const r = await post(`${base(server)}/cb/${SECRET}`, { body: bytes(envelope()) });
      assert.equal(r.status, 202);
      assert.equal(finished, false, "answered before onEvent finished");
      assert.equal(handler.pending, 1);
      release();
      await handler.drain();
      assert.equal(finished, true);
      assert.equal(handler.pending, 0);
    } finally {
      await closeServer(server);
    }
  });

  test("a failing onEvent goes to onError and a redelivery is processed again", async () => {
    const reported = [];
    let calls = 0;
    const seen = new MemorySeenStore();
    const handler = createWebhookHandler({
      verifier: new WebhookVerifier({ secrets: [SECRET] }),
      seen,
      onEvent: async () => {
        calls++;
        if (calls === 1) throw new Error("downstream unavailable");
      },
      onError: (err, event) => void reported.push([err.message, event?.dedupeKey]),
    });
    const server = await listen(handler);
    try {
      const env = envelope();
      const body = bytes(env);
      assert.equal((await post(`${base(server)}/cb/${SECRET}`, { body })).status, 202);
      await handler.drain();
      assert.deepEqual(reported, [["downstream unavailable", `archive.available:${env.data.archive_id}`]]);
      assert.equal(seen.size, 0, "the claim was released");
      assert.equal((await post(`${base(server)}/cb/${SECRET}`, { body })).status, 202, "processed again");
      await handler.drain();
      assert.equal(calls, 2);
      assert.equal((await post(`${base(server)}/cb/${SECRET}`, { body })).status, 200, "now a duplicate");
    } finally {
      await closeServer(server);
    }
  });

  test("the default onError logs one line without the secret or the path", async () => {
    const lines = [];
    const original = console.error;
    console.error = (...a) => void lines.push(a.join(" "));
    const handler = createWebhookHandler({
      verifier: new WebhookVerifier({ secrets: [SECRET] }),
      onEvent: () => {
        throw new TypeError("boom");
      },
    });
    const server = await listen(handler);
    try {
      assert.equal((await post(`${base(server)}/cb/${SECRET}`, { body: bytes(envelope()) })).status, 202);
      await handler.drain();
    } finally {
      console.error = original;
      await closeServer(server);
    }
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], /TypeError: boom/);
    assert.ok(!lines[0].includes(SECRET) && !lines[0].includes("/cb/"));
  });

  test("a failing seen store answers 500 (the platform retries) and is reported", async () => {
    const reported = [];
    const handler = createWebhookHandler({
      verifier: new WebhookVerifier({ secrets: [SECRET] }),
      seen: { claim: async () => Promise.reject(new Error("disk full")), release: async () => {} },
      onEvent: () => assert.fail("must not run"),
      onError: (err) => void reported.push(err.message),
    });
    const server = await listen(handler);
    try {
      const r = await post(`${base(server)}/cb/${SECRET}`, { body: bytes(envelope()) });
      assert.equal(r.status, 500);
      assert.deepEqual(reported, ["disk full"]);
    } finally {
      await closeServer(server);
    }
  });

  test("bad options are refused at creation", () => {
    const verifier = new WebhookVerifier({ secrets: [SECRET] });
    assert.throws(() => createWebhookHandler({ verifier }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options" && /pass on: \{ topic: handler \}, onAny, or both/.test(e.message));
    assert.throws(() => createWebhookHandler({ onEvent() {} }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.verifier" && /must be a WebhookVerifier/.test(e.message));
    assert.throws(() => createWebhookHandler({ verifier, onEvent() {}, ttlMs: 0 }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.ttlMs" && /must be a positive number of milliseconds/.test(e.message));
    assert.throws(() => createWebhookHandler({ verifier, onEvent() {}, seen: {} }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.seen" && /must have claim\(key, ttlMs\) and release\(key\)/.test(e.message));
    // Options only the Fetch adapter has, and unknown ones, are refused too.
    assert.throws(() => createWebhookHandler({ verifier, onEvent() {}, waitUntil() {} }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.waitUntil" && /createWebRequestHandler only/.test(e.message));
    assert.throws(() => createWebhookHandler({ verifier, onEvent() {}, ttl: 5 }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options" && /unknown field `ttl`/.test(e.message));
    // A hostile value's own error is the cause of the typed error.
    const boom = new Error("boom");
    const hostile = Object.defineProperty({}, "verifier", { enumerable: true, get() { throw boom; } });
    assert.throws(() => createWebhookHandler(hostile), (e) => e.name === "ValidationError" && e.field === "options.verifier" && e.cause === boom);
  });
});

describe("WebhookVerifier.verify directly", () => {
  const v = new WebhookVerifier({ secrets: [SECRET], allowedIps: ["203.0.113.0/24"], trustedProxies: 1, maxBodyBytes: 2048 });
  const d = (over = {}) => ({
    path: `/cb/${SECRET}`,
    remoteAddress: "10.0.0.2",
    headers: { ...JSON_CT, "x-forwarded-for": "203.0.113.7" },
    body: bytes(envelope()),
    ...over,
  });

  test("a valid delivery", () => {
    const env = envelope({}, { more: true });
    const e = v.verify(d({ body: bytes(env) }));
    assert.equal(e.topic, "archive.available");
    assert.equal(e.notificationId, env.id);
    assert.equal(e.archiveId, env.data.archive_id);
    assert.equal(e.conferenceId, "conf_1");
    assert.equal(e.sha256CheckSum, "ab".repeat(32));
    assert.equal(e.secretIndex, 0);
    assert.equal(e.sourceAddress, "203.0.113.7");
    assert.equal(e.payload.more, true);
    assert.deepEqual(e.toJSON(), {
      topic: "archive.available",
      dedupeKey: `archive.available:${env.data.archive_id}`,
      secretIndex: 0,
      sourceAddress: "203.0.113.7",
      notificationId: env.id,
      archiveId: env.data.archive_id,
      conferenceId: "conf_1",
      sha256CheckSum: "ab".repeat(32),
    });
  });

  test("non-ASCII and escaped fields read the same as JSON.parse reads them", () => {
    // Escapes go through the full parse, plain UTF-8 through the one-pass scan: same answers.
    for (const raw of [
      '{"id":"ntf_é","data":{"archive_id":"arc_ü","archive_subject":{"conference_id":"conf_ß"}}}',
      '{"id":"ntf_\\u00e9","data":{"archive_id":"arc_\\u00fc","archive_subject":{"conference_id":"conf_\\/1"}}}',
      '{"id":12345,"topic":null,"data":{"archive_id":"a","archive_subject":{"conference_id":"c"},"status":null}}',
    ]) {
      const parsed = JSON.parse(raw);
      const e = v.verify(d({ body: Buffer.from(raw) }));
      assert.equal(e.notificationId, String(parsed.id));
      assert.equal(e.archiveId, parsed.data.archive_id);
      assert.equal(e.conferenceId, parsed.data.archive_subject.conference_id);
      assert.equal(e.dedupeKey, `archive.available:${parsed.data.archive_id}`);
      assert.deepEqual(e.payload, parsed);
    }
  });

  test("results stay right after the wasm memory grows", () => {
    const big = new WebhookVerifier({ secrets: [SECRET], maxBodyBytes: 32 << 20 });
    const first = big.verify(d({ body: bytes(envelope({ archive_id: "arc_before" })) }));
    // A 24 MiB body makes wasm grow its memory (the views over the old buffer are detached).
    const huge = bytes(envelope({ archive_id: "arc_huge", pad: "x".repeat(24 << 20) }));
    assert.equal(big.verify(d({ body: huge })).archiveId, "arc_huge");
    assert.equal(big.verify(d({ body: bytes(envelope({ archive_id: "arc_after" })) })).archiveId, "arc_after");
    assert.equal(first.archiveId, "arc_before");
  });

  const cases = [
    ["SECRET_MISMATCH", { path: `/cb/${OTHER}` }],
    ["SECRET_MISMATCH", { path: `/cb/${SECRET.slice(1)}` }],
    ["IP_NOT_ALLOWED", { headers: { ...JSON_CT, "x-forwarded-for": "198.51.100.1" } }],
    ["IP_NOT_ALLOWED", { headers: JSON_CT }],
    ["BAD_CONTENT_TYPE", { headers: { "content-type": "text/plain", "x-forwarded-for": "203.0.113.7" } }],
    ["BODY_TOO_LARGE", { body: Buffer.alloc(4096, 0x20) }],
    ["MALFORMED_JSON", { body: bytes("{") }],
    ["SCHEMA_VIOLATION", { body: bytes(envelope({ archive_id: null })) }, "data.archive_id"],
    ["SCHEMA_VIOLATION", { body: bytes(envelope({ archive_subject: undefined })) }, "data.archive_subject"],
  ];
  for (const [code, over, path] of cases) {
    test(`${code}${path ? ` at ${path}` : ""}`, () => {
      const e = throwsCode(() => v.verify(d(over)), code);
      assert.equal(e.path, path);
      assert.ok(e instanceof Error);
    });
  }
});

describe("validateCallbackUrl and generateWebhookSecret", () => {
  const s = generateWebhookSecret();
  const refused = [
    [`http://crm.example.com/cb/${s}`, "NOT_HTTPS"],
    [`https://127.1/cb/${s}`, "SPECIAL_PURPOSE_ADDRESS"],
    [`https://0x7f.1/cb/${s}`, "SPECIAL_PURPOSE_ADDRESS"],
    [`https://2130706433/cb/${s}`, "SPECIAL_PURPOSE_ADDRESS"],
    [`https://[::ffff:127.0.0.1]/cb/${s}`, "SPECIAL_PURPOSE_ADDRESS"],
    [`https://169.254.169.254/cb/${s}`, "SPECIAL_PURPOSE_ADDRESS"],
    [`https://[::1]/cb/${s}`, "SPECIAL_PURPOSE_ADDRESS"],
    [`https://10.1.2.3/cb/${s}`, "SPECIAL_PURPOSE_ADDRESS"],
    [`https://localhost/cb/${s}`, "LOCAL_HOSTNAME"],
    [`https://user:pw@crm.example.com/cb/${s}`, "CREDENTIALS_IN_URL"],
    ["https://crm.example.com/callbacks/flexperto", "NO_SECRET_SEGMENT"],
    ["https://crm.example.com/cb/short-secret", "NO_SECRET_SEGMENT"],
    ["not a url", "INVALID_URL"],
  ];
  for (const [url, code] of refused) {
    test(`${url.replace(s, "<secret>")} -> ${code}`, () => {
      throwsCode(() => validateCallbackUrl(url), code);
    });
  }

  test("https with a secret segment passes; http loopback only when allowed", () => {
    validateCallbackUrl(`https://crm.example.com/callbacks/flexperto/${s}`);
    throwsCode(() => validateCallbackUrl(`http://127.0.0.1:8080/cb/${s}`), "NOT_HTTPS");
    validateCallbackUrl(`http://127.0.0.1:8080/cb/${s}`, { allowHttpLoopback: true });
  });

  test("generateWebhookSecret: 32 base64url characters, fresh each time, accepted", () => {
    const seen = new Set();
    for (let i = 0; i < 50; i++) {
      const x = generateWebhookSecret();
      assert.match(x, /^[A-Za-z0-9_-]{32}$/);
      seen.add(x);
      validateCallbackUrl(`https://crm.example.com/cb/${x}`);
      new WebhookVerifier({ secrets: [x] }).free();
    }
    assert.equal(seen.size, 50);
  });
});

describe("seen stores", () => {
  let dir;
  before(async () => (dir = await mkdtemp(join(tmpdir(), "flexperto-seen-"))));
  after(() => rm(dir, { recursive: true, force: true }));

  test("MemorySeenStore: first claim wins, expiry, release, bound", async () => {
    let now = 1_000;
    const m = new MemorySeenStore({ now: () => now, maxEntries: 100 });
    const results = await Promise.all(Array.from({ length: 20 }, () => m.claim("k", 50)));
    assert.equal(results.filter(Boolean).length, 1);
    now += 49;
    assert.equal(await m.claim("k", 50), false);
    now += 1;
    assert.equal(await m.claim("k", 50), true, "expired claims can be claimed again");
    await m.release("k");
    assert.equal(await m.claim("k", 50), true);
    for (let i = 0; i < 1000; i++) await m.claim(`x${i}`, 1_000_000);
    assert.ok(m.size <= 100, `${m.size} entries`);
    await assert.rejects(m.claim("", 1), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "key" && /must be a non-empty string/.test(e.message));
    await assert.rejects(m.claim("k", -1), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "ttlMs" && /must be a positive number of milliseconds/.test(e.message));
    assert.throws(() => new MemorySeenStore({ maxEntries: 0 }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.maxEntries" && /must be a positive integer/.test(e.message));
    assert.throws(() => new MemorySeenStore({ compactAfterLines: 5 }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.compactAfterLines" && /FileSeenStore only/.test(e.message));
  });

  test("FileSeenStore.open: a path at fault is a ValidationError with its cause; another I/O failure (EIO) is thrown as it is", async () => {
    await assert.rejects(FileSeenStore.open(dir), (e) =>
      e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "path" && /cannot be opened as the seen store's log: EISDIR/.test(e.message) && e.cause?.code === "EISDIR");
    await assert.rejects(FileSeenStore.open(join(dir, "no-such-folder", "seen.jsonl")), (e) => e.name === "ValidationError" && e.cause?.code === "ENOENT");
    // Reading /proc/self/mem from offset 0 is a real EIO (Linux): not the caller's argument.
    if (process.platform === "linux") {
      await assert.rejects(FileSeenStore.open("/proc/self/mem"), (e) => e.name === "Error" && e.code === "EIO" && e.field === undefined);
    }
  });

  test("FileSeenStore survives a restart; releases too", async () => {
    const path = join(dir, "restart.jsonl");
    const a = await FileSeenStore.open(path);
    assert.equal(await a.claim("archive.available:arc_1", 60_000), true);
    assert.equal(await a.claim("archive.available:arc_2", 60_000), true);
    assert.equal(await a.claim("archive.available:arc_3", 1), true);
    await a.release("archive.available:arc_2");
    await a.close();
    await assert.rejects(a.claim("x", 1000), /closed/);

    const b = await FileSeenStore.open(path);
    assert.equal(await b.claim("archive.available:arc_1", 60_000), false, "claimed before the restart");
    assert.equal(await b.claim("archive.available:arc_2", 60_000), true, "released before the restart");
    assert.equal(await b.claim("archive.available:arc_3", 60_000), true, "expired");
    await b.close();
    const lines = (await readFile(path, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], { k: "archive.available:arc_1", exp: lines[0].exp });
    assert.ok(lines.some((l) => l.r === "archive.available:arc_2"));
  });

  test("FileSeenStore: concurrent claims of one key give exactly one true", async () => {
    const s = await FileSeenStore.open(join(dir, "race.jsonl"));
    const keys = ["a", "b", "c"];
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => s.claim(keys[i % 3], 60_000).then((r) => [keys[i % 3], r])));
    for (const k of keys) assert.equal(results.filter(([key, r]) => key === k && r).length, 1, k);
    await s.close();
    const text = await readFile(join(dir, "race.jsonl"), "utf8");
    assert.equal(text.trim().split("\n").length, 3, "one line per successful claim");
  });

  test("FileSeenStore: a torn last line is skipped and does not corrupt the next record", async () => {
    const path = join(dir, "torn.jsonl");
    const a = await FileSeenStore.open(path);
    await a.claim("k1", 60_000);
    await a.close();
    await appendFile(path, '{"k":"k2","ex');
    const b = await FileSeenStore.open(path);
    assert.equal(b.skippedLines, 1);
    assert.equal(await b.claim("k1", 60_000), false);
    assert.equal(await b.claim("k3", 60_000), true);
    await b.close();
    const c = await FileSeenStore.open(path);
    assert.equal(c.skippedLines, 1);
    assert.equal(await c.claim("k3", 60_000), false, "the record after the torn line survived");
    await c.close();
  });

  test("FileSeenStore compacts its log and keeps the live claims", async () => {
    const path = join(dir, "compact.jsonl");
    const s = await FileSeenStore.open(path, { compactAfterLines: 50 });
    for (let i = 0; i < 200; i++) {
      await s.claim(`live${i % 10}`, 60_000);
      await s.claim(`short${i}`, 1);
    }
    await new Promise((r) => setTimeout(r, 5));
    await s.compact();
    await s.close();
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    assert.ok(lines.length <= 10, `${lines.length} lines after compaction`);
    const t = await FileSeenStore.open(path);
    for (let i = 0; i < 10; i++) assert.equal(await t.claim(`live${i}`, 60_000), false);
    await t.close();
    assert.ok((await stat(path)).size < 2000);
  });
});

describe("rotateWebhookSecret against the simulator", () => {
  let sim;
  let client;
  before(async () => {
    sim = await startSim();
    // crm.example.com resolves nowhere: the client's lookup stands in for DNS with a public address.
    const lookup = (hostname, options, callback) => callback(null, [{ address: "93.184.215.14", family: 4 }]);
    client = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin"), lookup });
  });
  after(() => sim?.stop());

  const delivery = (secret) => ({ path: `/callbacks/flexperto/${secret}`, remoteAddress: "203.0.113.5", headers: JSON_CT, body: bytes(envelope()) });
  const urlFor = (secret) => `https://crm.example.com/callbacks/flexperto/${secret}`;

  test("old and new secret verify during the grace, only the new one after; the old subscription is deleted", async () => {
    const first = generateWebhookSecret();
    const verifier = new WebhookVerifier({ secrets: [first] });
    const old = await client.createWebhookSubscription({ topic: "archive.available", url: urlFor(first) });

    const rot = await rotateWebhookSecret(client, old, { verifier, urlFor, currentSecrets: [first], graceMs: 400, drainMs: 200 });
    assert.match(rot.secret, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(rot.secret, first);
    assert.equal(rot.subscription.url, urlFor(rot.secret));
    assert.equal(rot.subscription.topic, "archive.available");
    assert.equal(verifier.verify(delivery(rot.secret)).secretIndex, 0);
    assert.equal(verifier.verify(delivery(first)).secretIndex, 1, "old secret still accepted in the grace");
    let ids = (await client.listWebhookSubscriptions()).items.map((s) => s.id);
    assert.ok(ids.includes(old.id) && ids.includes(rot.subscription.id), "both registered during the grace");

    await rot.done;
    throwsCode(() => verifier.verify(delivery(first)), "SECRET_MISMATCH");
    assert.equal(verifier.verify(delivery(rot.secret)).secretIndex, 0);
    assert.equal(verifier.secretCount, 1);
    ids = (await client.listWebhookSubscriptions()).items.map((s) => s.id);
    assert.ok(!ids.includes(old.id), "old subscription deleted");
    assert.ok(ids.includes(rot.subscription.id));

    // The next rotation of the same verifier remembers its secrets.
    const again = await rotateWebhookSecret(client, rot.subscription, { verifier, urlFor, graceMs: 0, drainMs: 0 });
    await again.done;
    throwsCode(() => verifier.verify(delivery(rot.secret)), "SECRET_MISMATCH");
    assert.equal(verifier.verify(delivery(again.secret)).secretIndex, 0);
    await client.deleteWebhookSubscription(again.subscription.id);
  });

  test("a refused registration rolls the verifier back", async () => {
    const first = generateWebhookSecret();
    const verifier = new WebhookVerifier({ secrets: [first] });
    const old = { id: "sub_x", topic: "archive.available", url: urlFor(first) };
    await assert.rejects(
      rotateWebhookSecret(client, old, { verifier, currentSecrets: [first], urlFor: (s) => `https://10.0.0.1/cb/${s}` }),
      (e) => e.code === "SPECIAL_PURPOSE_ADDRESS",
    );
    assert.equal(verifier.secretCount, 1);
    assert.equal(verifier.verify(delivery(first)).secretIndex, 0);
    const fresh = new WebhookVerifier({ secrets: [first] });
    await assert.rejects(rotateWebhookSecret(client, old, { verifier: fresh, urlFor }), /pass currentSecrets/);
    await assert.rejects(
      rotateWebhookSecret(client, { ...old, url: "https://crm.example.com/cb/unknown" }, { verifier, urlFor, currentSecrets: [first] }),
      /none of the current secrets/,
    );
  });

  test("bad arguments are refused before anything changes (the rules of src/webhook/rotation.rs)", async () => {
    const first = generateWebhookSecret();
    const verifier = new WebhookVerifier({ secrets: [first] });
    const old = { id: "sub_x", topic: "archive.available", url: urlFor(first) };
    const refused = [
      [{ verifier, urlFor, currentSecrets: [first], graceMs: -1 }, "options.graceMs", /graceMs must be a non-negative number/],
      [{ verifier, urlFor, currentSecrets: [first], drainMs: "5" }, "options.drainMs", /drainMs must be a non-negative number/],
      [{ verifier, urlFor, currentSecrets: [first, 7] }, "options.currentSecrets", /currentSecrets must be an array of strings/],
      [{ verifier, urlFor, currentSecrets: first }, "options.currentSecrets", /currentSecrets must be an array of strings/],
      [{ verifier, urlFor: () => "https://crm.example.com/cb/fixed", currentSecrets: [first] }, "options.urlFor", /urlFor\(secret\) must return a URL with the secret/],
      [{ verifier, urlFor: (s) => `https://crm.example.com/cb/${s}x`, currentSecrets: [first] }, "options.urlFor", /urlFor\(secret\) must return a URL with the secret/],
      [{ verifier, urlFor: (s) => new URL(urlFor(s)), currentSecrets: [first] }, "options.urlFor", /urlFor\(secret\) must return a URL with the secret/],
      [{ verifier: {}, urlFor, currentSecrets: [first] }, "options.verifier", /options\.verifier: must be a WebhookVerifier/],
      [{ verifier, urlFor: "x", currentSecrets: [first] }, "options.urlFor", /options\.urlFor: must be a function/],
      [{ verifier, urlFor, currentSecrets: [first], grace: 5 }, "options", /unknown field `grace`/],
    ];
    for (const [options, field, message] of refused) {
      await assert.rejects(
        rotateWebhookSecret(client, old, options),
        (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === field && message.test(e.message),
      );
    }
    await assert.rejects(
      rotateWebhookSecret(client, { ...old, id: 5 }, { verifier, urlFor, currentSecrets: [first] }),
      (e) => e.name === "ValidationError" && e.field === "subscription.id" && /string id, topic and url/.test(e.message),
    );
    await assert.rejects(
      rotateWebhookSecret(client, old, undefined),
      (e) => e.name === "ValidationError" && e.field === "options" && /options: must be an object/.test(e.message),
    );
    // A secret in the query or as part of a segment is not the subscription's secret.
    await assert.rejects(
      rotateWebhookSecret(client, { ...old, url: `https://crm.example.com/cb?s=${first}` }, { verifier, urlFor, currentSecrets: [first] }),
      /none of the current secrets/,
    );
    assert.equal(verifier.secretCount, 1);
    assert.equal(verifier.verify(delivery(first)).secretIndex, 0);
    const ids = (await client.listWebhookSubscriptions()).items.map((s) => s.id);
    assert.ok(!ids.includes("sub_x"));
  });

  test("an aborted grace keeps the old subscription and secret", async () => {
    const first = generateWebhookSecret();
    const verifier = new WebhookVerifier({ secrets: [first] });
    const old = await client.createWebhookSubscription({ topic: "archive.available", url: urlFor(first) });
    const ac = new AbortController();
    const rot = await rotateWebhookSecret(client, old, { verifier, urlFor, currentSecrets: [first], signal: ac.signal });
    ac.abort(new Error("shutting down"));
    await assert.rejects(rot.done, /shutting down/);
    assert.equal(verifier.verify(delivery(first)).secretIndex, 1);
    const ids = (await client.listWebhookSubscriptions()).items.map((s) => s.id);
    assert.ok(ids.includes(old.id));
    await client.deleteWebhookSubscription(old.id);
    await client.deleteWebhookSubscription(rot.subscription.id);
  });
});
