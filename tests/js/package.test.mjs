// Checks of the installed package itself: entry points, names, README examples.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { multiValueExports } from "../../scripts/single-value.mjs";

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("flexperto-sdk/package.json"));

test("CommonJS require and ESM import give the same API", async () => {
  const cjs = require("flexperto-sdk");
  const esm = await import("flexperto-sdk");
  for (const name of ["FlexpertoClient", "isFlexpertoError"]) {
    assert.equal(typeof cjs[name], "function", name);
    assert.equal(esm[name], cjs[name], name);
  }
  // Every CommonJS export is a named ESM export with the same value, the ones that load their
  // module on first use (getters) included: Node's cjs-module-lexer must see each of them.
  const names = Object.keys(cjs);
  assert.ok(names.includes("ArchiveClaimer") && names.includes("createWebhookHandler"));
  for (const name of names) {
    assert.notEqual(cjs[name], undefined, name);
    assert.equal(esm[name], cjs[name], `import { ${name} } from "flexperto-sdk"`);
  }
});

test("no exported method or property name contains an underscore", () => {
  for (const target of ["node/flexperto_sdk.d.ts", "web/flexperto_sdk.d.ts"]) {
    // The web build's InitOutput interface lists the raw wasm exports: internal, not API.
    const dts = readFileSync(join(pkgDir, target), "utf8").replace(/export interface InitOutput \{[\s\S]*?\n\}/, "");
    const members = [...dts.matchAll(/^\s+(?:readonly\s+|static\s+)?([A-Za-z_$][\w$]*)\s*[(:?]/gm)].map((m) => m[1]);
    const exported = [...dts.matchAll(/^export (?:function|class|const|interface|type) ([\w$]+)/gm)].map((m) => m[1]);
    assert.ok(members.includes("ensureExpert") && exported.includes("FlexpertoClient"), target);
    const snake = [...members, ...exported].filter((n) => n.includes("_"));
    assert.deepEqual(snake, [], `${target}: snake_case names`);
    assert.ok(!/\bany\b/.test(dts.replace(/\/\*[\s\S]*?\*\//g, "")), `${target} mentions any`);
  }
});

test("the package exposes only its typed API: no wasm internals on the exports or the classes", async () => {
  const esm = await import("flexperto-sdk");
  const cjs = require("flexperto-sdk");
  // What the declarations name, and nothing else (initSync is the web build's).
  const dts = ["flexperto_sdk.d.ts", "webhooks.d.ts", "webhook-flow.d.ts", "archive.d.ts", "paginate.d.ts", "claim/index.d.ts"].map((f) => readFileSync(join(pkgDir, "node", f), "utf8")).join("\n");
  const names = (text) => [...text.matchAll(/^export (?:declare )?(?:class|function|const|enum) (\w+)/gm)].map((m) => m[1]);
  const declared = new Set(names(dts));
  declared.add("WebhookEvent"); // declared in webhooks.d.ts as an interface plus its class
  for (const api of [esm, cjs]) {
    const exported = Object.keys(api).filter((n) => n !== "default" && n !== "module.exports");
    assert.deepEqual(exported.filter((n) => !declared.has(n)), [], "exported but not declared");
    assert.deepEqual([...declared].filter((n) => !exported.includes(n)), [], "declared but not exported");
  }
  // The browser entry exports exactly what its wasm-bindgen declarations name: re-exported by
  // name, or (the classes composed with their I/O) from the hand-written modules. Imported as a
  // browser does (its wasm fetched from the URL next to it; Node's fetch reads no file: URL).
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => new Response(readFileSync(new URL(url)), { headers: { "content-type": "application/wasm" } });
  let web, webGlue;
  try {
    web = await import(pathToFileURL(join(pkgDir, "web", "index.js")).href);
    webGlue = await import(pathToFileURL(join(pkgDir, "web", "flexperto_sdk.js")).href);
  } finally {
    globalThis.fetch = realFetch;
  }
  const reexported = Object.keys(web).filter((n) => web[n] === webGlue[n]);
  const composed = Object.keys(web).filter((n) => web[n] !== webGlue[n]);
  const webDeclared = names(readFileSync(join(pkgDir, "web", "flexperto_sdk.d.ts"), "utf8"));
  assert.deepEqual([...reexported, ...composed.filter((n) => webDeclared.includes(n))].sort(), webDeclared.sort());
  for (const n of ["FlexpertoClient", "WebhookVerifier", "ArchiveChecksum"]) assert.ok(composed.includes(n), `${n} is composed in web/index.js`);
  const { ArchiveChecksum, FlexpertoClient, WebhookVerifier } = esm;
  for (const [target, name] of [
    [WebhookVerifier.prototype, "verifyParts"], [WebhookVerifier.prototype, "resultAddress"], [WebhookVerifier, "wasmMemory"],
    [FlexpertoClient.prototype, "fetchFunction"], [ArchiveChecksum, "verifyDigest"],
  ]) {
    assert.equal(name in target, false, `${name} is still reachable`);
  }
  // Composed, not patched: each public class extends the generated one and adds its I/O methods.
  const generated = require(join(pkgDir, "node", "flexperto_sdk.js"));
  for (const [cls, own] of [[FlexpertoClient, ["downloadArchive", "archives"]], [WebhookVerifier, ["verify"]], [ArchiveChecksum, []]]) {
    assert.equal(Object.getPrototypeOf(cls), generated[cls.name], `${cls.name} extends the generated class`);
    for (const m of own) {
      assert.equal(m in generated[cls.name].prototype, false, `generated ${cls.name} has no ${m} (no stub)`);
      assert.equal(typeof cls.prototype[m], "function", `${cls.name}.${m}`);
    }
  }
  assert.equal("verifyStream" in generated.ArchiveChecksum, false, "no verifyStream stub in wasm");
  assert.equal(typeof ArchiveChecksum.verifyStream, "function");
});

test("package.json exports map points at files that exist", () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const targets = [];
  const walk = (v) => (typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk));
  walk(pkg.exports);
  for (const t of targets) assert.doesNotThrow(() => readFileSync(join(pkgDir, t)), t);
  assert.equal(pkg.name, "flexperto-sdk");
});

test("the Node build's wasm exports return one value each (Node 20 builds no wrapper for them at load)", () => {
  // Multi-value exports cost about 3 ms of cold start in Node 20 (scripts/single-value.mjs).
  const wasm = readFileSync(join(pkgDir, "node", "flexperto_sdk_bg.wasm"));
  assert.ok(new WebAssembly.Module(wasm));
  assert.deepEqual(multiValueExports(wasm), []);
});

test("the Node glue's catching imports declare their parameters (one wrapper per signature at instantiation)", () => {
  const glue = readFileSync(join(pkgDir, "node", "flexperto_sdk.js"), "utf8");
  assert.match(glue, /function\(arg0[\w, ]*\) \{ return handleError\(function \(arg0/);
  assert.doesNotMatch(glue, /function\(\) \{ return handleError\(function \(arg/);
});
