#!/usr/bin/env bash
# `warden watch` benchmarks (release build):
#  (a) rule-evaluation throughput, events/s on one core, Falco's whole stable ruleset plus
#      warden's, on a stream recorded by the real sensor (`warden watch record`) during a
#      fork/exec + open/close workload, and on rules_bench's generated mixed stream;
#  (b) sensor overhead: syscall-heavy workloads (an open/close loop in C, stress-ng's fork/exec
#      stressor) timed without and with the sensor running the default rules, plus the event
#      rate the sensor saw, the kernel drops it counted and the CPU time it used;
#  (c) where the open/close loop's CPU goes while the sensor runs: `perf record` samples of the
#      loop process only, grouped into the sys_exit hook, the BPF programs and the helpers they
#      call. Shares of the loop's own samples do not depend on what else runs on the machine,
#      so (c) is the figure to read when the machine is loaded. Skipped without perf.
#
#   bench/watch.sh                 3 rounds of 10 s per workload
#   SKIP_RULES=1 bench/watch.sh    only (b)
#   ROUNDS=5 SECS=20 bench/watch.sh
#   WORKLOADS=open bench/watch.sh  only the open/close loop
#   SKIP_PERF=1 bench/watch.sh     without (c)
#   WARDEN=/path/to/warden RULES_BENCH=/path/to/rules_bench bench/watch.sh   (prebuilt)
#   WATCH_RULES=crates/warden-runtime/tools/overhead/write_rules.yaml bench/watch.sh
#                                  (b) and (c) with other rules than the defaults (here only
#                                  write rules, so the kernel drops the loop's read-only opens)
#
# Needs root, cc, stress-ng (scripts/setup.sh) and a kernel with BTF. Prints Markdown tables;
# (a) reports the best of ROUNDS runs, (b) the mean and, for overheads, the min..max spread.
# Throughput (ops/s) needs an otherwise idle machine; the CPU-time columns (the workload's own
# user+sys per operation, from getrusage, and the sensor's from /proc/PID/stat) stay meaningful
# under load, because BPF programs run in the workload's syscalls and are charged to it.
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
command -v cc >/dev/null || { echo "bench/watch.sh: cc missing; run scripts/setup.sh" >&2; exit 2; }

tmp=$(mktemp -d)
wpid=""
cleanup() {
  if [ -n "$wpid" ]; then kill -TERM "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

# The open/close loop: one openat event per operation (close is not traced). C rather than
# python so that one worker reaches a few 100k events/s. Prints ops/s (real time) and the
# loop's own CPU time per operation in ns (user+sys, which includes the BPF programs that run
# in its syscalls).
cat >"$tmp/openloop.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(void) {
  struct rusage r; getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_stime.tv_sec + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}
int main(int argc, char **argv) {
  double secs = atof(argv[1]), t0 = now(), c0 = cpu(), t;
  long n = 0;
  do {
    for (int i = 0; i < 1000; i++) { int fd = open("/etc/hostname", O_RDONLY); if (fd >= 0) close(fd); }
    n += 1000;
    t = now();
  } while (t - t0 < secs);
  printf("%.1f %.1f\n", n / (t - t0), (cpu() - c0) * 1e9 / n);
  return 0;
}
C
cc -O2 -o "$tmp/openloop" "$tmp/openloop.c"

# Runs one workload for SECS seconds on one worker; prints operations per second (real time)
# and CPU ns per operation ("nan" when the workload does not report it).
#   open: the C open/close loop above;
#   exec: stress-ng's fork/exec stressor, which refuses to run as root, so as nobody.
run_load() {
  case "$1" in
    open) "$tmp/openloop" "$SECS" ;;
    exec)
      runuser -u nobody -- stress-ng --exec 1 --temp-path /tmp --timeout "${SECS}s" --metrics-brief 2>&1 |
        awk '/metrc:.* exec / && !v { v = $(NF-1) } END { print v, "nan" }'
      ;;
  esac
}

# CPU time (user+sys) of a process so far, in seconds.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"; }

mean() { awk '$1 ~ /^-?[0-9.]+$/ { s += $1; n++ } END { if (n) printf "%.1f", s / n; else print "n/a" }'; }

start_sensor() {
  local rules=()
  [ -n "${WATCH_RULES:-}" ] && rules=(--rules "$WATCH_RULES")
  "$WARDEN" watch "${rules[@]}" -o /dev/null --metrics-addr "127.0.0.1:$PORT" 2>"$tmp/warden.err" &
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

echo "| workload | baseline ops/s | with sensor ops/s | throughput overhead (min..max) | workload CPU ns/op, baseline → with sensor | sensor events/s | sensor CPU % of a core | sensor CPU ns/event | kernel drops | decode errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for w in $WORKLOADS; do
  : >"$tmp/base"; : >"$tmp/watched"; : >"$tmp/rate"; : >"$tmp/ovh"; : >"$tmp/scpu"
  start_sensor; stop_sensor   # warm the page cache for the binary and BTF
  drops=0; derr=0
  for r in $(seq 1 "$ROUNDS"); do
    run_load "$w" >"$tmp/b1"; cat "$tmp/b1" >>"$tmp/base"
    start_sensor
    e0=$(metric warden_kernel_events); d0=$(metric warden_kernel_drops); c0=$(cpu_of "$wpid")
    t0=$(date +%s.%N)
    run_load "$w" >"$tmp/w1"; cat "$tmp/w1" >>"$tmp/watched"
    t1=$(date +%s.%N)
    c1=$(cpu_of "$wpid")
    sleep 1.2   # one counter tick
    e1=$(metric warden_kernel_events); d1=$(metric warden_kernel_drops); de=$(metric warden_decode_errors)
    awk -v a="$e0" -v b="$e1" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" \
      'BEGIN { printf "%.0f %.1f %.0f\n", (b - a) / (t1 - t0), (c1 - c0) / (t1 - t0) * 100, (b > a) ? (c1 - c0) * 1e9 / (b - a) : 0 }' >>"$tmp/rate"
    paste -d' ' "$tmp/b1" "$tmp/w1" | awk '{ printf "%.1f\n", ($1 - $3) / $1 * 100 }' >>"$tmp/ovh"
    drops=$((drops + d1 - d0)); derr=$((derr + de))
    stop_sensor
  done
  b=$(mean <"$tmp/base"); s=$(mean <"$tmp/watched")
  bc=$(awk '{ print $2 }' "$tmp/base" | mean); sc=$(awk '{ print $2 }' "$tmp/watched" | mean)
  rate=$(awk '{ print $1 }' "$tmp/rate" | mean); scpu=$(awk '{ print $2 }' "$tmp/rate" | mean)
  sns=$(awk '{ print $3 }' "$tmp/rate" | mean)
  ovh=$(awk -v b="$b" -v s="$s" 'BEGIN { printf "%.1f%%", (b - s) / b * 100 }')
  spread=$(sort -g "$tmp/ovh" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s%%", lo, hi }')
  echo "| $w (${SECS}s x $ROUNDS) | $b | $s | $ovh ($spread) | $bc → $sc | $rate | $scpu | $sns | $drops | $derr |"
done

if [ -z "${SKIP_PERF:-}" ] && command -v perf >/dev/null; then
  # (c) cpu-clock sampling works in VMs without a PMU. The groups are kernel symbols that only
  # run because the sensor is attached (a baseline profile of the same loop has none of them;
  # strncpy_from_user is left out because the open itself calls it).
  echo
  echo "### (c) the open/close loop's CPU with the sensor (perf samples of the loop only)"
  echo
  echo "| round | loop samples | sys_exit hook | BPF programs | timestamps | ring buffer | memory reads | other helpers | total | overhead vs the rest |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  start_sensor
  for r in $(seq 1 "$ROUNDS"); do
    perf record -q -e cpu-clock -F 4999 -o "$tmp/perf.data" -- "$tmp/openloop" "$SECS" >/dev/null 2>&1
    perf report -i "$tmp/perf.data" --no-children --sort symbol --stdio -g none -n 2>/dev/null |
      awk -v r="$r" -f crates/warden-runtime/tools/overhead/groups.awk
  done
  stop_sensor
fi
