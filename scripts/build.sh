#!/usr/bin/env bash
# Builds the npm package into pkg/: the wasm core (release), wasm-bindgen for Node and for the web,
# wasm-opt (npm binaryen, never Debian's), the package template, a type check with tsc, and the
# simulator binary the tests and the demo use. Run scripts/setup.sh first (the test and demo
# scripts do).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[build] %s\n' "$*" >&2; }

log "cargo build (wasm32, release)"
# The stable toolchain of rust-toolchain.toml, nothing unstable: the prebuilt standard library,
# simd128 for the SHA-256 of archives (+17%, PERF-NOTES.md). Panics abort (profile) after the
# hook of src/wasm/panic.rs has written their message to console.error.
# The source paths of panic locations lose this machine's directories (the cargo registry, the
# toolchain's library sources): the same bytes on every machine, and shorter strings (81 paths;
# measured 2026-11-29: node wasm -2.8 KB raw, -278 B gzip; bench/README.md).
# The full Node wasm is built with two unroll options that let
# LLVM unroll sha2's compression fully (64 rounds, the message schedule and the working state in
# locals instead of stack memory): ArchiveChecksum 1.14x -> 1.26x hash-wasm in Node 20, +0.5 KB
# gzip. They act only on code built for speed (sha2 and flexperto-webhook, opt-level 3):
# rustc does not unroll "z" code; the trip-count cap (8) keeps longer loops, such as the webhook
# crate's 64-character hex check, rolled (without it the Node wasm grew 1.2 KB). The web wasms are
# built without them, in a target directory of their own (rustflags are not part of cargo's
# artifact hashes, so one directory would rebuild everything at each switch): in Chromium 156 the
# unrolled rounds are slower, 1.16x instead of 1.27-1.29x hash-wasm (bench/README.md,
# "ArchiveChecksum: unrolled rounds").
flags='"-C", "target-feature=+simd128"'
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ "$(rustc --print sysroot)/lib/rustlib/src/rust/"; do
  if [ -d "$dir" ]; then flags+=", \"--remap-path-prefix\", \"$dir=\""; fi
done
unroll='"-C", "llvm-args=-unroll-threshold=4000", "-C", "llvm-args=-unroll-full-max-count=8"'
simd=(--config "target.wasm32-unknown-unknown.rustflags = [$flags]" --target-dir target/web-wasm)
simd_node=(--config "target.wasm32-unknown-unknown.rustflags = [$flags, $unroll]")
built=target/wasm32-unknown-unknown/release/flexperto_sdk.wasm
cargo build --quiet --release --target wasm32-unknown-unknown -p flexperto-sdk "${simd_node[@]}"
cp "$built" target/flexperto_sdk.node.wasm
# Node 20 compiles a JS-to-wasm wrapper per multi-value export signature when it builds the module:
# without rustc's `multivalue` mark, wasm-bindgen returns through memory and cold start is 3 ms
# shorter (scripts/single-value.mjs, bench/README.md).
node scripts/single-value.mjs drop target/flexperto_sdk.node.wasm
# The web build leaves out the Node-only bindings (the `node` feature: the claim machine of
# ArchiveClaimer): 287707 -> 265856 B gzip, measured 2026-11-29 (bench/README.md).
log "cargo build (wasm32, release, web: without the Node-only bindings)"
cargo build --quiet --release --target wasm32-unknown-unknown -p flexperto-sdk "${simd[@]}" \
  --no-default-features --features js-client
cp target/web-wasm/wasm32-unknown-unknown/release/flexperto_sdk.wasm target/flexperto_sdk.web.wasm
# The archive entry's wasm is one build for Node and the web, without the unroll options: they
# cost it 290 B gzip, and its 64 KiB budget had no room left after the zip reader's fixes (its
# ArchiveChecksum measured 1.17-1.21x hash-wasm rolled, 1.22-1.29x unrolled; bench/README.md).
log "cargo build (the archive entry's wasm, release)"
cargo build --quiet --release --target wasm32-unknown-unknown -p flexperto-archive-wasm "${simd[@]}"
log "cargo build (simulator, release)"
cargo build --quiet --release -p flexperto-sim

out=pkg
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
wasm-bindgen --target nodejs --out-name flexperto_sdk --out-dir "$out.tmp/node" target/flexperto_sdk.node.wasm
wasm-bindgen --target web --out-name flexperto_sdk --out-dir "$out.tmp/web" target/flexperto_sdk.web.wasm
# `flexperto-sdk/archive`: its own wasm, under the same module name, so that archive.js imports
# it as it imports the full one.
archive_wasm=wasm32-unknown-unknown/release/flexperto_archive_wasm.wasm
wasm-bindgen --target nodejs --out-name flexperto_sdk --out-dir "$out.tmp/archive/node" "target/web-wasm/$archive_wasm"
wasm-bindgen --target web --out-name flexperto_sdk --out-dir "$out.tmp/archive/web" "target/web-wasm/$archive_wasm"
# The Node build is CommonJS: its JS snippets (src/transport/fetch.js) and the modules shared
# with the browser build (pkg-template/web/*.js but index.js) are ES modules: rewritten.
shared=(errors.js internal.js delivery.js archive.js archive-client.js webhook-flow.js webhook-fetch.js paginate.js)
# No JS snippets since the transport is gloo-net; the conversion below still expects the folder.
mkdir -p "$out.tmp/node/snippets"
for f in "${shared[@]}"; do cp "pkg-template/web/$f" "$out.tmp/node/"; done
node scripts/to-commonjs.mjs "$out.tmp/node/snippets" "${shared[@]/#/$out.tmp/node/}"
archive_shared=(errors.js archive.js)
for f in "${archive_shared[@]}"; do
  cp "pkg-template/web/$f" "$out.tmp/archive/web/"
  cp "pkg-template/web/$f" "$out.tmp/archive/node/"
done
cp pkg-template/node/archive-node.js "$out.tmp/archive/node/"
# The browser's inflater (DecompressionStream); the Node entries inflate with node:zlib.
cp pkg-template/web/inflate.js "$out.tmp/archive/web/"
node scripts/to-commonjs.mjs "${archive_shared[@]/#/$out.tmp/archive/node/}"
[ ! -d "$out.tmp/archive/node/snippets" ] || node scripts/to-commonjs.mjs "$out.tmp/archive/node/snippets"
# -Oz, then flatten and re-reloop the control flow and -Oz twice more: 1.2 KB (gzip) smaller than
# -Oz alone, measured; the two builds run side by side.
# The full builds also drop the `producers` and `target_features` custom sections, which no
# runtime reads: node wasm 251,704 -> 251,476 B gzip, measured 2026-11-30 (bench/README.md).
pids=()
for t in node web archive/node archive/web; do
  strip=(--strip-producers --strip-target-features)
  node_modules/.bin/wasm-opt -Oz --flatten --rereloop -Oz -Oz "${strip[@]}" "$out.tmp/$t/flexperto_sdk_bg.wasm" -o "$out.tmp/$t/flexperto_sdk_bg.wasm" &
  pids+=("$!")
done
for p in "${pids[@]}"; do wait "$p"; done
node scripts/single-value.mjs check "$out.tmp/node/flexperto_sdk_bg.wasm"
cp -R pkg-template/. "$out.tmp/"
# The generated glue carries every doc comment of the Rust API as JSDoc; the .d.ts files keep
# them for editors, so the shipped JS drops them (4.5 KB gzip per build).
node scripts/strip-comments.mjs "$out.tmp"/{node,web,archive/node,archive/web}/flexperto_sdk.js
# Node 20 builds a wasm-to-JS wrapper per import signature and arity kind: the catching imports
# declare their parameters, and instantiation takes 0.55 ms less (scripts/import-arity.mjs).
node scripts/import-arity.mjs "$out.tmp/node/flexperto_sdk.js"
# The declarations of the modules shared by both builds.
for f in archive.d.ts delivery.d.ts archive-client.d.ts webhook-flow.d.ts paginate.d.ts; do cp "pkg-template/web/$f" "$out.tmp/node/$f"; done
for t in node web; do cp pkg-template/web/archive.d.ts "$out.tmp/archive/$t/"; done
version=$(node scripts/set-version.mjs "$out.tmp/package.json" Cargo.toml)
# The hand-written JS is type-checked (JSDoc, checkJs) against the full generated declarations,
# the internal steps it calls included; the shipped declarations then drop those internals.
log "type-checking the hand-written JS (tsc, checkJs)"
check=target/check-js
rm -rf "$check" && mkdir -p "$check/web" "$check/node"
cp "$out.tmp/web/flexperto_sdk.d.ts" "$out.tmp/web/index.js" pkg-template/web/package.json pkg-template/web/inflate.js "${shared[@]/#/pkg-template/web/}" "$check/web/"
cp "$out.tmp/node/flexperto_sdk.d.ts" "$out.tmp/node/errors.js" pkg-template/node/archive-node.js "$check/node/"
node_modules/.bin/tsc -p tests/types/tsconfig.js.json
node scripts/strip-internal.mjs "$out.tmp"/{node,web,archive/node,archive/web}/flexperto_sdk.d.ts
# The entries export the wasm-bindgen API that its .d.ts declares, beside the composed classes.
node scripts/entries.mjs web "$out.tmp/web"
node scripts/entries.mjs node "$out.tmp/node"
# Each entry ships as one minified file beside its glue (scripts/bundle.mjs; type-checked above,
# with their comments; the .d.ts files document them). The Node entry keeps as files the modules it
# loads on first use (the claim worker shares archive.js and archive-node.js's hashing threads).
# Node build JS 38.8 -> 33.1 KiB gzip, web 21.0 -> 17.2 KiB, about 2 ms less cold start (bench/README.md).
log "bundling the entries (esbuild)"
node scripts/bundle.mjs node "$out.tmp/node" delivery.js archive.js archive-node.js webhooks.js resolve-url.js claim/index.js
node scripts/bundle.mjs node "$out.tmp/archive/node"
node scripts/bundle.mjs web "$out.tmp/web"
node scripts/bundle.mjs web "$out.tmp/archive/web"
rm -rf "$out"
mv "$out.tmp" "$out"

log "type-checking the package's declarations (tsc --noEmit)"
node_modules/.bin/tsc -p tests/types/tsconfig.json

gz() { gzip -9c "$1" | wc -c; }
w=$(gz "$out/node/flexperto_sdk_bg.wasm"); j=$(gz "$out/node/flexperto_sdk.js")
a=$(gz "$out/archive/web/flexperto_sdk_bg.wasm")
log "pkg/ ready: version $version; node wasm $(wc -c < "$out/node/flexperto_sdk_bg.wasm") B ($w B gzip), glue $j B gzip; archive entry wasm $a B gzip"
