#!/usr/bin/env bash
# Fuzzes the archive parsers and the webhook scanner with cargo-fuzz (libFuzzer) for a while;
# not part of CI.
#   bash scripts/fuzz.sh [seconds per target, default 60] [target ...]
# Targets: zip_reader, archive_record, webhook_scanner (fuzz/fuzz_targets/; the last one holds the
# webhook verifier's one-pass scanner against its full parse). Crashes land in
# fuzz/artifacts/<target>/.
# cargo-fuzz needs a nightly toolchain. Without one (and with no way to install it), this script
# says so and exits 0: the stable stand-in runs in every `cargo test` (src/archive/robustness.rs,
# 20,000 mutated inputs per parser).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[fuzz] %s\n' "$*" >&2; }

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(zip_reader archive_record webhook_scanner)
case "$seconds" in ''|*[!0-9]*) log "usage: $0 [seconds] [target ...]"; exit 2 ;; esac

log "stable stand-ins first (cargo test: archive robustness, webhook fast path vs full parse)"
cargo test --quiet -p flexperto-sdk --lib archive::robustness
cargo test --quiet -p flexperto-sdk --lib webhook::tests::fast_path_agrees_with_the_full_parse

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  log "no nightly toolchain; trying: rustup toolchain install nightly --profile minimal"
  if ! rustup toolchain install nightly --profile minimal >&2; then
    log "SKIPPED: cargo-fuzz needs a nightly toolchain and none can be installed here."
    log "The stable stand-in above passed; install nightly and run this script again to fuzz."
    exit 0
  fi
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz (about a minute)"
  if ! cargo install cargo-fuzz --locked >&2; then
    log "SKIPPED: cargo-fuzz could not be installed; the stable stand-in above passed."
    exit 0
  fi
fi

log "seed corpus (written by the tests' zip writer)"
cargo test --quiet -p flexperto-sdk --lib archive::robustness::write_fuzz_seeds -- --ignored >/dev/null

status=0
for t in "${targets[@]}"; do
  log "fuzzing $t for ${seconds}s"
  # -rss_limit_mb: the parsers cap their allocations far below this; exceeding it is a finding.
  if ! (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=1024 -print_final_stats=1); then
    log "FAILED: $t (see fuzz/artifacts/$t/; replay with: cd fuzz && cargo +nightly fuzz run $t <file>)"
    status=1
  fi
done
exit $status
