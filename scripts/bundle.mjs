// Ships each entry of the built package as one minified file beside its generated glue: the entry
// and every hand-written module it reaches (node/index.js with the claim worker and the webhook
// adapters, web/index.js, archive/{node,web}/index.js) are bundled by esbuild into index.js, the
// glue (flexperto_sdk.js, which tests and the testing module require on their own) stays a file of
// its own. The bundles are minified: whitespace only, the names are kept, so stack traces and
// `class.name` read as in pkg-template/ (renaming saved 0.3 KB gzip in the Node build and cost
// 0.2 KB in the web build, measured 2026-11-29, bench/README.md). The modules the bundle took in
// are removed; their .d.ts files stay. CommonJS modules that the Node entry loads on first use
// stay lazy: esbuild runs each one's body on its first require. Cold start: require + constructor
// of the Node entry reads two files (entry and glue) instead of nine; size: bench/README.md.
//   node scripts/bundle.mjs node|web DIR [FILE...]   (DIR: pkg.tmp/node, pkg.tmp/web, ...; FILE: modules
//                                                    in DIR that stay files, see bundleEntry)
import { build } from "esbuild";
import { readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const GLUE = "flexperto_sdk.js";
// Whitespace only: syntax minification saves another 0.4 KB gzip per build but writes `true` as
// `!0`, and the Node entry's lazy exports must stay in the getter form cjs-module-lexer reads.
const MINIFY = { minifyWhitespace: true, minifySyntax: false, minifyIdentifiers: false, legalComments: "none" };

/**
 * The classes esbuild renamed: a class whose body names it becomes `var X = class _X`, and its
 * `name` is then "_X" (keepNames would fix it for 2 KB gzip of `__name` calls in the Node build;
 * the sources refer to such a class as `this` in its static methods instead).
 */
export function renamedClasses(code) {
  return [...code.matchAll(/\b(\w+)\s*=\s*class\s+_(\w+)\b/g)].filter((m) => m[1] === m[2]).map((m) => m[1]);
}

/**
 * Bundles, in place, `dir`/index.js (kind "node": CommonJS; "web": ES module) and each of `files`
 * (paths in `dir`: the modules that stay files of their own, as those the Node entry loads on
 * first use and those that keep state that two of them share), each with the modules it reaches
 * but those; the glue stays as it is. Returns the modules taken into a bundle (now removed).
 */
export async function bundleEntry(kind, dir, files = []) {
  if (kind !== "node" && kind !== "web") throw new Error(`kind: node or web, not ${kind}`);
  const own = ["index.js", ...files].map((f) => resolve(dir, f));
  const glue = resolve(dir, GLUE);
  const outputs = [];
  const taken = new Set();
  for (const entry of own) {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      // Paths relative to the entry's folder: the bundle names each module it wraps by this path
      // ("archive.js", not "pkg.tmp/archive/node/archive.js"), the same on every machine.
      absWorkingDir: resolve(dir),
      format: kind === "node" ? "cjs" : "esm",
      platform: kind === "node" ? "node" : "browser",
      target: kind === "node" ? "node20" : "es2022",
      // better-sqlite3 and pg are the user's (optional peer dependencies), loaded on first use.
      packages: "external",
      logLevel: "silent",
      ...MINIFY,
      plugins: [{
        name: "own-files",
        setup(b) {
          // The glue and the other files stay separate modules, required by their path from here.
          b.onResolve({ filter: /^\.\.?\// }, (args) => {
            const target = resolve(args.resolveDir, args.path);
            if (target === entry || (target !== glue && !own.includes(target))) return undefined;
            const path = relative(dirname(entry), target);
            return { path: path.startsWith(".") ? path : `./${path}`, external: true };
          });
        },
      }],
    });
    const code = result.outputFiles[0].text;
    const renamed = renamedClasses(code);
    if (renamed.length > 0) throw new Error(`${entry}: classes that name themselves in their body lose their name when bundled: ${renamed.join(", ")}`);
    for (const f of Object.keys(result.metafile.inputs).map((i) => resolve(dir, i))) {
      if (!f.startsWith(resolve(dir) + "/")) throw new Error(`${entry} reaches ${f}, outside ${dir}`);
      if (f !== entry) taken.add(f);
    }
    outputs.push([entry, code]);
  }
  for (const f of taken) rmSync(f);
  for (const [entry, code] of outputs) writeFileSync(entry, code);
  removeEmptyDirs(dir);
  // The glue is left as wasm-bindgen wrote it (its comments already stripped by the build): the
  // SDK's errors are thrown there, and Node prints the source line of an uncaught exception, which
  // minified is the whole 60 KB file. Kept readable for 0.7 KB gzip (2026-11-30, bench/README.md).
  return [...taken].map((f) => relative(dir, f)).sort();
}

function removeEmptyDirs(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sub = join(dir, e.name);
    removeEmptyDirs(sub);
    if (readdirSync(sub).length === 0) rmdirSync(sub);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [kind, dir, ...files] = process.argv.slice(2);
  if (!dir) throw new Error("usage: node scripts/bundle.mjs node|web DIR [FILE...]");
  const taken = await bundleEntry(kind, dir, files);
  process.stderr.write(`[bundle] ${dir}: index.js ${files.join(" ")} (with ${taken.join(" ")})\n`);
}
