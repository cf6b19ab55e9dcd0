// The build's programs (scripts/*.mjs), each on small inputs: what they write, and what they refuse.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { bundleEntry, renamedClasses } from "../../scripts/bundle.mjs";
import { declaredNames, nodeEntry, ownExports, webEntry } from "../../scripts/entries.mjs";
import { crateVersion, withVersion } from "../../scripts/set-version.mjs";
import { matchImportArity } from "../../scripts/import-arity.mjs";
import { dropMultivalue, multiValueExports } from "../../scripts/single-value.mjs";
import { stripComments } from "../../scripts/strip-comments.mjs";
import { stripInternal } from "../../scripts/strip-internal.mjs";
import { jsFiles, toCommonJs } from "../../scripts/to-commonjs.mjs";

const scripts = new URL("../../scripts/", import.meta.url).pathname;

test("to-commonjs: exports, named imports (renamed too) and a working module", () => {
  const dir = mkdtempSync(join(tmpdir(), "cjs-"));
  writeFileSync(join(dir, "a.js"), "export function twice(x) {\n  return 2 * x;\n}\nexport const ONE = 1;\n");
  writeFileSync(join(dir, "b.js"), 'import {\n  twice as double, ONE,\n} from "./a.js";\nexport class B {\n  get v() {\n    return double(ONE);\n  }\n}\n');
  execFileSync(process.execPath, [join(scripts, "to-commonjs.mjs"), dir]);
  const require = createRequire(join(dir, "x.js"));
  assert.equal(new (require("./b.js").B)().v, 2);
  assert.deepEqual(Object.keys(require("./a.js")), ["twice", "ONE"]);
  assert.match(readFileSync(join(dir, "a.js"), "utf8"), /^"use strict";/);
  assert.deepEqual(jsFiles(dir).sort(), [join(dir, "a.js"), join(dir, "b.js")]);
  // Generators, plain and async, are exported too.
  const gens = toCommonJs("export function* g() {\n  yield 1;\n}\nexport async function* h() {\n  yield 2;\n}\n");
  assert.match(gens, /module\.exports = \{ g, h \};/);
  assert.doesNotMatch(gens, /^export/m);
});

test("to-commonjs: refuses what it cannot rewrite", () => {
  for (const src of ['export * from "./a.js";\n', 'import x from "./a.js";\n', "export default 1;\n", 'import { a } from "node:fs";\n']) {
    assert.throws(() => toCommonJs(src, "m.js"), /m\.js: only/, src);
  }
});

test("strip-comments: drops doc and line comments and blank lines, keeps code and strings", () => {
  const src = '/** doc */\nexport function f() {\n  // note\n\n  return "/* not a comment */";\n}\n';
  assert.equal(stripComments(src), '\nexport function f() {\n  return "/* not a comment */";\n}\n');
  const dir = mkdtempSync(join(tmpdir(), "strip-"));
  writeFileSync(join(dir, "bad.js"), "/** x */ function (\n");
  assert.throws(() => execFileSync(process.execPath, [join(scripts, "strip-comments.mjs"), join(dir, "bad.js")], { stdio: "pipe" }));
});

test("strip-internal: removes @internal functions only, and fails if one is left", () => {
  const dts = [
    "/**",
    " * Public.",
    " */",
    "export function isTerminal(status: string): boolean;",
    "/**",
    " * A step. Internal.",
    " * @internal",
    " */",
    "export function zipDirectory(tail: Uint8Array, file_len: number): string;",
    "export class ArchiveChecksum {",
    "}",
    "",
  ].join("\n");
  const out = stripInternal(dts);
  assert.deepEqual(declaredNames(out), ["isTerminal", "ArchiveChecksum"]);
  assert.throws(() => stripInternal("/**\n * @internal\n */\nexport class Hidden {}\n"), /not removed/);
  // A generated class block (the paginator the iterators use) goes whole, up to its closing brace.
  const cls = ["/**", " * Internal.", " * @internal", " */", "export class Paginator {", "  free(): void;", "  constructor(a: number);", "}", "export function isTerminal(s: string): boolean;", ""].join("\n");
  assert.equal(stripInternal(cls), "export function isTerminal(s: string): boolean;\n");
  // ...and never the public class after it.
  const next = ["/**", " * @internal", " */", "export class Paginator {", "  free(): void;", "}", "/** Public. */", "export class WebhookVerifier {", "  free(): void;", "}", "/** @internal */", "export function zipDirectory(a: number): any;", ""].join("\n");
  assert.deepEqual(declaredNames(stripInternal(next)), ["WebhookVerifier"]);
});

test("entries: the web entry re-exports the declared names the composed modules do not", () => {
  const index = 'import init from "./flexperto_sdk.js";\nexport * from "./flexperto_sdk.js";\nexport { WebhookVerifier, WebhookEvent } from "./delivery.js";\nexport const { ArchiveChecksum, ArchiveInspector } = makeArchiveApi();\n';
  const dts = "export class FlexpertoClient {}\nexport class WebhookVerifier {}\nexport class ArchiveChecksum {}\nexport function isTerminal(s: string): boolean;\nexport function isFlexpertoError(e: unknown): boolean;\n";
  assert.deepEqual(ownExports(index), ["WebhookVerifier", "WebhookEvent", "ArchiveChecksum", "ArchiveInspector"]);
  assert.match(webEntry(index, dts), /^export \{ FlexpertoClient, isTerminal, isFlexpertoError \} from "\.\/flexperto_sdk\.js";$/m);
  assert.throws(() => webEntry("export {};\n", dts), /expected the line/);
});

test("entries: the Node entry gets one exports line per generated name it does not set itself", () => {
  const index = '"use strict";\nexports.FlexpertoClient = client.FlexpertoClient;\nObject.defineProperty(exports, "MemoryLedger", { enumerable: true, get: function () { return claim.MemoryLedger; } });\n';
  const out = nodeEntry(index, ["FlexpertoClient", "isTerminal"], ["createWebhookHandler", "MemoryLedger"]);
  assert.equal(out, index + 'exports.isTerminal = sdk.isTerminal;\nObject.defineProperty(exports, "createWebhookHandler", { enumerable: true, get: function () { return webhooks.createWebhookHandler; } });\n');
});

test("set-version: the [package] version, not a dependency's", () => {
  const toml = '[workspace]\nmembers = ["."]\n\n[package]\nname = "x"\nversion = "1.2.3"\n\n[dependencies]\nfoo = { version = "9" }\n';
  assert.equal(crateVersion(toml), "1.2.3");
  assert.throws(() => crateVersion("[dependencies]\nversion = \"1\"\n"), /no \[package\] version/);
  assert.equal(JSON.parse(withVersion('{"name":"p","version":"0.0.0"}', "1.2.3")).version, "1.2.3");
});

test("bundle: the Node entry in one file, its lazy and shared modules kept, the glue shared and left readable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bundle-"));
  mkdirSync(join(dir, "lazy"));
  const files = {
    "flexperto_sdk.js": '"use strict";\n// the glue\nlet loads = (globalThis.glueLoads ?? 0) + 1;\nglobalThis.glueLoads = loads;\nexports.twice = (x) => 2 * x;\n',
    "errors.js": '"use strict";\nfunction oops(m) {\n  const e = new Error(m);\n  e.name = "OopsError";\n  return e;\n}\nmodule.exports = { oops };\n',
    "shared.js": '"use strict";\nlet count = 0;\nmodule.exports = { next: () => ++count };\n',
    "lazy/index.js": '"use strict";\nglobalThis.lazyRan = true;\nconst { twice } = require("../flexperto_sdk.js");\nconst { next } = require("../shared.js");\nconst { oops } = require("../errors.js");\nclass Lazy {\n  four() {\n    return twice(2);\n  }\n}\nmodule.exports = { Lazy, next, oops };\n',
    "index.js": '"use strict";\n// The entry.\nconst { twice } = require("./flexperto_sdk.js");\nconst { next } = require("./shared.js");\nconst { oops } = require("./errors.js");\nlet lazy;\nconst load = () => (lazy ??= require("./lazy/index.js"));\nconst onUse = { get Lazy() {\n  return load().Lazy;\n} };\nexports.twice = twice;\nexports.next = next;\nexports.oops = oops;\nObject.defineProperty(exports, "Lazy", { enumerable: true, get: function () { return onUse.Lazy; } });\nexports.lazyNext = () => load().next();\n',
  };
  for (const [f, src] of Object.entries(files)) writeFileSync(join(dir, f), src);
  writeFileSync(join(dir, "errors.d.ts"), "export {};\n");
  const taken = await bundleEntry("node", dir, ["shared.js", "lazy/index.js"]);
  assert.deepEqual(taken, ["errors.js"]);
  assert.equal(existsSync(join(dir, "errors.js")), false);
  assert.equal(existsSync(join(dir, "errors.d.ts")), true, "declarations stay");
  for (const f of ["index.js", "shared.js", "lazy/index.js"]) assert.doesNotMatch(readFileSync(join(dir, f), "utf8"), /\/\/|\n\n/, `${f} minified`);
  // The glue, where the SDK's errors are thrown, keeps its lines (Node prints the source line of
  // an uncaught exception).
  assert.match(readFileSync(join(dir, "flexperto_sdk.js"), "utf8"), /\nglobalThis\.glueLoads = loads;\n/);
  const require = createRequire(join(dir, "x.js"));
  const m = require("./index.js");
  assert.equal(m.twice(3), 6);
  assert.equal(globalThis.lazyRan, undefined, "the lazy module runs on first use only");
  assert.equal(m.oops("x").name, "OopsError");
  // One glue and one shared module, whichever file loads them.
  assert.equal(m.next(), 1);
  assert.equal(m.lazyNext(), 2);
  assert.equal(new m.Lazy().four(), 4);
  assert.equal(m.Lazy.name, "Lazy");
  assert.equal(globalThis.glueLoads, 1);
  // ESM named imports of the CommonJS entry (cjs-module-lexer), the lazy getter included.
  const esm = await import(join(dir, "index.js"));
  assert.deepEqual(Object.keys(esm).filter((n) => n !== "default").sort(), ["Lazy", "lazyNext", "next", "oops", "twice"]);
});

test("bundle: the web entry as one ES module; a class renamed by bundling is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bundle-web-"));
  writeFileSync(join(dir, "flexperto_sdk.js"), "export function twice(x) {\n  return 2 * x;\n}\nexport function hidden() {}\n");
  writeFileSync(join(dir, "a.js"), 'import { twice } from "./flexperto_sdk.js";\nexport class A {\n  get v() {\n    return twice(1);\n  }\n}\n');
  writeFileSync(join(dir, "index.js"), 'export { twice } from "./flexperto_sdk.js";\nexport { A } from "./a.js";\n');
  assert.deepEqual(await bundleEntry("web", dir), ["a.js"]);
  const m = await import(join(dir, "index.js"));
  assert.deepEqual(Object.keys(m).sort(), ["A", "twice"]);
  assert.equal(new m.A().v, 2);
  assert.equal(m.twice, (await import(join(dir, "flexperto_sdk.js"))).twice);
  assert.deepEqual(renamedClasses("var A=class _A{static make(){return new _A}};var B=class _C{}"), ["A"]);
  const bad = mkdtempSync(join(tmpdir(), "bundle-bad-"));
  writeFileSync(join(bad, "flexperto_sdk.js"), "export {};\n");
  writeFileSync(join(bad, "index.js"), "export class Store {\n  #x = 1;\n  static open() {\n    return new Store();\n  }\n}\n");
  await assert.rejects(bundleEntry("web", bad), /lose their name when bundled: Store/);
  await assert.rejects(bundleEntry("other", bad), /kind: node or web/);
});

test("single-value: finds multi-value exports, drops the multivalue mark, refuses what it cannot read", () => {
  const vec = (items) => [items.length, ...items.flat()];
  const str = (s) => vec([...Buffer.from(s)].map((b) => [b]));
  const section = (id, body) => [id, body.length, ...body];
  const I32 = 0x7f;
  const EXTERNREF = 0x6f;
  // type 0: () -> (i32, i32); type 1: (externref) -> i32; an imported function first (index 0).
  const module = (features) =>
    Buffer.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vec([[0x60, 0, 2, I32, I32], [0x60, 1, EXTERNREF, 1, I32]])),
      ...section(2, vec([[...str("m"), ...str("f"), 0x00, 1]])),
      ...section(3, vec([[0], [1]])),
      ...section(7, vec([[...str("pair"), 0x00, 1], [...str("one"), 0x00, 2], [...str("imp"), 0x00, 0]])),
      ...section(10, vec([[6, 0, 0x41, 1, 0x41, 2, 0x0b], [4, 0, 0x41, 0, 0x0b]])),
      ...section(0, [...str("target_features"), ...vec(features.map((f) => [0x2b, ...str(f)]))]),
    ]);
  const bytes = module(["multivalue", "reference-types"]);
  new WebAssembly.Module(bytes); // a valid module
  assert.deepEqual(multiValueExports(bytes), ["pair"]);
  const dropped = dropMultivalue(bytes);
  assert.deepEqual(dropped, module(["reference-types"]));
  assert.deepEqual(multiValueExports(dropped), ["pair"], "the code is unchanged");
  assert.throws(() => dropMultivalue(dropped), /no multivalue feature/);
  assert.throws(() => multiValueExports(Buffer.from("not wasm")), /not a wasm binary/);
  assert.throws(() => multiValueExports(bytes.subarray(0, bytes.length - 3)), /past the end|unexpected end/);
  const dir = mkdtempSync(join(tmpdir(), "single-value-"));
  writeFileSync(join(dir, "m.wasm"), bytes);
  assert.throws(() => execFileSync(process.execPath, [join(scripts, "single-value.mjs"), "check", join(dir, "m.wasm")], { stdio: "pipe" }), /more than one result[^\n]*: pair/);
  execFileSync(process.execPath, [join(scripts, "single-value.mjs"), "drop", join(dir, "m.wasm")]);
  assert.deepEqual(readFileSync(join(dir, "m.wasm")), module(["reference-types"]));
});

test("import-arity: a catching import declares its parameters and still passes and catches as before", () => {
  const glue = [
    "const caught = [];",
    "function handleError(f, args) {",
    "  try {",
    "    return f.apply(this, args);",
    "  } catch (e) {",
    "    caught.push(e.message);",
    "  }",
    "}",
    "const imports = {",
    "  plain: function(arg0) { return arg0; },",
    "  sum: function() { return handleError(function (arg0, arg1) {",
    "    if (arg0 < 0) throw new Error(\"negative\");",
    "    return arg0 + arg1 + arguments.length;",
    "  }, arguments); },",
    "  none: function() { return handleError(function () {",
    "    return 7;",
    "  }, arguments); },",
    "};",
    "module.exports = { imports, caught };",
  ].join("\n");
  const { code, count } = matchImportArity(glue);
  assert.equal(count, 2);
  assert.match(code, /sum: function\(arg0, arg1\) \{ return handleError\(function \(arg0, arg1\) \{/);
  assert.match(code, /plain: function\(arg0\) \{ return arg0; \}/);
  const load = (src) => {
    const module = { exports: {} };
    new Function("module", src)(module);
    return module.exports;
  };
  const before = load(glue);
  const after = load(code);
  assert.deepEqual([before.imports.sum.length, after.imports.sum.length, after.imports.none.length], [0, 2, 0]);
  for (const m of [before, after]) {
    assert.equal(m.imports.sum(1, 2), 5);
    assert.equal(m.imports.sum(-1, 2), undefined);
    assert.deepEqual(m.caught, ["negative"]);
    assert.equal(m.imports.none(), 7);
  }
  const dir = mkdtempSync(join(tmpdir(), "import-arity-"));
  writeFileSync(join(dir, "glue.js"), "function f() {}\n");
  assert.throws(() => execFileSync(process.execPath, [join(scripts, "import-arity.mjs"), join(dir, "glue.js")], { stdio: "pipe" }), /no catching import found/);
  // One catching import in the known form and one in another: refused, the file left as it was.
  const mixed =
    "imports.a = function() { return handleError(function (arg0) { return arg0; }, arguments); };\n" +
    "imports.b = function(...args) { return handleError(function (arg0) { return arg0; }, args); };\n";
  writeFileSync(join(dir, "glue.js"), mixed);
  assert.throws(() => execFileSync(process.execPath, [join(scripts, "import-arity.mjs"), join(dir, "glue.js")], { stdio: "pipe" }), /1 of 2 catching imports rewritten/);
  assert.equal(readFileSync(join(dir, "glue.js"), "utf8"), mixed);
});
