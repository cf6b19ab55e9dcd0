// The demo page's archive inspector in Chromium: a REAL archive made by the simulator, chosen as a
// File, is hashed and inspected in the browser (the SDK's web build: wasm SHA-256, the zip reader,
// DecompressionStream); and a dropped zip with layout problems shows its findings.
// Writes target/demo-archive.png.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";
import { Sim } from "../../www/sim.mjs";
import { startDemo } from "./demo-server.mjs";
import { simArchive } from "../js/archive-sim.mjs";
import { writeZip } from "../js/archive-zip.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let demo;
let url;
let sim;
let browser;
let page;
const problems = [];

before(async () => {
  demo = await startDemo();
  url = demo.url;
  sim = new Sim(demo.simUrl, null);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

test("a simulator archive chosen as a File: SHA-256, folders, metadata, chat, no findings", { timeout: 90_000 }, async () => {
  const key = await sim.apiKey("admin");
  const { record, url: download } = await simArchive(sim, key, { sizeBytes: 2_000_000 });
  const res = await fetch(download);
  assert.equal(res.status, 200);
  const file = join(mkdtempSync(join(tmpdir(), "flexperto-demo-")), `${record.id}.zip`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));

  const requests = [];
  page.on("request", (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  await page.setInputFiles("#archive-file", file);
  await page.waitForSelector("#archive-sha256[data-done]", { timeout: 60_000 });
  assert.equal((await page.textContent("#archive-sha256")).trim(), record.sha256CheckSum);
  assert.match(await page.textContent("#archive-progress-text"), /hashed 2\.0 MB/);

  const folder = async (name) => page.locator(`.folder[data-folder=${name}] code`).allTextContents();
  assert.deepEqual(await folder("themis"), [
    "themis/metadata.json", "themis/chat.json", "themis/uploads/id-card.png", "themis/recordings/recording-0001.mp4",
  ]);
  assert.deepEqual(await folder("mithra"), ["mithra/contract-0001.pdf"]);
  assert.deepEqual(await folder("whiteboard"), ["whiteboard/events.json"]);
  assert.equal(await page.locator(".folder[data-folder=other]").count(), 0);
  assert.equal((await page.textContent("#archive-metadata [data-field=conferenceId]")).trim(), record.subject.conference_id);
  assert.ok((await page.locator("#archive-participants li").count()) >= 1);
  assert.ok((await page.locator("#archive-chat li").count()) >= 1);
  assert.match(await page.textContent("#archive-findings"), /No findings/);
  assert.equal(await page.isHidden("#archive-error"), true);
  // Computed in the browser: nothing was sent anywhere but the page's own static files.
  assert.deepEqual(requests.filter((r) => !/^GET \/sdk\//.test(r)), []);
  assert.deepEqual(problems, []);
  mkdirSync(join(root, "target"), { recursive: true });
  await page.screenshot({ path: join(root, "target/demo-archive.png"), fullPage: true });
});

test("a dropped zip with layout problems shows them as findings", { timeout: 30_000 }, async () => {
  const zip = writeZip([
    { name: "themis/recordings/r.mp4", data: "x" },
    { name: "themis/../../etc/passwd", data: "x" },
    { name: "extras/readme.txt", data: "x" },
  ]).bytes();
  const dataTransfer = await page.evaluateHandle((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], "odd.zip", { type: "application/zip" }));
    return dt;
  }, [...zip]);
  await page.dispatchEvent("#archive-drop", "drop", { dataTransfer });
  await page.waitForSelector("#archive-sha256[data-done]");
  const findings = await page.locator("#archive-findings li").allTextContents();
  assert.deepEqual(findings, ["PARENT_SEGMENT themis/../../etc/passwd", "UNKNOWN_TOP_LEVEL extras", "NO_THEMIS_METADATA"]);
  assert.deepEqual(await page.locator(".folder[data-folder=other] code").allTextContents(), ["extras/readme.txt"]);
  assert.match(await page.textContent("#archive-result"), /No conference metadata/);
  assert.deepEqual(problems, []);
});
