#!/usr/bin/env bash
# The one test command: sets up what is missing, then runs every layer (STYLE.md):
#   lint (rustfmt, clippy native and wasm32) -> native unit and simulator tests -> package build
#   with tsc -> wasm-bindgen tests in Node -> node --test on the installed package -> Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "setup"
bash scripts/setup.sh

step "rustfmt"
cargo fmt --all -- --check

step "clippy (native, all targets)"
cargo clippy --quiet --workspace --all-targets -- -D warnings
step "clippy (wasm32, all targets)"
cargo clippy --quiet -p flexperto-sdk --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --quiet -p flexperto-archive-wasm --target wasm32-unknown-unknown -- -D warnings

step "native tests: unit, contract, client against the simulator"
cargo test --workspace

step "build the npm package"
bash scripts/build.sh

sim_pid=""
pg_dir=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  [ -n "$pg_dir" ] && bash scripts/pg.sh stop "$pg_dir" || true
}
trap cleanup EXIT

step "wasm-bindgen tests in Node (against the simulator)"
simlog=$(mktemp)
target/release/flexperto-sim --port 0 > "$simlog" &
sim_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$simlog" && break; sleep 0.05; done
FLEXPERTO_SIM_URL=$(sed -n 's/^listening on //p' "$simlog" | head -1)
export FLEXPERTO_SIM_URL
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p flexperto-sdk --target wasm32-unknown-unknown
kill "$sim_pid"; sim_pid=""
unset FLEXPERTO_SIM_URL

step "install the packed package (what users install)"
bash scripts/install-pkg.sh
node_modules/.bin/tsc -p tests/types/tsconfig.installed.json

step "PostgreSQL: a throwaway cluster for the claim ledger tests"
pg_dir=$(mktemp -d)
FLEXPERTO_TEST_PG_URL=$(bash scripts/pg.sh start "$pg_dir")
export FLEXPERTO_TEST_PG_URL

step "node --test: the installed package against the simulator"
node --test --test-concurrency=2 tests/js/
bash scripts/pg.sh stop "$pg_dir"; pg_dir=""
unset FLEXPERTO_TEST_PG_URL

step "node --test: Chromium (demo page, package in a browser)"
node --test --test-concurrency=1 tests/browser/

step "all layers passed"
