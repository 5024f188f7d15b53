#!/usr/bin/env bash
# Sensor overhead of `warden watch`: a syscall-heavy workload (stress-ng's open/close and
# fork/exec stressors) timed without and with the sensor running the default rules, plus the
# event rate the sensor saw and the kernel drops it counted.
#
#   bench/watch.sh                 3 rounds of 10 s per workload
#   ROUNDS=5 SECS=20 bench/watch.sh
#   WARDEN=/path/to/warden bench/watch.sh
#
# Needs root, stress-ng (scripts/setup.sh) and a kernel with BTF. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
SECS=${SECS:-10}
PORT=${PORT:-18765}
WORKLOADS=${WORKLOADS:-"open exec"}
if [ -z "${WARDEN:-}" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
  cargo build --release -q -p warden
  WARDEN="$CARGO_TARGET_DIR/release/warden"
fi
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

# Runs one stressor for SECS seconds on one worker; prints bogo ops per second (real time).
run_load() {
  stress-ng --"$1" 1 --timeout "${SECS}s" --yaml "$tmp/out.yaml" >/dev/null 2>&1
  awk '/bogo-ops-per-second-real-time:/ { print $2; exit }' "$tmp/out.yaml"
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
  echo "| stress-ng --$w 1 (${SECS}s x $ROUNDS) | $b | $s | $ovh | $rate | $drops | $derr |"
done
