#!/usr/bin/env bash
# Packs pkg/ with npm pack and installs the tarball into the root node_modules without saving it:
# the tests, the demo and the benchmarks then import exactly what users install.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f target/flexperto-sdk-*.tgz
tarball=$(cd pkg && npm pack --silent --pack-destination ../target)
npm install --no-save --no-audit --no-fund "./target/$tarball" >/dev/null
printf '[install-pkg] installed %s\n' "$tarball" >&2
