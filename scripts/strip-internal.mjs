// Removes from wasm-bindgen's declarations the functions whose doc comment says `@internal`
// (the steps the hand-written JS calls: zipDirectory, storageDecide, webhookVerifyParts, ...), in
// place, as tsc's own stripInternal does: the build type-checks the hand-written JS against the
// full declarations first, then ships only the API the entries export.
//   node scripts/strip-internal.mjs FILE.d.ts...
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/**
 * `dts` without the `@internal` functions (each a JSDoc block, then one declaration line) and
 * classes (a JSDoc block, then the class up to its closing brace at the start of a line). Each
 * match stays inside its own JSDoc block, so an internal class never takes the declarations after
 * it with it.
 */
export function stripInternal(dts) {
  const out = dts
    .replace(/^\/\*\*(?:(?!\*\/)[\s\S])*?@internal(?:(?!\*\/)[\s\S])*\*\/\nexport function \w+\([^\n]*\n/gm, "")
    .replace(/^\/\*\*(?:(?!\*\/)[\s\S])*?@internal(?:(?!\*\/)[\s\S])*\*\/\nexport class \w+ \{\n[\s\S]*?^\}\n/gm, "");
  const left = /^\/\*\*(?:(?!\*\/)[\s\S])*?@internal/m.exec(out);
  if (left) throw new Error(`an @internal declaration was not removed: ${out.slice(left.index, left.index + 200)}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const f of process.argv.slice(2)) writeFileSync(f, stripInternal(readFileSync(f, "utf8")));
}
