// What issue 10's packages cost per call before the SDK does anything: bench/call-floor is a wasm
// crate with the same packages and release profile as the SDK and none of its code. Its listUsers
// reads the argument with serde-wasm-bindgen, builds the request with gloo-net's RequestBuilder,
// gives it its own AbortController and timer, awaits the caller's fetch(request, { signal }) and
// the answer's text through wasm-bindgen-futures and gloo-net's Response, and hands the text back
// for JSON.parse: no retry, no hooks, no record parse, no typed errors. Measured in one process
// against the SDK's listUsers and stripe-node's customers.list over the same canned fetch as
// bench/sdk-overhead.mjs (each minus the canned Response read with json()), alternating rounds,
// medians. Also prints the same floor with the Request made by web_sys directly (no gloo-net
// builder), and without the timer, to tell what each mandated piece costs. Never asserts timings.
//
// Builds bench/call-floor into target/call-floor first (cargo, wasm-bindgen, wasm-opt -Oz).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { FlexpertoClient } from "flexperto-sdk";

import { baseUrl, canned, cannedStripe, customerBody, key, perCall as timed, userBody } from "./canned.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}target/call-floor/pkg`;
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
run("cargo", ["build", "--quiet", "--release", "--target", "wasm32-unknown-unknown", "--target-dir", "../../target/call-floor"], `${root}bench/call-floor`);
run("wasm-bindgen", ["--target", "nodejs", "--out-dir", out, "target/call-floor/wasm32-unknown-unknown/release/call_floor.wasm"]);
run(`${root}node_modules/.bin/wasm-opt`, ["-Oz", `${out}/call_floor_bg.wasm`, "-o", `${out}/call_floor_bg.wasm`]);
const { Floor, Path } = createRequire(import.meta.url)(`${out}/call_floor.js`);

const N = Number(process.env.BENCH_N ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const client = new FlexpertoClient({ baseUrl, apiKey: key, fetch: canned(userBody) });
const floor = new Floor(canned(userBody), baseUrl, key, client.userAgent);
const stripe = cannedStripe();

const query = { limit: 1, role: "expert" };
const runs = {
  "canned users": () => canned(userBody)().then((r) => r.json()),
  "canned customers": () => canned(customerBody)().then((r) => r.json()),
  "SDK listUsers": () => client.listUsers(query),
  "floor (items 1 and 2)": async () => JSON.parse(await floor.listUsers(query, Path.Mandated)),
  "floor without the request's timer": async () => JSON.parse(await floor.listUsers(query, Path.MandatedNoTimer)),
  "floor, Request without gloo-net": async () => JSON.parse(await floor.listUsers(query, Path.DirectRequest)),
  "floor, and no timer": async () => JSON.parse(await floor.listUsers(query, Path.DirectNoTimer)),
  "stripe customers.list": () => stripe.customers.list({ limit: 1, email: "bench@example.invalid" }),
};
const perCall = (fn) => timed(fn, N);
if ((await runs["floor (items 1 and 2)"]()).items[0].id !== "usr_0001" || (await runs["SDK listUsers"]()).items[0].id !== "usr_0001") {
  throw new Error("canned answers not read");
}
for (const fn of Object.values(runs)) await perCall(fn); // warm-up
const times = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, fn] of Object.entries(runs)) times[name].push(await perCall(fn));
const median = (name) => times[name].sort((a, b) => a - b)[times[name].length >> 1];
const stripeOwn = median("stripe customers.list") - median("canned customers");
console.log(`stripe-node customers.list, own work: ${stripeOwn.toFixed(1)} us/call`);
for (const name of ["SDK listUsers", "floor (items 1 and 2)", "floor without the request's timer", "floor, Request without gloo-net", "floor, and no timer"]) {
  const own = median(name) - median("canned users");
  console.log(`${name.padEnd(34)} own work ${own.toFixed(1).padStart(5)} us/call, ${(own / stripeOwn).toFixed(2)}x stripe's (target for the SDK <= 0.8x)`);
}
