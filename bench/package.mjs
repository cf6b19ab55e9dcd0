// Package size, counting everything shipped that runs (wasm, generated glue, hand-written JS;
// gzip -9 per file), for the Node build, the web build and the `flexperto-sdk/archive` entry;
// and cold start (require + constructor) in fresh Node processes, against stripe-node's in the
// same run. Budgets: 200 KiB per full build, 64 KiB for the archive entry, cold start at most
// 0.4x stripe-node's. Prints figures and ratios; never asserts.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("flexperto-sdk/package.json"));
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const files = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
const kib = (b) => (b / 1024).toFixed(1);

function size(label, dir, budget) {
  if (!existsSync(dir)) return console.log(`${label.padEnd(15)} (not built)`);
  const shipped = files(dir).filter((f) => f.endsWith(".js") || f.endsWith(".wasm"));
  const wasm = shipped.filter((f) => f.endsWith(".wasm")).reduce((n, f) => n + gz(f), 0);
  const js = shipped.filter((f) => f.endsWith(".js")).reduce((n, f) => n + gz(f), 0);
  const total = wasm + js;
  console.log(`${label.padEnd(15)} wasm ${kib(wasm)} KiB + JS ${kib(js)} KiB (glue and hand-written, ${shipped.length - 1} files) gzip = ${kib(total)} KiB (budget ${budget} KiB: ${(total / 1024 / budget).toFixed(2)}x of it)`);
}
size("node", join(pkgDir, "node"), 200);
size("web", join(pkgDir, "web"), 200);
size("archive (node)", join(pkgDir, "archive", "node"), 64);
size("archive (web)", join(pkgDir, "archive", "web"), 64);

// Cold start: a fresh process per run, require + constructor, both SDKs alternating. With
// BENCH_BASELINE_PKG=DIR (another build's pkg/, e.g. main's), that build's Node entry and this
// one's are also required by path, alternating with the others, for their ratio in the same run.
const sdkProbe = (spec) => `const t0 = performance.now();
const { FlexpertoClient } = require(${JSON.stringify(spec)});
const c = new FlexpertoClient({ baseUrl: "http://127.0.0.1:1", apiKey: "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln" });
process.stdout.write(String(performance.now() - t0));`;
const probes = {
  sdk: sdkProbe("flexperto-sdk"),
  stripe: `const t0 = performance.now();
const Stripe = require("stripe");
const s = new Stripe("sk_test_bench");
process.stdout.write(String(performance.now() - t0));`,
};
const baseline = process.env.BENCH_BASELINE_PKG;
if (baseline) {
  probes.thisByPath = sdkProbe(join(pkgDir, "node", "index.js"));
  probes.baselineByPath = sdkProbe(join(resolve(baseline), "node", "index.js"));
}
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const runs = Object.fromEntries(Object.keys(probes).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const k of Object.keys(probes)) {
    runs[k].push(Number(execFileSync(process.execPath, ["-e", probes[k]], { cwd: join(pkgDir, "../.."), encoding: "utf8" })));
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [a, b] = [med(runs.sdk), med(runs.stripe)];
console.log(`cold start (require + constructor), median of ${RUNS} fresh processes: sdk ${a.toFixed(1)} ms, stripe-node ${b.toFixed(1)} ms: ${(a / b).toFixed(2)}x (target <= 0.4x)`);
if (baseline) {
  const [t, base] = [med(runs.thisByPath), med(runs.baselineByPath)];
  console.log(`  by path, same run: this build ${t.toFixed(1)} ms (${(t / b).toFixed(2)}x stripe-node), ${baseline} ${base.toFixed(1)} ms (${(base / b).toFixed(2)}x): baseline/this ${(base / t).toFixed(3)}`);
}
