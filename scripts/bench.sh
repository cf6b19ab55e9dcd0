#!/usr/bin/env bash
# Builds, installs the package, and runs the benchmarks (each prints ratios measured in one run).
set -euo pipefail
cd "$(dirname "$0")/.."
FLEXPERTO_SKIP_BROWSER=1 bash scripts/setup.sh
bash scripts/build.sh
bash scripts/install-pkg.sh
for b in bench/package.mjs bench/sdk-overhead.mjs bench/client-get.mjs bench/webhook-verify.mjs; do
  printf '\n== %s\n' "$b"
  node "$b"
done
