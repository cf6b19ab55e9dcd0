#!/usr/bin/env bash
# Builds, installs the package, and runs the benchmarks (each prints ratios measured in one run).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/install-pkg.sh
for b in bench/package.mjs bench/sdk-overhead.mjs bench/call-floor.mjs bench/client-get.mjs bench/webhook-verify.mjs \
  bench/archive-hash.mjs bench/archive-hash-entry.mjs bench/archive-hash-browser.mjs bench/archive-verify-stream.mjs \
  bench/claim-throughput.mjs bench/claim-verify-rate.mjs; do
  printf '\n== %s\n' "$b"
  node "$b"
done
