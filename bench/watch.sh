#!/usr/bin/env bash
# `warden watch` benchmarks (release build):
#  (a) rule-evaluation throughput, events/s on one core, Falco's whole stable ruleset plus
#      warden's, on a stream recorded by the real sensor (`warden watch record`) during a
#      fork/exec + open/close workload, and on rules_bench's generated mixed stream;
#  (b) sensor overhead: syscall-heavy workloads (an open/close loop, stress-ng's fork/exec
#      stressor) timed without and with the sensor running the default rules, plus the
#      event rate the sensor saw and the kernel drops it counted.
#
#   bench/watch.sh                 3 rounds of 10 s per workload
#   SKIP_RULES=1 bench/watch.sh    only (b)
#   ROUNDS=5 SECS=20 bench/watch.sh
#   WARDEN=/path/to/warden RULES_BENCH=/path/to/rules_bench bench/watch.sh   (prebuilt)
#
# Needs root, python3, stress-ng (scripts/setup.sh) and a kernel with BTF. Prints Markdown tables;
# (a) reports the best of ROUNDS runs, (b) the mean.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECS=${SECS:-10}
PORT=${PORT:-18765}
WORKLOADS=${WORKLOADS:-"open exec"}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${WARDEN:-}" ]; then
  cargo build --release -q -p warden
  WARDEN="$CARGO_TARGET_DIR/release/warden"
fi
if [ -z "${RULES_BENCH:-}" ] && [ -z "${SKIP_RULES:-}" ]; then
  cargo build --release -q -p warden-rules --example rules_bench
fi
RULES_BENCH=${RULES_BENCH:-$CARGO_TARGET_DIR/release/examples/rules_bench}
[ "$(id -u)" -eq 0 ] || { echo "bench/watch.sh: needs root (the sensor loads BPF programs)" >&2; exit 2; }
command -v stress-ng >/dev/null || { echo "bench/watch.sh: stress-ng missing; run scripts/setup.sh" >&2; exit 2; }

tmp=$(mktemp -d)
wpid=""
cleanup() {
  if [ -n "$wpid" ]; then kill -TERM "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

# Runs one workload for SECS seconds on one worker; prints operations per second (real time).
#   open: an open/close loop on one file (python3), one openat event per operation;
#   exec: stress-ng's fork/exec stressor, which refuses to run as root, so as nobody.
run_load() {
  case "$1" in
    open)
      python3 - "$SECS" <<'PY'
import os, sys, time
secs = float(sys.argv[1]); n = 0; t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    for _ in range(1000):
        os.close(os.open("/etc/hostname", os.O_RDONLY))
    n += 1000
print(f"{n / (time.monotonic() - t0):.1f}")
PY
      ;;
    exec)
      runuser -u nobody -- stress-ng --exec 1 --temp-path /tmp --timeout "${SECS}s" --metrics-brief 2>&1 |
        awk '/metrc:.* exec / && !v { v = $(NF-1) } END { print v }'
      ;;
  esac
}

mean() { awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n; else print "nan" }'; }

start_sensor() {
  "$WARDEN" watch -o /dev/null --metrics-addr "127.0.0.1:$PORT" 2>"$tmp/warden.err" &
  wpid=$!
  for _ in $(seq 1 600); do
    /bin/true
    ev=$(metric warden_events 2>/dev/null || true)
    [ -n "$ev" ] && [ "$ev" -gt 0 ] && return 0
    kill -0 "$wpid" 2>/dev/null || { cat "$tmp/warden.err" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench/watch.sh: sensor not ready" >&2; exit 1
}

stop_sensor() {
  kill -TERM "$wpid"; wait "$wpid" || true; wpid=""
}

if [ -z "${SKIP_RULES:-}" ]; then
  # (a) Record what the real sensor emits during a mixed workload, then evaluate it offline.
  "$WARDEN" watch record "$tmp/rec.jsonl" --duration 6 -o /dev/null 2>"$tmp/rec.err" &
  rpid=$!
  sleep 2
  SECS=3 run_load open >/dev/null &
  SECS=3 run_load exec >/dev/null
  wait $!
  wait "$rpid" || { cat "$tmp/rec.err" >&2; exit 1; }
  head -n 200000 "$tmp/rec.jsonl" >"$tmp/rec200k.jsonl"
  pin=""; command -v taskset >/dev/null && pin="taskset -c 0"
  echo "### (a) rule evaluation, one core"
  echo
  echo "| stream | distinct events | rules enabled | events/s per core | ns/event |"
  echo "|---|---|---|---|---|"
  for src in recorded generated; do
    if [ "$src" = recorded ]; then args=(--recording "$tmp/rec200k.jsonl"); else args=(); fi
    for r in $(seq 1 "$ROUNDS"); do
      $pin "$RULES_BENCH" --events 2000000 "${args[@]}"
    done | awk -v src="$src" '
      { match($0, /"events_per_sec_per_core":[0-9.]+/); v = substr($0, RSTART + 26, RLENGTH - 26)
        match($0, /"distinct_events":[0-9]+/); d = substr($0, RSTART + 18, RLENGTH - 18)
        match($0, /"rules_enabled":[0-9]+/); n = substr($0, RSTART + 16, RLENGTH - 16)
        if (v > best) best = v }
      END { printf "| %s | %s | %s | %.0f | %.0f |\n", src, d, n, best, 1e9 / best }'
  done
  echo
  echo "### (b) sensor overhead"
  echo
fi

echo "| workload | baseline ops/s | with sensor ops/s | overhead | sensor events/s | kernel drops | decode errors |"
echo "|---|---|---|---|---|---|---|"
for w in $WORKLOADS; do
  : >"$tmp/base"; : >"$tmp/watched"; : >"$tmp/rate"
  start_sensor; stop_sensor   # warm the page cache for the binary and BTF
  drops=0; derr=0
  for r in $(seq 1 "$ROUNDS"); do
    run_load "$w" >>"$tmp/base"
    start_sensor
    e0=$(metric warden_kernel_events); d0=$(metric warden_kernel_drops)
    t0=$(date +%s.%N)
    run_load "$w" >>"$tmp/watched"
    t1=$(date +%s.%N)
    sleep 1.2   # one counter tick
    e1=$(metric warden_kernel_events); d1=$(metric warden_kernel_drops); de=$(metric warden_decode_errors)
    awk -v a="$e0" -v b="$e1" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f\n", (b - a) / (t1 - t0) }' >>"$tmp/rate"
    drops=$((drops + d1 - d0)); derr=$((derr + de))
    stop_sensor
  done
  b=$(mean <"$tmp/base"); s=$(mean <"$tmp/watched"); rate=$(mean <"$tmp/rate")
  ovh=$(awk -v b="$b" -v s="$s" 'BEGIN { printf "%.1f%%", (b - s) / b * 100 }')
  echo "| $w (${SECS}s x $ROUNDS) | $b | $s | $ovh | $rate | $drops | $derr |"
done
