// Completes the package entries after wasm-bindgen: each exports the wasm API that its .d.ts
// declares (the untyped internals the hand-written JS calls, e.g. zipDirectory, stay out), except
// the names the entry itself exports from the hand-written modules that compose the wasm classes
// (FlexpertoClient, WebhookVerifier, ArchiveChecksum, ...).
//   node scripts/entries.mjs web PKG/web    rewrites web/index.js's `export * from "./flexperto_sdk.js";`
//   node scripts/entries.mjs node PKG/node  appends to node/index.js one `exports.NAME =` line (or,
//                                           for the lazily loaded webhooks.js, a getter) per
//                                           generated name (so that ESM named imports of it work)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The names a .d.ts declares as values: classes, functions, consts, enums. */
export function declaredNames(dts) {
  return [...dts.matchAll(/^export (?:declare )?(?:class|function|const|enum) (\w+)/gm)].map((m) => m[1]);
}

/** The names an ES entry exports itself (`export { A, B as C } from`, `export const { A } =`). */
export function ownExports(src) {
  const names = [];
  for (const m of src.matchAll(/^export (?:const )?\{([^}]*)\}/gm)) {
    for (const part of m[1].split(",").map((s) => s.trim()).filter(Boolean)) names.push(part.split(/\s+as\s+|\s*:\s*/).pop());
  }
  return names;
}

/** The browser entry with its star re-export of the wasm module replaced by the declared names. */
export function webEntry(index, dts) {
  const line = `export * from "./flexperto_sdk.js";`;
  if (!index.includes(line)) throw new Error(`web/index.js: expected the line ${line}`);
  const own = new Set(ownExports(index));
  const names = declaredNames(dts).filter((n) => !own.has(n));
  if (names.length < 3) throw new Error("web: too few declared names; wrong .d.ts?");
  return index.replace(line, `export { ${names.join(", ")} } from "./flexperto_sdk.js";`);
}

/** The Node entry: the template's own `exports.X =` lines, then one per generated name. */
export function nodeEntry(index, wasmNames, adapterNames) {
  const own = new Set([...index.matchAll(/^(?:exports\.(\w+) =|Object\.defineProperty\(exports, "(\w+)")/gm)].map((m) => m[1] ?? m[2]));
  const lines = [];
  for (const n of wasmNames) if (!own.has(n)) lines.push(`exports.${n} = sdk.${n};`);
  // webhooks.js loads on first use (index.js): a getter, in the form cjs-module-lexer reads.
  for (const n of adapterNames) {
    if (!own.has(n)) lines.push(`Object.defineProperty(exports, "${n}", { enumerable: true, get: function () { return webhooks.${n}; } });`);
  }
  return index.trimEnd() + "\n" + lines.join("\n") + "\n";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [kind, dir] = process.argv.slice(2);
  const dts = readFileSync(join(dir, "flexperto_sdk.d.ts"), "utf8");
  const index = readFileSync(join(dir, "index.js"), "utf8");
  if (kind === "web") {
    writeFileSync(join(dir, "index.js"), webEntry(index, dts));
  } else if (kind === "node") {
    const require = createRequire(resolve(dir, "index.js"));
    const declared = new Set(declaredNames(dts));
    const wasmNames = Object.keys(require("./flexperto_sdk.js")).filter((n) => declared.has(n));
    writeFileSync(join(dir, "index.js"), nodeEntry(index, wasmNames, Object.keys(require("./webhooks.js"))));
  } else {
    throw new Error("usage: entries.mjs web|node DIR");
  }
}
