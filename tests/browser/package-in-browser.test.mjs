// The built package in real Chromium: `import { FlexpertoClient } from "flexperto-sdk"` through an
// import map that points at the package's own "browser" export, against the simulator (CORS).
// A test of the package, not of the demo: handing this page a key is fine here.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";
import { startSim } from "../../www/sim.mjs";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

let sim;
let key;
let server;
let browser;

/** The module the package's exports map gives a browser for "flexperto-sdk", as a /pkg/ URL. */
async function browserEntry() {
  const manifest = JSON.parse(await readFile(join(PKG, "package.json"), "utf8"));
  const entry = manifest.exports["."].browser.default;
  assert.ok(entry.startsWith("./"), `odd browser entry ${entry}`);
  return `/pkg/${entry.slice(2)}`;
}

function page(entry) {
  const cfg = JSON.stringify({ baseUrl: sim.url, apiKey: key }).replaceAll("<", "\\u003c");
  return `<!doctype html>
<meta charset="utf-8">
<title>flexperto-sdk in a browser</title>
<link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: { "flexperto-sdk": entry } })}</script>
<script type="module">
  import { FlexpertoClient, isFlexpertoError } from "flexperto-sdk";
  const cfg = ${cfg};
  const result = {};
  try {
    const client = new FlexpertoClient(cfg);
    result.baseUrl = client.baseUrl;
    result.ensured = await client.ensureExpert({ email: "browser@example.invalid", firstName: "Bro" });
    result.again = await client.ensureExpert({ email: "browser@example.invalid", firstName: "Bro" });
    try {
      new FlexpertoClient({ tenant: "evil.com/x", environment: "test", apiKey: cfg.apiKey });
      result.configError = "no error";
    } catch (e) {
      result.configError = { name: e.name, code: e.code, message: e.message, isError: e instanceof Error,
                             isFlexpertoError: isFlexpertoError(e) };
    }
    try {
      await client.ensureExpert({ email: "not-an-email" });
    } catch (e) {
      result.validationError = { name: e.name, code: e.code, isFlexpertoError: isFlexpertoError(e) };
    }
    result.plainErrorIsSdkError = isFlexpertoError(new Error("x"));
  } catch (e) {
    result.fatal = String(e?.stack ?? e);
  }
  window.__result = result;
</script>`;
}

before(async () => {
  sim = await startSim();
  key = await sim.apiKey("admin");
  const html = page(await browserEntry());
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
      return;
    }
    const file = normalize(join(PKG, path.replace(/^\/pkg\//, "")));
    if (!path.startsWith("/pkg/") || !file.startsWith(PKG)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
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
  await sim?.stop();
});

test("import { FlexpertoClient } from \"flexperto-sdk\" works in Chromium", { timeout: 60_000 }, async () => {
  const tab = await browser.newPage();
  const messages = [];
  tab.on("console", (m) => messages.push(`${m.type()}: ${m.text()}`));
  tab.on("pageerror", (e) => messages.push(`pageerror: ${e.message}`));
  tab.on("response", (r) => r.status() >= 400 && messages.push(`error: HTTP ${r.status()} ${r.url()}`));
  const wasm = tab.waitForResponse((r) => r.url().endsWith(".wasm"));
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  const handle = await tab.waitForFunction(() => window.__result, null, { timeout: 30_000 })
    .catch((e) => assert.fail(`no window.__result: ${e.message}\n${messages.join("\n")}`));
  const r = await handle.jsonValue();

  assert.equal(r.fatal, undefined, r.fatal);
  assert.equal(r.baseUrl, sim.url);
  assert.match(r.ensured.accountId, /\S/);
  assert.equal(r.ensured.created, true);
  assert.equal(r.again.accountId, r.ensured.accountId);
  assert.equal(r.again.created, false);
  assert.deepEqual(
    { ...r.configError, message: undefined },
    { name: "ConfigError", code: "INVALID_TENANT", message: undefined, isError: true, isFlexpertoError: true },
  );
  assert.ok(!r.configError.message.includes(key), "the key is in the error message");
  assert.deepEqual(r.validationError, { name: "ValidationError", code: "INVALID_EMAIL", isFlexpertoError: true });
  assert.equal(r.plainErrorIsSdkError, false);

  // The wasm came as application/wasm (streaming compile), and nothing complained.
  assert.equal((await wasm).headers()["content-type"], "application/wasm");
  assert.deepEqual(messages.filter((m) => /^(error|warning|pageerror)/.test(m)), []);

  // The requests really went from the browser to the simulator.
  // (find or create, confirm; then find again)
  const users = (await sim.requests()).filter((x) => x.path.startsWith("/api/v2/users/users"));
  assert.ok(users.length >= 4 && users.every((x) => x.hasApiKey), JSON.stringify(users));
  await tab.close();
});
