// Gives the generated glue's catching imports their parameters, for the Node build's cold start.
//
// wasm-bindgen writes each import that may throw (`catch`) as
// `function() { return handleError(function (arg0, arg1) { ... }, arguments); }`: a function of
// no declared parameters, called by the wasm with some. V8 builds one wasm-to-JS wrapper per
// import signature and call kind when it instantiates the module, and an arity mismatch is a kind
// of its own: 13 more wrappers for the 25 such imports. Declaring the same parameters on the outer
// function (`function(arg0, arg1) { return handleError(function (arg0, arg1) { ... }, arguments); }`)
// changes nothing else (handleError still passes `arguments` on), and `new WebAssembly.Instance`
// took 0.65 ms instead of 1.20 ms (Node 20, medians of 25 fresh processes, 2026-11-30,
// bench/README.md).
//   node scripts/import-arity.mjs GLUE   rewrites GLUE in place; fails if it finds none to rewrite,
//                                        or leaves any catching import as it was
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const CATCHING = /function\(\) \{ return handleError\(function \(([\w, ]*)\) \{/g;

/** `src` with each catching import declaring its inner function's parameters, and how many. */
export function matchImportArity(src) {
  let count = 0;
  const code = src.replace(CATCHING, (_, params) => {
    count++;
    return `function(${params}) { return handleError(function (${params}) {`;
  });
  return { code, count };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error("usage: node scripts/import-arity.mjs GLUE");
  const src = readFileSync(file, "utf8");
  const { code, count } = matchImportArity(src);
  if (count === 0) throw new Error(`${file}: no catching import found (has wasm-bindgen's glue changed?)`);
  // Every use of handleError must have been one of the rewritten forms: a glue whose catching
  // imports changed shape in part would otherwise be left half rewritten, silently.
  const uses = src.split("return handleError(function").length - 1;
  if (uses !== count) throw new Error(`${file}: ${count} of ${uses} catching imports rewritten (has wasm-bindgen's glue changed?)`);
  writeFileSync(file, code);
}
