// Package size (wasm + JS glue, gzip) and cold start (import to first call) in fresh Node
// processes. Budgets: 150 KiB gzip, 10 ms.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("flexperto-sdk/package.json"));
const gz = (f) => gzipSync(readFileSync(join(pkgDir, f)), { level: 9 }).length;
for (const t of ["node", "web"]) {
  const wasm = gz(`${t}/flexperto_sdk_bg.wasm`);
  const glue = gz(`${t}/flexperto_sdk.js`) + gz(`${t}/snippets/${readSnippet(t)}`);
  const total = (wasm + glue) / 1024;
  console.log(`${t.padEnd(4)} wasm ${(wasm / 1024).toFixed(1)} KiB + glue ${(glue / 1024).toFixed(1)} KiB gzip = ${total.toFixed(1)} KiB (budget 150 KiB: ${(total / 150).toFixed(2)}x of it)`);
}

function readSnippet(t) {
  const out = execFileSync("find", [join(pkgDir, t, "snippets"), "-name", "*.js"], { encoding: "utf8" }).trim().split("\n")[0];
  return out.slice(join(pkgDir, t, "snippets").length + 1);
}

const probe = `
const t0 = performance.now();
const { FlexpertoClient } = await import("flexperto-sdk");
const c = new FlexpertoClient({ baseUrl: "http://127.0.0.1:1", apiKey: "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln" });
const t1 = performance.now();
const t2 = performance.now();
await import("node:zlib");
const t3 = performance.now();
process.stdout.write(JSON.stringify([t1 - t0, c.baseUrl.length > 0, t3 - t2]));`;
const runs = [];
for (let i = 0; i < 9; i++) {
  runs.push(JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: pkgDir + "/../..", encoding: "utf8" }))[0]);
}
runs.sort((a, b) => a - b);
const med = runs[Math.floor(runs.length / 2)];
console.log(`cold start (import + constructor), median of ${runs.length} fresh processes: ${med.toFixed(2)} ms (budget 10 ms: ${(med / 10).toFixed(2)}x of it); min ${runs[0].toFixed(2)} ms`);
