// The CRM demo (www/server.mjs + page) in real Chromium, clicking as a person would, with the
// embedded simulator as the backend: provisioning, video calls and the backend's typed errors.
// Writes screenshots to test-output/demo/. (demo-tour.test.mjs clicks through every feature.)
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { chromium } from "playwright-core";
import { linkIsValidAt } from "flexperto-sdk";
import { Sim } from "../../www/sim.mjs";
import { CHROMIUM, root, startDemo } from "./demo-server.mjs";

const shots = join(root, "test-output", "demo");
const EMAIL = "ada.lovelace@example.invalid";

let demo; // the started demo server
let url; // http://127.0.0.1:PORT
let simUrl; // the simulator it started
let browser;
let page;
const bodies = []; // promises of every response body the page received: [url, Buffer | null]
const pageErrors = [];
// Join-link tokens the page was given. They are base64url JSON, so they start with "eyJ" like a
// JWT does: the key-leak checks remove them before looking for "eyJ".
const joinTokens = new Set();

/** `text` without the join-link tokens seen so far. */
function withoutJoinTokens(text) {
  for (const token of joinTokens) text = text.replaceAll(token, "");
  return text;
}

/** Asserts that no response the page received so far holds a JWT (the API key). */
async function assertNoKeyInResponses() {
  const received = await Promise.all(bodies);
  for (const [u, body] of received) {
    assert.ok(!withoutJoinTokens(body?.toString("latin1") ?? "").includes("eyJ"), `a JWT in the response of ${u}`);
  }
  return received;
}

/** Records a response's body; an event stream never ends (demo-tour.test.mjs reads its events). */
function record(r) {
  const stream = (r.headers()["content-type"] ?? "").startsWith("text/event-stream");
  bodies.push(stream ? Promise.resolve([r.url(), null]) : r.body().then((b) => [r.url(), b], () => [r.url(), null]));
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
    demo = await startDemo();
    ({ url, simUrl } = demo);
    mkdirSync(shots, { recursive: true });
    browser = await chromium.launch(CHROMIUM);
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.on("response", record);
    page.on("pageerror", (e) => pageErrors.push(e));
    await page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
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
      { id: accountId, email: EMAIL, firstName: "Ada", lastName: "Lovelace", emailConfirmed: true, storedAccountId: accountId },
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
    await page.screenshot({ path: join(shots, "provisioned-again.png"), fullPage: true });
  });

  test("Start video call gives the expert and the customer working join links", async () => {
    // The moderator is Ada, provisioned by the tests above: the page sends her account id.
    const ada = (await apiExperts()).find((x) => x.email === EMAIL);
    await page.locator("#customers tbody tr[data-customer-id]").first().waitFor();
    assert.match(await page.textContent("#call-expert"), new RegExp(ada.id));
    const [customer] = (await (await fetch(`${url}/api/customers`)).json()).items;
    const row = page.locator("#customers tbody tr").first();
    const button = row.getByRole("button", { name: "Start video call" });
    assert.equal(await button.getAttribute("data-customer-id"), customer.id);

    const answered = page.waitForResponse((r) => r.url().endsWith("/api/video-calls"));
    const started = Date.now();
    await button.click();
    const res = await answered;
    assert.equal(res.status(), 200);
    const call = await res.json();
    for (const link of [call.moderatorLink, ...call.participantLinks]) joinTokens.add(new URL(link.url).pathname.split("/").pop());
    await page.waitForSelector("#meeting-id");
    const elapsed = Date.now() - started;

    // What the page shows is what the SDK returned.
    assert.equal((await page.textContent("#meeting-id")).trim(), call.meetingId);
    assert.match(call.meetingId, /\S/);
    assert.equal(call.expertAccountId, ada.id);
    assert.equal(call.provisioned, undefined, "an expert given by account id is not provisioned again");
    assert.equal(await page.getAttribute("#call-result", "aria-live"), "polite");
    assert.match(await page.textContent("#call-result"), new RegExp(`${customer.firstName} ${customer.lastName}`));

    const moderator = page.locator("#call-result a#moderator-link");
    assert.equal(await moderator.getAttribute("href"), call.moderatorLink.url);
    assert.equal(await moderator.getAttribute("target"), "_blank");
    assert.match(await moderator.getAttribute("rel"), /\bnoopener\b/);
    // Times only when both ends are today (local time); with dates when the window crosses
    // midnight, e.g. when the test runs after 23:00.
    const VALIDITY = /^valid (.+, )?\d\d:\d\d – (.+, )?\d\d:\d\d$/;
    assert.match(await page.textContent("#moderator-link + .validity"), VALIDITY);

    const items = page.locator("#participant-links > li");
    assert.equal(await items.count(), 1);
    assert.equal(await items.locator("a").count(), 1);
    assert.equal(call.participantLinks.length, 1);
    const [participant] = call.participantLinks;
    assert.equal(await items.locator("a").getAttribute("href"), participant.url);
    assert.match(await items.locator("a").textContent(), new RegExp(customer.firstName));
    assert.match(await items.locator(".validity").textContent(), VALIDITY);
    assert.deepEqual(participant.participant,
      { email: customer.email, firstName: customer.firstName, lastName: customer.lastName });
    assert.notEqual(participant.url, call.moderatorLink.url);

    // The window: opens by now (the SDK may start it a little early, for clock skew) and closes
    // after the default 60 minutes (the API keeps whole seconds).
    const at = `started ${new Date(started).toISOString()}`;
    for (const link of [call.moderatorLink, participant]) {
      const [from, until] = [Date.parse(link.notBefore), Date.parse(link.validUntil)];
      assert.ok(from <= started + elapsed + 1_000 && from >= started - 120_000, `notBefore ${link.notBefore}, ${at}`);
      assert.ok(Math.abs(until - started - 3_600_000) <= 2_000 + elapsed, `validUntil ${link.validUntil}, ${at}`);
    }

    // Fetch only inside the window (the SDK's own check, on the dates as the page got them; the
    // simulator rounds notBefore up to a whole second, so it may open up to 1 s from now).
    const dates = (l) => ({ notBefore: new Date(l.notBefore), validUntil: new Date(l.validUntil) });
    const opens = Math.max(...[call.moderatorLink, participant].map((l) => Date.parse(l.notBefore)));
    if (opens > Date.now()) await new Promise((r) => setTimeout(r, opens - Date.now() + 50));
    for (const l of [call.moderatorLink, participant]) assert.equal(linkIsValidAt(dates(l)), true, l.url);
    for (const [link, who] of [[call.moderatorLink.url, "moderator"], [participant.url, `${customer.firstName} ${customer.lastName}`]]) {
      const join = await fetch(link);
      const text = await join.text();
      assert.equal(join.status, 200, `${link}: ${text}`);
      assert.match(text, new RegExp(`as ${who}`));
    }
    // A link is its own credential: a tampered one is refused.
    assert.equal((await fetch(`${call.moderatorLink.url}x`)).status, 403);

    // The page got join links, never the API key.
    const received = await assertNoKeyInResponses();
    assert.ok(received.some(([u]) => u.endsWith("/api/video-calls")), "no video-call response was recorded");

    await page.screenshot({ path: join(shots, "video-call.png"), fullPage: true });
    await page.setViewportSize({ width: 360, height: 900 });
    await page.screenshot({ path: join(shots, "video-call-360.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 760 });
  });

  test("Start video call without a provisioned expert provisions the one in the form", async () => {
    // A fresh page: nothing provisioned yet, so the form's expert is sent (and provisioned).
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    fresh.on("response", record);
    fresh.on("pageerror", (e) => pageErrors.push(e));
    try {
      await fresh.goto(url);
      await fresh.locator("#customers tbody tr[data-customer-id]").first().waitFor();
      const start = fresh.locator("#customers tbody tr").nth(1).getByRole("button", { name: "Start video call" });
      // No expert at all: the page says so instead of calling the backend.
      await start.click();
      assert.match(await fresh.locator("#call-error[role=alert]").textContent(), /NO_EXPERT/);
      await fresh.screenshot({ path: join(shots, "video-call-error.png"), fullPage: true });

      const email = "grace.hopper@example.invalid";
      await fresh.fill("#expert-email", email);
      await fresh.fill("#expert-first-name", "Grace");
      await fresh.fill("#expert-last-name", "Hopper");
      assert.match(await fresh.textContent("#call-expert"), /Grace Hopper, from the form/);
      const answered = fresh.waitForResponse((r) => r.url().endsWith("/api/video-calls"));
      await start.click();
      const call = await (await answered).json();
      await fresh.waitForSelector("#meeting-id");
      assert.equal(await fresh.isHidden("#call-error"), true);
      const grace = (await apiExperts()).find((x) => x.email === email);
      assert.deepEqual(call.provisioned, { accountId: grace.id, created: true, confirmed: true });
      assert.equal(call.expertAccountId, grace.id);
      for (const link of [call.moderatorLink, ...call.participantLinks]) joinTokens.add(new URL(link.url).pathname.split("/").pop());
      // From now on the page uses her account id, and the experts table shows her.
      assert.match(await fresh.textContent("#call-expert"), new RegExp(grace.id));
      await fresh.locator("#experts tbody tr", { hasText: grace.id }).waitFor();
    } finally {
      await fresh.close();
    }
  });

  test("a malformed e-mail shows the server's INVALID_EMAIL", async () => {
    const res = await provision("not-an-email");
    assert.equal(res.status(), 400);
    const alert = page.locator("#provision-error[role=alert]");
    await alert.waitFor();
    const text = await alert.textContent();
    assert.match(text, /INVALID_EMAIL/);
    // The SDK names the field, never the address itself (personal data; messages end up in logs).
    assert.match(text, /\bemail\b/);
    assert.doesNotMatch(text, /not-an-email/);
    assert.equal(await page.isHidden("#provision-result"), true, "the old result is still shown");
    await page.screenshot({ path: join(shots, "error.png"), fullPage: true });
  });

  test("the backend answers bad requests with typed JSON errors", async () => {
    const post = (body, type = "application/json", path = "/api/experts") =>
      fetch(`${url}${path}`, { method: "POST", headers: { "content-type": type }, body });
    const videoCall = (body) => post(JSON.stringify(body), "application/json", "/api/video-calls");
    const cases = [
      [post("{", "application/json"), 400, "INVALID_JSON"],
      [post("[]"), 400, "INVALID_JSON"],
      [post("{}", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [post(JSON.stringify({ email: "x".repeat(70_000) })), 413, "PAYLOAD_TOO_LARGE"],
      [post("{}"), 400, "INVALID_ARGUMENT"],
      [fetch(`${url}/api/experts`, { method: "DELETE" }), 405, "METHOD_NOT_ALLOWED"],
      [fetch(`${url}/nope`), 404, "NOT_FOUND"],
      [videoCall({}), 400, "INVALID_ARGUMENT"],
      [videoCall({ customerId: "cus_nope", expert: { email: EMAIL } }), 404, "UNKNOWN_CUSTOMER"],
      [videoCall({ customerId: "cus_1001", expert: { accountId: 5 } }), 400, "INVALID_ARGUMENT"],
      [videoCall({ customerId: "cus_1001", expert: { accountId: "usr_nope" } }), 502, "UNPROCESSABLE"],
      [videoCall({ customerId: "cus_1001", expert: { email: EMAIL }, validForMinutes: 0 }), 400, "INVALID_ARGUMENT"],
      [videoCall({ customerId: "cus_1001", expert: { email: "nope" } }), 400, "INVALID_EMAIL"],
      [fetch(`${url}/api/settings`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ enableAutomaticRecording: "yes" }) }), 400, "INVALID_ARGUMENT"],
      [post("{}", "application/json", "/api/settings"), 405, "METHOD_NOT_ALLOWED"],
      [fetch(`${url}/api/video-calls`), 405, "METHOD_NOT_ALLOWED"],
      [fetch(`${url}/api/customers`, { method: "POST" }), 405, "METHOD_NOT_ALLOWED"],
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
    const html = withoutJoinTokens(await page.content());
    assert.ok(!html.includes("eyJ"), "the page's HTML holds a JWT");
    const received = await assertNoKeyInResponses();
    assert.ok(received.some(([u]) => u.endsWith("/api/experts")), "no API response was recorded");
    assert.ok(!demo.output().includes("eyJ"), "the server printed a JWT");
  });

  test("SIGTERM stops the server and its simulator, exit code 0", async () => {
    await browser.close();
    assert.equal(await demo.stop(), 0, demo.output());
    await assert.rejects(fetch(`${simUrl}/api/v2/users/users`), "the simulator still runs");
  });

  test("a restart keeps the CRM database: no second seed; the new simulator's accounts start empty", async () => {
    assert.match(demo.output(), /crm: seeded 4 customers/);
    const before = (await (await fetch(`${url}/api/customers`).catch(() => null))?.json())?.items;
    assert.equal(before, undefined, "the first server still answers");
    const again = await startDemo({ dataDir: demo.dataDir });
    try {
      assert.doesNotMatch(again.output(), /seeded/);
      const { items } = await (await fetch(`${again.url}/api/customers`)).json();
      assert.equal(items.length, 4);
      // The video calls of the first run are forgotten with its simulator; the customers stay.
      assert.ok(items.every((c) => c.calls === 0));
      const experts = await (await fetch(`${again.url}/api/experts`)).json();
      assert.deepEqual(experts.items, []);
    } finally {
      assert.equal(await again.stop(), 0, again.output());
    }
  });
});
