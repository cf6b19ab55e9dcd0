// createWebRequestHandler of the browser build, in real Chromium: the page imports "flexperto-sdk"
// through the package's "browser" export and hands the handler the browser's own Request objects
// (a service worker's fetch handler would do the same, with the FetchEvent as its waitUntil).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

const PAGE = (entry) => `<!doctype html>
<meta charset="utf-8">
<title>createWebRequestHandler in a browser</title>
<link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: { "flexperto-sdk": entry } })}</script>
<script type="module">
  import { MemorySeenStore, WebhookVerifier, createWebRequestHandler, generateWebhookSecret, isTopic } from "flexperto-sdk";
  const result = {};
  try {
    const secret = generateWebhookSecret();
    const verifier = new WebhookVerifier({ secrets: [secret], maxBodyBytes: 2048 });
    const seen = new MemorySeenStore();
    const got = [];
    let release;
    const gate = new Promise((r) => (release = r));
    const handler = createWebRequestHandler({
      verifier,
      seen,
      on: { "archive.available": async (e) => { await gate; got.push(["archive", e.archiveId]); } },
      onAny: (e) => { if (!isTopic(e, "archive.available")) got.push(["other", e.topic]); },
    });
    const payload = (archiveId) => JSON.stringify({ id: "n_" + archiveId, topic: "archive.available",
      data: { archive_id: archiveId, archive_subject: { conference_id: "conf_1" }, status: "AVAILABLE" } });
    const cb = location.origin + "/cb/" + secret;
    const call = async (request, ...ctx) => {
      const res = await handler(request, ...ctx);
      return { status: res.status, allow: res.headers.get("allow"), body: await res.text() };
    };
    const json = { "content-type": "application/json" };
    const kept = [];
    result.accepted = await call(new Request(cb, { method: "POST", headers: json, body: payload("arc_1") }), { waitUntil: (p) => kept.push(p) });
    result.pendingAfterAnswer = handler.pending;
    result.keptByWaitUntil = kept.length;
    result.duplicate = await call(new Request(cb, { method: "POST", headers: json, body: payload("arc_1") }));
    result.get = await call(new Request(cb, { method: "GET" }));
    result.put = await call(new Request(cb, { method: "PUT", headers: json, body: payload("arc_2") }));
    result.wrongSecret = await call(new Request(location.origin + "/cb/" + generateWebhookSecret(), { method: "POST", headers: json, body: payload("arc_3") }));
    result.contentType = await call(new Request(cb, { method: "POST", headers: { "content-type": "text/plain" }, body: payload("arc_4") }));
    const big = new ReadableStream({ start(c) { for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(1000)); c.close(); } });
    result.oversize = await call(new Request(cb, { method: "POST", headers: json, body: big, duplex: "half" }));
    result.schema = await call(new Request(cb, { method: "POST", headers: json, body: JSON.stringify({ topic: "archive.available", data: { archive_id: 5 } }) }));
    result.other = await call(new Request(cb, { method: "POST", headers: json, body: JSON.stringify({ id: "x", topic: "meeting.ended", data: {} }) }));
    result.gotBeforeRelease = got.length;
    release();
    await Promise.all(kept);
    await handler.drain();
    result.got = got;
    result.seen = seen.size;
  } catch (e) {
    result.fatal = String(e?.stack ?? e);
  }
  window.__result = result;
</script>`;

let server;
let browser;

before(async () => {
  const manifest = JSON.parse(await readFile(join(PKG, "package.json"), "utf8"));
  const html = PAGE(`/pkg/${manifest.exports["."].browser.default.slice(2)}`);
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    const file = normalize(join(PKG, path.replace(/^\/pkg\//, "")));
    if (!path.startsWith("/pkg/") || !file.startsWith(PKG)) return void res.writeHead(404).end();
    try {
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("createWebRequestHandler answers the browser's Request objects as the Node handler would", { timeout: 60_000 }, async () => {
  const tab = await browser.newPage();
  const messages = [];
  tab.on("pageerror", (e) => messages.push(`pageerror: ${e.message}`));
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  const r = await (await tab.waitForFunction(() => window.__result, null, { timeout: 30_000 })
    .catch((e) => assert.fail(`no window.__result: ${e.message}\n${messages.join("\n")}`))).jsonValue();
  assert.equal(r.fatal, undefined, r.fatal);
  const sc = (x) => [x.status, x.allow, x.body];
  assert.deepEqual(sc(r.accepted), [202, null, '{"accepted":true}']);
  assert.equal(r.pendingAfterAnswer, 1, "answered before the work ran");
  assert.equal(r.keptByWaitUntil, 1);
  assert.deepEqual(sc(r.duplicate), [200, null, '{"duplicate":true}']);
  assert.deepEqual(sc(r.get), [405, "POST", '{"code":"METHOD_NOT_ALLOWED"}']);
  assert.deepEqual(sc(r.put), [405, "POST", '{"code":"METHOD_NOT_ALLOWED"}']);
  assert.deepEqual(sc(r.wrongSecret), [404, null, ""]);
  assert.deepEqual(sc(r.contentType), [415, null, '{"code":"BAD_CONTENT_TYPE"}']);
  assert.deepEqual(sc(r.oversize), [413, null, '{"code":"BODY_TOO_LARGE"}']);
  assert.deepEqual(sc(r.schema), [400, null, '{"code":"SCHEMA_VIOLATION","path":"data.archive_id"}']);
  assert.equal(r.other.status, 202);
  assert.equal(r.gotBeforeRelease, 1, "only the unknown topic's onAny had run");
  assert.deepEqual(r.got, [["other", "meeting.ended"], ["archive", "arc_1"]]);
  assert.equal(r.seen, 2);
  assert.deepEqual(messages, []);
  await tab.close();
});
