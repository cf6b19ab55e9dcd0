// SHA-256 throughput in Chromium (playwright-core, Debian chromium as tests/browser): the
// package's browser build (ArchiveChecksum, wasm) vs hash-wasm, 256 MiB in 1 MiB chunks, in one
// page; also crypto.subtle.digest of one 256 MiB buffer (not streaming) for reference.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const MOUNTS = { "/pkg/": join(root, "pkg/"), "/hash-wasm/": join(root, "node_modules/hash-wasm/dist/"), "/bench/": join(root, "bench/") };
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">{"imports":{"flexperto-sdk":"/pkg/web/index.js","hash-wasm":"/hash-wasm/index.esm.js"}}</script>
<script type="module">
  import { ArchiveChecksum } from "flexperto-sdk";
  import { createSHA256 } from "hash-wasm";
  import { measure, TOTAL } from "/bench/archive-hash-core.mjs";
  try {
    const results = await measure({
      "ArchiveChecksum (wasm)": () => {
        const h = new ArchiveChecksum();
        return { update: (c) => h.update(c), hex: () => { const d = h.digestHex(); h.free(); return d; } };
      },
      "hash-wasm": async () => { const h = await createSHA256(); h.init(); return { update: (c) => h.update(c), hex: () => h.digest("hex") }; },
    });
    const big = new Uint8Array(TOTAL);
    const t0 = performance.now();
    await crypto.subtle.digest("SHA-256", big);
    results["crypto.subtle (one shot)"] = { mbps: TOTAL / 1e6 / ((performance.now() - t0) / 1000), digest: results["hash-wasm"].digest };
    window.__result = results;
  } catch (e) { window.__result = { error: String(e?.stack ?? e) }; }
</script>`;

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (path === "/") return void res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
  const mount = Object.keys(MOUNTS).find((m) => path.startsWith(m));
  const file = mount && normalize(join(MOUNTS[mount], path.slice(mount.length)));
  if (!file || !file.startsWith(MOUNTS[mount])) return void res.writeHead(404).end();
  try {
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(await readFile(file));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const results = await (await page.waitForFunction(() => window.__result, null, { timeout: 300_000 })).jsonValue();
  if (results.error) throw new Error(results.error);
  const { report } = await import("./archive-hash-core.mjs");
  // crypto.subtle hashed zeros, not the same data: leave it out of the digest agreement.
  const subtle = results["crypto.subtle (one shot)"];
  delete results["crypto.subtle (one shot)"];
  console.log(report("chromium", results));
  console.log(`chromium crypto.subtle (one shot, reference)   ${subtle.mbps.toFixed(0).padStart(6)} MB/s`);
} finally {
  await browser.close();
  server.close();
}
