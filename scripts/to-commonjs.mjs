// Rewrites ES modules as CommonJS, in place: the Node build is CommonJS, and its JS snippets
// (src/transport/fetch.js) and the modules shared with the browser build (pkg-template/web/*.js
// but index.js) are ES modules, which require() loads only on Node >= 20.19 and slowly.
// Supported: `export function|class|const NAME`, and named imports of ./*.js on one line; anything
// else that imports or exports fails the build.
//   node scripts/to-commonjs.mjs DIR_OR_FILE...   (directories: every .js below them)
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The CommonJS form of one ES module's source; throws on a form it does not support. */
export function toCommonJs(src, name = "module") {
  const names = [];
  let out = src
    .replace(/^export (function\*?|async function\*?|class|const) (\w+)/gm, (_, kind, n) => (names.push(n), `${kind} ${n}`))
    .replace(/^import \{([^}]*)\} from "(\.\/[\w-]+\.js)";$/gm, (_, imported, from) => `const {${imported.replace(/\bas\b/g, ":")}} = require("${from}");`);
  if (/^\s*(export|import)\b/m.test(out)) {
    throw new Error(`${name}: only "export function|class|const", and named imports of ./*.js on one line, are supported`);
  }
  return `"use strict";\n${out}\nmodule.exports = { ${names.join(", ")} };\n`;
}

/** Every .js file below `path` (or `path` itself). */
export function jsFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(path, e.name)) : e.name.endsWith(".js") ? [join(path, e.name)] : []);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const f of process.argv.slice(2).flatMap(jsFiles)) writeFileSync(f, toCommonJs(readFileSync(f, "utf8"), f));
}
