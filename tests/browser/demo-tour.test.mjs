// The whole CRM demo in real Chromium, clicked through as a newcomer would, against the embedded
// simulator, at 1280 px and at 360 px wide: CRM database and expert provisioning, a video call,
// the webhook inbox, archives and their claims, platform settings, API keys, the in-browser
// archive inspector and the simulator panel. One screenshot per step under
// test-output/demo/<width>/; an axe-core check of the whole page; and no response the page
// receives (bodies, headers, server-sent events) holds the API key.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import Database from "better-sqlite3";
import { chromium } from "playwright-core";
import * as sdk from "flexperto-sdk";
import { CHROMIUM, root, startDemo } from "./demo-server.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WIDTHS = [[1280, 860], [360, 780]];
const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o?.[k]]));

for (const [width, height] of WIDTHS) {
  describe(`the demo at ${width} px`, { timeout: 240_000 }, () => {
    const shots = join(root, "test-output", "demo", String(width));
    let demo;
    let browser;
    let context;
    let page;
    let step = 0;
    const received = []; // promises of [where, text] for every response the page got
    const sse = []; // every server-sent event message the page got
    const allowed = new Set(); // JWT-like strings the page may see: join-link tokens, new keys' secrets
    const pageErrors = [];
    let expertId;
    let customerId;
    let firstArchive; // claimed and stored

    async function shot(name) {
      step++;
      await page.screenshot({ path: join(shots, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
    }

    /** The row of an archive once `predicate(row attributes)` holds, polling the rendered table. */
    async function waitArchive(id, predicate, timeout = 30_000) {
      const row = page.locator(`#archives tbody tr[data-archive-id="${id}"]`);
      const deadline = Date.now() + timeout;
      for (;;) {
        if (await row.count()) {
          const attrs = { status: await row.getAttribute("data-status"), ledger: await row.getAttribute("data-ledger-state") };
          if (predicate(attrs)) return row;
          if (Date.now() > deadline) assert.fail(`archive ${id}: ${JSON.stringify(attrs)}`);
        } else if (Date.now() > deadline) {
          assert.fail(`archive ${id} is not listed`);
        }
        await page.waitForTimeout(100);
      }
    }

    async function endConference({ fail = false, size = "small" } = {}) {
      await page.selectOption("#sim-size", size);
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/sim/conference"));
      await page.click(fail ? "#sim-fail-archive" : "#sim-end-conference");
      const res = await answered;
      assert.equal(res.status(), 201);
      return (await res.json()).archiveId;
    }

    before(async () => {
      rmSync(shots, { recursive: true, force: true });
      mkdirSync(shots, { recursive: true });
      demo = await startDemo();
      browser = await chromium.launch(CHROMIUM);
      context = await browser.newContext({ viewport: { width, height } });
      page = await context.newPage();
      context.on("response", (r) => {
        const headers = r.headersArray().then((hs) => hs.map(({ name, value }) => `${name}: ${value}`).join("\n"), () => "");
        const isStream = (r.headers()["content-type"] ?? "").startsWith("text/event-stream");
        const body = isStream ? Promise.resolve("") : r.body().then((b) => b.toString("latin1"), () => "");
        received.push(Promise.all([headers, body]).then(([hs, b]) => [r.url(), `${hs}\n\n${b}`]));
      });
      // Server-sent events are read by the page as they come; DevTools reports each message.
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      cdp.on("Network.eventSourceMessageReceived", (m) => sse.push(`${m.eventName}\n${m.data}`));
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.goto(demo.url);
      await page.waitForSelector("body[data-live]");
    });

    after(async () => {
      await browser?.close();
      const code = await demo?.stop();
      assert.equal(code, 0, demo?.output());
    });

    test("the page loads: simulator backend, CRM customers seeded, panel shown", async () => {
      assert.equal(await page.title(), "Flexperto CRM demo");
      assert.match(await page.textContent("#backend"), /simulator/);
      assert.equal(await page.isVisible("#sim-section"), true);
      await page.waitForSelector("#customers tbody tr[data-customer-id]");
      const db = new Database(join(demo.dataDir, "crm.sqlite"), { readonly: true });
      try {
        const ids = db.prepare("SELECT id FROM customers ORDER BY last_name, first_name").all().map((r) => r.id);
        assert.ok(ids.length >= 3);
        assert.deepEqual(await page.locator("#customers tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.customerId)), ids);
        customerId = ids[0];
      } finally {
        db.close();
      }
      assert.match(demo.output(), /crm: seeded \d+ customers/);
      await page.waitForSelector("#inbox-subscription code");
      await shot("page");
    });

    test("provision an expert: the CRM stores the flexperto_account_id", async () => {
      await page.fill("#expert-email", "ada.lovelace@example.invalid");
      await page.fill("#expert-first-name", "Ada");
      await page.fill("#expert-last-name", "Lovelace");
      await page.getByRole("button", { name: "Provision expert" }).click();
      await page.waitForSelector("#stored-account-id");
      expertId = (await page.textContent("#account-id")).trim();
      assert.match(expertId, /^usr_/);
      assert.equal((await page.textContent("#stored-account-id")).trim(), expertId);
      const db = new Database(join(demo.dataDir, "crm.sqlite"), { readonly: true });
      try {
        const row = db.prepare("SELECT flexperto_account_id AS id FROM experts WHERE email = ?").get("ada.lovelace@example.invalid");
        assert.equal(row?.id, expertId);
      } finally {
        db.close();
      }
      const listed = page.locator("#experts tbody tr", { hasText: expertId });
      await listed.waitFor();
      assert.match(await listed.textContent(), /stored/);
      await shot("expert-provisioned");
    });

    test("start a video call: the moderator link opens in a new tab, participant links with windows", async () => {
      const row = page.locator(`#customers tbody tr[data-customer-id="${customerId}"]`);
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/video-calls"));
      // By keyboard: focus the row's button, press Enter.
      await row.getByRole("button", { name: /Start video call/ }).focus();
      await page.keyboard.press("Enter");
      const call = await (await answered).json();
      for (const l of [call.moderatorLink, ...call.participantLinks]) allowed.add(new URL(l.url).pathname.split("/").pop());
      await page.waitForSelector("#meeting-id");
      assert.equal(call.expertAccountId, expertId);
      assert.equal(await page.locator("#participant-links li .validity").count(), call.participantLinks.length);
      assert.match(await page.textContent("#participant-links"), /valid \S/);
      assert.match(await row.textContent(), /1/); // the CRM counted the call
      // The simulator opens a join link only once its window started (whole seconds).
      const opens = Date.parse(call.moderatorLink.notBefore);
      if (opens > Date.now()) await page.waitForTimeout(opens - Date.now() + 50);
      const [tab] = await Promise.all([context.waitForEvent("page"), page.click("#moderator-link")]);
      await tab.waitForLoadState();
      assert.equal(tab.url(), call.moderatorLink.url);
      assert.match(await tab.textContent("body"), /as moderator/);
      await tab.close();
      await shot("video-call");
    });

    let available;
    test("end a conference: the archive moves through its lifecycle and its webhook arrives verified", async () => {
      const seen = new Set();
      const id = await endConference();
      available = id;
      const row = page.locator(`#archives tbody tr[data-archive-id="${id}"]`);
      await row.waitFor();
      await waitArchive(id, ({ status }) => (seen.add(status), status === "AVAILABLE"));
      assert.ok([...seen].some((s) => s !== "AVAILABLE"), `statuses seen: ${[...seen]}`);
      // The platform notifies archive.available; the SDK's handler verified and accepted it.
      const delivery = page.locator(`#inbox tbody tr[data-result=accepted]`, { hasText: id });
      await delivery.waitFor();
      assert.equal(await delivery.getAttribute("data-code"), "VERIFIED");
      await shot("archive-available");
    });

    test("webhook inbox: a duplicate is marked, forged deliveries are refused with their code", async () => {
      await page.selectOption("#sim-duplicate-archive", available);
      await page.click("#sim-duplicate");
      await page.locator("#inbox tbody tr[data-result=duplicate]", { hasText: available }).first().waitFor();
      await page.click("#forge-secret");
      await page.locator("#inbox tbody tr[data-code=SECRET_MISMATCH]").waitFor();
      assert.match(await page.textContent("#inbox tbody tr[data-code=SECRET_MISMATCH]"), /404/);
      await page.click("#forge-payload");
      const bad = page.locator("#inbox tbody tr[data-code=SCHEMA_VIOLATION]");
      await bad.waitFor();
      assert.match(await bad.textContent(), /400.*data\.archive_id/s);
      await page.locator("#inbox").scrollIntoViewIfNeeded();
      await shot("webhook-inbox");
    });

    test("claim an archive: progress bar, stored file, verified checksum, ledger state", async () => {
      // Slow storage, so that the progress bar is seen moving.
      await page.selectOption("#sim-fault-kind", "slow");
      await page.fill("#sim-fault-times", "1");
      await page.click("#sim-inject-fault");
      await page.locator("#sim-result", { hasText: "slow" }).waitFor();
      await page.locator(`#archives button[data-claim="${available}"]`).click();
      // The bar moves while the download runs (the claimer reports every MiB).
      await page.waitForFunction((id) => document.querySelector(`#archives progress[data-archive-id="${id}"]`)?.value > 0, available);
      await shot("claim-progress");
      const row = await waitArchive(available, ({ ledger }) => ["stored", "abandoned"].includes(ledger));
      await waitArchive(available, ({ status }) => status === "ABANDONED");
      const record = await (await fetch(`${demo.url}/api/archives`)).json();
      const r = record.items.find((a) => a.id === available);
      assert.match(await row.textContent(), /SHA-256 verified/);
      assert.match(await row.textContent(), new RegExp(r.sha256CheckSum));
      const name = (await row.locator(".stored-file").textContent()).trim();
      const file = join(demo.dataDir, "simulator-run", "archives", name);
      assert.equal(createHash("sha256").update(readFileSync(file)).digest("hex"), r.sha256CheckSum);
      firstArchive = { id: available, file, sha256: r.sha256CheckSum, conferenceId: r.conferenceId };
      await shot("claimed");
    });

    test("claim automatically: an archive is claimed as its webhook arrives", async () => {
      await page.check("#auto-claim");
      await page.waitForSelector("#auto-claim:checked:not([disabled])");
      const id = await endConference();
      await waitArchive(id, ({ ledger, status }) => ["stored", "abandoned"].includes(ledger) && status === "ABANDONED");
      await page.uncheck("#auto-claim");
      await page.waitForSelector("#auto-claim:not(:checked):not([disabled])");
      await shot("auto-claimed");
    });

    test("a flipped byte on every download: the archive is quarantined with its reason, never abandoned", async () => {
      await page.selectOption("#sim-fault-kind", "flip");
      await page.fill("#sim-fault-times", "20");
      await page.click("#sim-inject-fault");
      await page.locator("#sim-result", { hasText: "flipped" }).waitFor();
      const id = await endConference();
      await waitArchive(id, ({ status }) => status === "AVAILABLE");
      await page.locator(`#archives button[data-claim="${id}"]`).click();
      await waitArchive(id, ({ ledger }) => ledger === "quarantined", 60_000);
      const item = page.locator(`#quarantine-list li[data-archive-id="${id}"]`);
      await item.waitFor();
      assert.match(await item.textContent(), /\S+: \S/);
      const row = page.locator(`#archives tbody tr[data-archive-id="${id}"]`);
      assert.equal(await row.getAttribute("data-status"), "AVAILABLE");
      await page.locator("#quarantine").scrollIntoViewIfNeeded();
      await shot("quarantined");
    });

    test("fail an archive: FAILED with the platform's error", async () => {
      const id = await endConference({ fail: true });
      const row = await waitArchive(id, ({ status }) => status === "FAILED");
      assert.match(await row.textContent(), /packing failed/);
      await shot("archive-failed");
    });

    test("move the clock: the platform's time moves (and an abandoned archive expires)", async () => {
      await page.selectOption("#sim-clock-seconds", "259260");
      await page.click("#sim-move-clock");
      await page.locator("#sim-clock", { hasText: "Platform time" }).waitFor();
      if (firstArchive) await waitArchive(firstArchive.id, ({ status }) => status === "EXPIRED");
      await shot("clock-moved");
    });

    test("platform settings: a mode toggles; the exclusive pair is refused with the SDK's error", async () => {
      const auto = page.locator("#set-enableAutomaticRecording");
      const consent = page.locator("#set-enableRecordingVerbalConsent");
      await page.waitForSelector("#set-enableAutomaticRecording:not([disabled])");
      if (await consent.isChecked()) {
        await consent.click();
        await page.waitForSelector("#set-enableRecordingVerbalConsent:not(:checked):not([disabled])");
      }
      if (!(await auto.isChecked())) {
        // By keyboard: focus the switch, press Space.
        await auto.focus();
        await page.keyboard.press("Space");
        await page.locator("#settings-status", { hasText: "saved" }).waitFor();
      }
      assert.equal(await auto.isChecked(), true);
      const refused = page.waitForResponse((r) => r.url().endsWith("/api/settings") && r.request().method() === "PATCH");
      await consent.click();
      // The SDK refused it before any request (a ValidationError), not the platform.
      const res = await refused;
      assert.equal(res.status(), 400);
      assert.deepEqual(pick((await res.json()).error, ["name", "code"]), { name: "ValidationError", code: "RECORDING_MODES_EXCLUSIVE" });
      const alert = page.locator("#settings-error");
      await alert.waitFor();
      assert.match(await alert.textContent(), /RECORDING_MODES_EXCLUSIVE/);
      await page.waitForSelector("#set-enableRecordingVerbalConsent:not([disabled])");
      assert.equal(await consent.isChecked(), false);
      const settings = await (await fetch(`${demo.url}/api/settings`)).json();
      assert.equal(settings.enableRecordingVerbalConsent, false);
      assert.equal(settings.enableAutomaticRecording, true);
      await page.locator("#settings-section").scrollIntoViewIfNeeded();
      await shot("settings");
    });

    test("API keys: create one (secret shown once), list, revoke", async () => {
      await page.fill("#key-name", "crm-reporting");
      await page.press("#key-name", "Enter"); // submitted by keyboard
      const secret = page.locator("#new-key-secret");
      await secret.waitFor();
      const token = await secret.inputValue();
      allowed.add(token);
      assert.match(token, /^eyJ/);
      const row = page.locator("#keys tbody tr", { hasText: "crm-reporting" });
      await row.waitFor();
      assert.match(await row.textContent(), /active/);
      // The demo's own key is listed without a Revoke button; the list never holds a secret.
      assert.equal(await page.locator("#keys tbody tr", { hasText: "this demo's key" }).locator("button").count(), 0);
      await page.locator("#keys-section").scrollIntoViewIfNeeded();
      await shot("api-key-created");
      await page.click("#dismiss-secret");
      assert.equal(await page.locator("#new-key-secret").count(), 0, "the secret is still on the page");
      await row.getByRole("button", { name: /Revoke/ }).click();
      await page.locator("#keys tbody tr", { hasText: "crm-reporting" }).locator(".badge", { hasText: "revoked" }).waitFor();
      await shot("api-key-revoked");
    });

    test("inspect an archive in the browser: checksum, folders, metadata, chat, nothing uploaded", async () => {
      let file = firstArchive?.file;
      let sha256 = firstArchive?.sha256;
      let conferenceId = firstArchive?.conferenceId;
      if (!file) {
        // Without the claim worker: the archive as the platform serves it, downloaded here.
        const sim = new (await import("../../www/sim.mjs")).Sim(demo.simUrl, null);
        const client = new sdk.FlexpertoClient({ baseUrl: demo.simUrl, apiKey: await sim.apiKey("admin") });
        const record = await client.getArchive(available);
        const bytes = Buffer.from(await new Response(await client.downloadArchive(available)).arrayBuffer());
        file = join(demo.dataDir, `${available}.zip`);
        (await import("node:fs")).writeFileSync(file, bytes);
        sha256 = record.sha256CheckSum;
        conferenceId = record.subject.conference_id;
      }
      const requests = [];
      const onRequest = (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`);
      page.on("request", onRequest);
      await page.setInputFiles("#archive-file", file);
      await page.waitForSelector("#archive-sha256[data-done]", { timeout: 60_000 });
      page.off("request", onRequest);
      assert.equal((await page.textContent("#archive-sha256")).trim(), sha256);
      assert.ok((await page.locator(".folder[data-folder=themis] code").count()) >= 2);
      assert.equal((await page.textContent("#archive-metadata [data-field=conferenceId]")).trim(), conferenceId);
      assert.ok((await page.locator("#archive-chat li").count()) >= 1);
      assert.deepEqual(requests.filter((r) => !/^GET \/sdk\//.test(r)), [], "the page sent something while inspecting");
      await page.locator("#archive-section").scrollIntoViewIfNeeded();
      await shot("archive-inspected");
    });

    test(`readable at ${width} px: nothing wider than the window`, async () => {
      const wide = await page.evaluate(() => {
        const limit = document.documentElement.clientWidth + 1;
        const out = [];
        for (const el of document.querySelectorAll("body *")) {
          // Inside a scrolling box (tables) is fine: the box itself must fit.
          if (el.closest(".table-wrap") && !el.classList.contains("table-wrap")) continue;
          const r = el.getBoundingClientRect();
          if (r.right > limit) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${[...el.classList].join(".")} ${Math.round(r.right)}`);
        }
        return { scrollWidth: document.documentElement.scrollWidth, out: out.slice(0, 10) };
      });
      assert.ok(wide.scrollWidth <= width, JSON.stringify(wide));
      assert.deepEqual(wide.out, []);
    });

    test("axe-core: no serious or critical violation on the whole page", async () => {
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
        return violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
      });
      const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(bad, []);
    });

    test("the API key never reaches the page: no response body, header or event holds it", async () => {
      assert.deepEqual(pageErrors, []);
      const clean = (text) => {
        for (const t of allowed) text = text.replaceAll(t, "");
        return text;
      };
      const all = await Promise.all(received);
      assert.ok(all.length > 20, `only ${all.length} responses recorded`);
      assert.ok(sse.length > 3, `only ${sse.length} server-sent events recorded`);
      for (const [where, text] of all) assert.ok(!clean(text).includes("eyJ"), `a JWT in the response of ${where}`);
      for (const message of sse) assert.ok(!clean(message).includes("eyJ"), `a JWT in an event: ${message.slice(0, 200)}`);
      assert.ok(!clean(await page.content()).includes("eyJ"), "a JWT in the page");
      assert.ok(!demo.output().includes("eyJ"), "the server printed a JWT");
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot("final");
    });
  });
}

describe("the demo on a real tenant (FLEXPERTO_BASE_URL and FLEXPERTO_API_KEY set)", { timeout: 60_000 }, () => {
  // A simulator of our own stands in for the tenant: the demo only sees a base URL and a key.
  let sim;
  let demo;
  let browser;
  before(async () => {
    const { startSim } = await import("../../www/sim.mjs");
    sim = await startSim();
    const apiKey = await sim.apiKey("admin");
    demo = await startDemo({ env: { FLEXPERTO_BASE_URL: sim.url, FLEXPERTO_API_KEY: apiKey } });
    browser = await chromium.launch(CHROMIUM);
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
    await sim?.stop();
  });

  test("the simulator panel is hidden and its routes refused; the rest works", async () => {
    assert.match(demo.output(), /backend: tenant http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(demo.simUrl, undefined);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(demo.url);
    await page.locator("#backend", { hasText: "tenant" }).waitFor();
    assert.equal(await page.isHidden("#sim-section"), true);
    await page.waitForSelector("#customers tbody tr[data-customer-id]");
    // Without a public address there is no subscription, and the page says why.
    assert.match(await page.textContent("#inbox-subscription"), /DEMO_PUBLIC_URL/);
    const res = await fetch(`${demo.url}/api/sim/clock`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds: 60 }),
    });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error.code, "SIMULATOR_OFF");
    assert.equal((await sim.control("GET", "clock")).offsetSeconds, 0);
    await page.screenshot({ path: join(root, "test-output", "demo", "tenant-mode.png"), fullPage: true });
  });
});
