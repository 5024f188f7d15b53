#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, then every test of every crate against
# real components (Docker engine, local registry, kernel BPF). Starts dockerd when it is not running.
#   scripts/test.sh            everything
#   scripts/test.sh -p CRATE   one crate's tests (extra args go to `cargo test`)
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse a target dir outside the clone so repeated runs (and CI on the same machine) stay fast.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/warden-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

bash scripts/start-services.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
if [ "$#" -gt 0 ]; then
  cargo test --locked "$@"
else
  cargo test --workspace --locked --no-fail-fast
fi
