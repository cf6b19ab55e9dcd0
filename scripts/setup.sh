#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need, idempotently: the wasm target,
# wasm-bindgen-cli matching the pinned crate, Chromium (for browser tests), PostgreSQL (for the
# claim ledger tests), and the npm tooling.
# Set FLEXPERTO_SKIP_BROWSER=1 to skip Chromium (the demo does not need it).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi
# The release wasm rebuilds the standard library (scripts/build.sh): that needs its source.
if ! rustup component list --installed 2>/dev/null | grep -qx 'rust-src'; then
  log "rustup component add rust-src"
  rustup component add rust-src >&2
fi

wb_version=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ -z "$wb_version" ]; then
  log "cannot read the pinned wasm-bindgen version from Cargo.toml"; exit 1
fi
if ! command -v wasm-bindgen >/dev/null 2>&1 || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$wb_version" ] \
   || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  log "installing wasm-bindgen-cli $wb_version (about 2 minutes)"
  # No --locked: the CLI's lockfile pins a crate version the registry here lacks.
  cargo install wasm-bindgen-cli --version "=$wb_version" >&2
fi

if [ "${FLEXPERTO_SKIP_BROWSER:-0}" != "1" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  log "installing Debian chromium and chromium-driver"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >&2
fi

# PostgreSQL for the claim ledger tests (scripts/pg.sh starts a throwaway cluster).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing Debian postgresql"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi

stamp=node_modules/.flexperto-setup-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x node_modules/.bin/wasm-opt ]; then
  log "installing npm tooling (npm ci)"
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi
log "ready"
