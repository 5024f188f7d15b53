#!/usr/bin/env bash
# Rule-evaluation throughput, events per second on one core, with Falco's whole stable ruleset
# (unchanged) plus warden's ruleset, on a deterministic generated event stream that is first
# written as a recording (JSON lines of warden_rules::Event) and then read back, as
# `warden watch replay` would. Goal: >= 2,000,000 events/s per core.
#
# Usage: bench/rules.sh [EVENTS] [extra rules_bench args...]
# Env:   CARGO_TARGET_DIR (default target/), RUNS (default 3),
#        RULES_BENCH (a rules_bench binary to run instead of building one, e.g. to run two
#        builds alternately in the same time window)
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${1:-5000000}"
shift || true
RUNS="${RUNS:-3}"
if [ -n "${RULES_BENCH:-}" ]; then
  BIN="$RULES_BENCH"
else
  cargo build --release -q -p warden-rules --example rules_bench
  BIN="${CARGO_TARGET_DIR:-target}/release/examples/rules_bench"
fi
REC="$(mktemp -t warden-rules-bench.XXXXXX.jsonl)"
trap 'rm -f "$REC"' EXIT
# One run generates the stream and records it; the measured runs replay the recording.
"$BIN" --events 100000 --write-recording "$REC" "$@" >/dev/null
echo "recording: $(wc -l <"$REC") events, $(du -h "$REC" | cut -f1)"
for i in $(seq 1 "$RUNS"); do
  # Load changes CPU-time figures too (shared caches): print it next to every run.
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  # taskset pins to one core when available so the figure is per core.
  if command -v taskset >/dev/null; then
    taskset -c 0 "$BIN" --events "$EVENTS" --recording "$REC" "$@"
  else
    "$BIN" --events "$EVENTS" --recording "$REC" "$@"
  fi
done
