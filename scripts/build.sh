#!/usr/bin/env bash
# Builds the npm package into pkg/: the wasm core (release), wasm-bindgen for Node and for the web,
# wasm-opt (npm binaryen, never Debian's), the package template, a type check with tsc, and the
# simulator binary the tests and the demo use. Run scripts/setup.sh first (the test and demo
# scripts do).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[build] %s\n' "$*" >&2; }

log "cargo build (wasm32, release, with its own build of the standard library)"
# The standard library is rebuilt with this profile (opt-level "z", LTO) and with panics that
# abort at once, without formatting a message: 12 KB (gzip) less wasm than the prebuilt one, which
# keeps the budget (150 KiB) with the archive code in. -Z build-std is unstable, so the stable
# compiler is told to accept it (RUSTC_BOOTSTRAP=1) rather than depending on a nightly. Only this
# build does it; tests and clippy use the prebuilt library. A panic was already an abort here
# (profile panic = "abort"); now it is a bare trap. The allocator and memcpy stay at opt-level 3
# (every call into the wasm allocates its arguments); here, since only this build has them.
RUSTC_BOOTSTRAP=1 cargo build --quiet --release --target wasm32-unknown-unknown -p flexperto-sdk \
  -Z build-std=std,panic_abort \
  --config 'target.wasm32-unknown-unknown.rustflags = ["-C", "target-feature=+simd128", "-Z", "unstable-options", "-C", "panic=immediate-abort"]' \
  --config 'profile.release.package.dlmalloc.opt-level = 3' \
  --config 'profile.release.package.compiler_builtins.opt-level = 3'
log "cargo build (simulator, release)"
cargo build --quiet --release -p flexperto-sim

wasm=target/wasm32-unknown-unknown/release/flexperto_sdk.wasm
out=pkg
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
wasm-bindgen --target nodejs --out-dir "$out.tmp/node" "$wasm"
wasm-bindgen --target web --out-dir "$out.tmp/web" "$wasm"
# The Node build is CommonJS: its JS snippets (src/transport/fetch.js) and the adapters shared
# with the browser build (pkg-template/web/*.js but index.js) are ES modules, which require()
# loads only on Node >= 20.19 and slowly. Rewrite them as CommonJS.
shared=(errors.js internal.js delivery.js archive.js archive-client.js)
for f in "${shared[@]}"; do cp "pkg-template/web/$f" "$out.tmp/node/"; done
node -e '
  const fs = require("fs"), path = require("path");
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
  const files = [...walk(process.argv[1]).filter((f) => f.endsWith(".js")), ...process.argv.slice(2)];
  for (const f of files) {
    const names = [];
    let src = fs.readFileSync(f, "utf8").replace(/^export (function|class) (\w+)/gm, (_, kind, n) => (names.push(n), `${kind} ${n}`))
      .replace(/^import \{([^}]*)\} from "(\.\/[\w-]+\.js)";$/gm, (_, imported, from) => `const {${imported}} = require("${from}");`);
    if (/^\s*(export|import)\b/m.test(src)) throw new Error(`${f}: only "export function", "export class" and named imports of ./*.js are supported`);
    fs.writeFileSync(f, `"use strict";\n${src}\nmodule.exports = { ${names.join(", ")} };\n`);
  }' "$out.tmp/node/snippets" "${shared[@]/#/$out.tmp/node/}"
# -Oz, then flatten and re-reloop the control flow and -Oz twice more: 1.2 KB (gzip) smaller than
# -Oz alone, measured; the two builds run side by side.
pids=()
for t in node web; do
  node_modules/.bin/wasm-opt -Oz --flatten --rereloop -Oz -Oz "$out.tmp/$t/flexperto_sdk_bg.wasm" -o "$out.tmp/$t/flexperto_sdk_bg.wasm" &
  pids+=("$!")
done
for p in "${pids[@]}"; do wait "$p"; done
cp -R pkg-template/. "$out.tmp/"
# The generated glue carries every doc comment of the Rust API as JSDoc; the .d.ts files keep
# them for editors, so the shipped JS drops them (4.5 KB gzip per build). A syntax check guards
# the rewrite.
for t in node web; do
  node -e '
    const fs = require("fs"), f = process.argv[1];
    const src = fs.readFileSync(f, "utf8");
    const out = src.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/^[ \t]*\/\/[^\n]*$/gm, "").replace(/\n[ \t]*(?=\n)/g, "");
    fs.writeFileSync(f, out);' "$out.tmp/$t/flexperto_sdk.js"
  node --check "$out.tmp/$t/flexperto_sdk.js"
done
# The archive declarations serve both builds.
cp pkg-template/web/archive.d.ts "$out.tmp/node/archive.d.ts"
# The entries export the wasm-bindgen API that its .d.ts declares: the untyped internals the
# hand-written JS calls (zipDirectory, ...) stay out of the package's exports.
publicNames='
  const declared = (f) => [...require("fs").readFileSync(f, "utf8").matchAll(/^export (?:declare )?(?:class|function|const|enum) (\w+)/gm)].map((m) => m[1]);'
node -e "$publicNames"'
  const fs = require("fs"), dir = process.argv[1];
  const names = declared(`${dir}/flexperto_sdk.d.ts`);
  const index = fs.readFileSync(`${dir}/index.js`, "utf8");
  const line = `export * from "./flexperto_sdk.js";`;
  if (!index.includes(line) || names.length < 5) throw new Error("web/index.js: expected its export line and the declared names");
  fs.writeFileSync(`${dir}/index.js`, index.replace(line, `export { ${names.join(", ")} } from "./flexperto_sdk.js";`));
' "$PWD/$out.tmp/web"
# The Node entry: the declared wasm-bindgen exports plus the hand-written Node adapters, each
# named explicitly so that ESM named imports of this CommonJS module work.
node -e "$publicNames"'
  const fs = require("fs"), dir = process.argv[1];
  const names = (f) => Object.keys(require(`${dir}/${f}`));
  const lines = [`"use strict";`, `const sdk = require("./flexperto_sdk.js");`, `const webhooks = require("./webhooks.js");`];
  const typed = new Set(declared(`${dir}/flexperto_sdk.d.ts`));
  for (const n of names("flexperto_sdk.js").filter((n) => typed.has(n))) lines.push(`exports.${n} = sdk.${n};`);
  for (const n of names("webhooks.js")) lines.push(`exports.${n} = webhooks.${n};`);
  lines.push(`const delivery = require("./delivery.js");`, `delivery.installDeliveryApi(sdk.WebhookVerifier);`, `exports.WebhookEvent = delivery.WebhookEvent;`);
  lines.push(`const archive = require("./archive.js").installArchiveApi(sdk, require("./archive-node.js").platform);`, `exports.ArchiveInspector = archive.ArchiveInspector;`);
  lines.push(`require("./archive-client.js").installArchiveClientApi(sdk.FlexpertoClient);`);
  lines.push(`const claim = require("./claim/index.js");`);
  for (const n of names("claim/index.js")) lines.push(`exports.${n} = claim.${n};`);
  fs.writeFileSync(`${dir}/index.js`, lines.join("\n") + "\n");
  fs.writeFileSync(`${dir}/index.d.ts`, `export * from "./flexperto_sdk.js";\nexport * from "./webhooks.js";\nexport * from "./archive.js";\nexport * from "./claim/index.js";\n`);
' "$PWD/$out.tmp/node"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
node -e '
  const fs = require("fs"); const p = process.argv[1];
  const j = JSON.parse(fs.readFileSync(p, "utf8")); j.version = process.argv[2];
  fs.writeFileSync(p, JSON.stringify(j, null, 2) + "\n");' "$out.tmp/package.json" "$version"
rm -rf "$out"
mv "$out.tmp" "$out"

log "type-checking the package's declarations (tsc --noEmit)"
node_modules/.bin/tsc -p tests/types/tsconfig.json

gz() { gzip -9c "$1" | wc -c; }
w=$(gz "$out/node/flexperto_sdk_bg.wasm"); j=$(gz "$out/node/flexperto_sdk.js")
log "pkg/ ready: version $version; node wasm $(wc -c < "$out/node/flexperto_sdk_bg.wasm") B ($w B gzip), glue $j B gzip"
