#!/usr/bin/env bash
# Packs pkg/ with npm pack and installs the tarball into the root node_modules without saving it:
# the tests, the demo and the benchmarks then import exactly what users install.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f target/flexperto-sdk-*.tgz target/flexperto-sim-*.tgz
tarballs=("./target/$(cd pkg && npm pack --silent --pack-destination ../target)")
# The simulator's packages (scripts/build-sim-pkg.sh), installed together so that the launcher's
# optional dependency is the platform package packed here.
if [ -x target/release/flexperto-sim ]; then
  bash scripts/build-sim-pkg.sh
  for p in flexperto-sim-linux-x64 flexperto-sim; do
    tarballs+=("./target/$(cd "pkg-sim/$p" && npm pack --silent --pack-destination ../../target)")
  done
fi
npm install --no-save --no-audit --no-fund "${tarballs[@]}" >/dev/null
printf '[install-pkg] installed %s\n' "${tarballs[*]}" >&2
