// The CRM demo (www/server.mjs + page) in real Chromium, clicking as a person would, with the
// embedded simulator as the backend. Writes a screenshot to target/demo.png.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";
import { Sim } from "../../www/sim.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const EMAIL = "ada.lovelace@example.invalid";

let server; // the `node www/server.mjs` child
let serverOutput = ""; // all it printed, stdout and stderr
let url; // http://127.0.0.1:PORT
let simUrl; // the simulator it started
let browser;
let page;
const bodies = []; // promises of every response body the page received: [url, Buffer | null]
const pageErrors = [];

/** Starts `node www/server.mjs` on a free port; resolves to its URL and the simulator's. */
async function startServer() {
  const env = { ...process.env, PORT: "0" };
  for (const name of Object.keys(env)) if (name.startsWith("FLEXPERTO_") && name !== "FLEXPERTO_SIM_BIN") delete env[name];
  server = spawn(process.execPath, ["www/server.mjs"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  server.stderr.on("data", (d) => (serverOutput += d));
  const lines = createInterface({ input: server.stdout });
  const first = [];
  lines.on("line", (line) => (serverOutput += `${line}\n`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${serverOutput}`)), 20_000);
    server.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${serverOutput}`)));
    lines.on("line", (line) => {
      first.push(line);
      if (first.length < 2) return;
      clearTimeout(timer);
      const listening = /^demo listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first[0]);
      const backend = /^backend: simulator (http:\/\/\S+)$/.exec(first[1]);
      listening && backend ? resolve([listening[1], backend[1]]) : reject(new Error(`unexpected output:\n${serverOutput}`));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves to the exit code (or signal). */
async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return server?.exitCode;
  const exited = new Promise((r) => server.once("exit", (code, signal) => r(code ?? signal)));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 5_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function provision(email, firstName = "", lastName = "") {
  await page.fill("#expert-email", email);
  await page.fill("#expert-first-name", firstName);
  await page.fill("#expert-last-name", lastName);
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/experts") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Provision expert" }).click();
  const res = await answered;
  // The page renders after the response: wait until the button is usable again.
  await page.waitForSelector("#provision-expert:not([disabled])");
  return res;
}

async function apiExperts() {
  const res = await fetch(`${url}/api/experts`);
  assert.equal(res.status, 200);
  return (await res.json()).items;
}

describe("CRM demo in Chromium", { timeout: 60_000 }, () => {
  before(async () => {
    [url, simUrl] = await startServer();
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.on("response", (r) => bodies.push(r.body().then((b) => [r.url(), b], () => [r.url(), null])));
    page.on("pageerror", (e) => pageErrors.push(e));
    await page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await stopServer();
  });

  test("the page loads and lists experts", async () => {
    assert.equal(await page.title(), "Flexperto CRM demo");
    await page.waitForSelector("#experts-count:not(:empty)");
    for (const id of ["expert-email", "expert-first-name", "expert-last-name"]) {
      assert.equal(await page.locator(`label[for=${id}]`).count(), 1, `no label for #${id}`);
    }
    assert.equal(await page.getAttribute("#provision-expert", "type"), "submit");
    assert.equal(await page.getAttribute("#provision-result", "aria-live"), "polite");
  });

  test("provisioning creates the expert, and the accountId is the API's", async () => {
    const res = await provision(EMAIL, "Ada", "Lovelace");
    assert.equal(res.status(), 200);
    const accountId = (await page.textContent("#account-id")).trim();
    assert.match(accountId, /\S/);
    const result = await page.textContent("#provision-result");
    assert.match(result, /created/i);
    assert.match(result, /confirmed now/i);
    const listed = (await apiExperts()).filter((x) => x.email === EMAIL);
    assert.deepEqual(listed, [
      { id: accountId, email: EMAIL, firstName: "Ada", lastName: "Lovelace", emailConfirmed: true },
    ]);
    // The experts table is refreshed after provisioning.
    await page.locator("#experts tbody tr", { hasText: accountId }).waitFor();
    assert.match(await page.locator("#experts tbody tr", { hasText: accountId }).textContent(), /Ada Lovelace/);
  });

  test("provisioning again finds the same account", async () => {
    const before = (await apiExperts()).find((x) => x.email === EMAIL).id;
    await provision(EMAIL, "Ada", "Lovelace");
    await page.waitForSelector("#account-id");
    assert.equal((await page.textContent("#account-id")).trim(), before);
    const result = await page.textContent("#provision-result");
    assert.match(result, /found/i);
    assert.doesNotMatch(result, /created/i);
    assert.match(result, /already confirmed/i);
    assert.equal(await page.getAttribute("#provision-result", "data-created"), "false");
    assert.equal((await apiExperts()).filter((x) => x.email === EMAIL).length, 1);
    mkdirSync(`${root}target`, { recursive: true });
    await page.screenshot({ path: `${root}target/demo.png`, fullPage: true });
  });

  test("a malformed e-mail shows the server's INVALID_EMAIL", async () => {
    const res = await provision("not-an-email");
    assert.equal(res.status(), 400);
    const alert = page.locator("#provision-error[role=alert]");
    await alert.waitFor();
    const text = await alert.textContent();
    assert.match(text, /INVALID_EMAIL/);
    assert.match(text, /not-an-email/);
    assert.equal(await page.isHidden("#provision-result"), true, "the old result is still shown");
    await page.screenshot({ path: `${root}target/demo-error.png`, fullPage: true });
  });

  test("the backend answers bad requests with typed JSON errors", async () => {
    const post = (body, type = "application/json") =>
      fetch(`${url}/api/experts`, { method: "POST", headers: { "content-type": type }, body });
    const cases = [
      [post("{", "application/json"), 400, "INVALID_JSON"],
      [post("[]"), 400, "INVALID_JSON"],
      [post("{}", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [post(JSON.stringify({ email: "x".repeat(70_000) })), 413, "PAYLOAD_TOO_LARGE"],
      [post("{}"), 400, "INVALID_ARGUMENT"],
      [fetch(`${url}/api/experts`, { method: "DELETE" }), 405, "METHOD_NOT_ALLOWED"],
      [fetch(`${url}/nope`), 404, "NOT_FOUND"],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, code);
      assert.equal((await res.json()).error.code, code);
    }
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });

  test("an API failure shows as a 502 with the API's own status", async () => {
    // The server's own simulator: fail its next ListUsers with 403 (not retried).
    await new Sim(simUrl).fault({ path: "/api/v2/users/users", method: "GET", status: 403, count: 1 });
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/experts"));
    await page.getByRole("button", { name: "Refresh" }).click();
    const res = await answered;
    assert.equal(res.status(), 502);
    assert.deepEqual({ ...(await res.json()).error, message: undefined },
      { name: "ApiError", code: "FORBIDDEN", status: 403, message: undefined });
    const alert = page.locator("#experts-error[role=alert]");
    await alert.waitFor();
    assert.match(await alert.textContent(), /FORBIDDEN.*403/);
    // The next refresh works again and clears the alert.
    await page.getByRole("button", { name: "Refresh" }).click();
    await alert.waitFor({ state: "hidden" });
  });

  test("the API key never reaches the page nor the server's output", async () => {
    assert.deepEqual(pageErrors, []);
    const html = await page.content();
    assert.ok(!html.includes("eyJ"), "the page's HTML holds a JWT");
    const received = await Promise.all(bodies);
    assert.ok(received.some(([u]) => u.endsWith("/api/experts")), "no API response was recorded");
    for (const [u, body] of received) {
      assert.ok(!body?.toString("latin1").includes("eyJ"), `a JWT in the response of ${u}`);
    }
    assert.ok(!serverOutput.includes("eyJ"), "the server printed a JWT");
  });

  test("SIGTERM stops the server and its simulator, exit code 0", async () => {
    await browser.close();
    assert.equal(await stopServer(), 0, serverOutput);
    await assert.rejects(fetch(`${simUrl}/api/v2/users/users`), "the simulator still runs");
  });
});
