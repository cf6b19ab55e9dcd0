#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need, idempotently: the wasm target,
# wasm-bindgen-cli matching the pinned crate, Chromium (for browser tests), PostgreSQL (for the
# claim ledger tests), and the npm tooling.
# Set FLEXPERTO_SKIP_BROWSER=1 to skip Chromium (the demo does not need it).
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"

# rust-toolchain.toml pins the toolchain, its components (rustfmt, clippy) and the wasm target.
# When the machine's stable toolchain is that version, it serves as the pinned one (a link, no
# download); otherwise rustup installs the pinned one. Both are no-ops once done.
channel=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
host=$(rustc +stable -vV 2>/dev/null | sed -n 's/^host: //p' || true)
if ! rustup toolchain list 2>/dev/null | grep -q "^$channel-"; then
  stable_version=$(rustc +stable --version 2>/dev/null | awk '{print $2}' || true)
  rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
  if [ -n "$host" ] && [ "$stable_version" = "$channel" ] && [ -d "$rustup_home/toolchains/stable-$host" ]; then
    log "using the installed stable toolchain ($stable_version) as the pinned $channel"
    ln -s "$rustup_home/toolchains/stable-$host" "$rustup_home/toolchains/$channel-$host"
  else
    log "installing the pinned toolchain $channel"
    rustup toolchain install "$channel" --profile minimal --component rustfmt,clippy --target wasm32-unknown-unknown >&2
  fi
fi
for c in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
    log "rustup component add $c"; rustup component add "$c" >&2
  fi
done
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
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
