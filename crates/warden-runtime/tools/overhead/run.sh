#!/usr/bin/env bash
# Kernel-side cost of the sensor's BPF programs on an open/close loop, without the rest of
# warden: loads a build of a sensor.bpf.c variant with a small libbpf harness (harness.c:
# openat selected, a consumer thread that only counts records), and for each variant prints
#   - the loop's CPU ns/op (getrusage), alternating with runs without the sensor;
#   - where the loop's CPU goes (perf cpu-clock samples of the loop only, grouped as in
#     bench/watch.sh part c).
#
#   tools/overhead/run.sh [BPF_SOURCE...]     default: src/bpf/sensor.bpf.c
#   ROUNDS=4 SECS=3 tools/overhead/run.sh before.bpf.c src/bpf/sensor.bpf.c
#
# Needs root, clang, bpftool, libbpf-dev, perf. Run from crates/warden-runtime.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-3}
here=tools/overhead
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ $# -gt 0 ] || set -- src/bpf/sensor.bpf.c

# shellcheck disable=SC2016 # the pattern is literal text of bench/watch.sh
sed -n '/^cat >"$tmp\/openloop.c"/,/^C$/p' ../../bench/watch.sh | sed '1d;$d' >"$tmp/openloop.c"
cc -O2 -o "$tmp/openloop" "$tmp/openloop.c"
i=0
for src in "$@"; do
  i=$((i + 1))
  clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -Isrc/bpf/vmlinux/x86_64 -Isrc/bpf -Wall \
    -Wno-unused-function -c "$src" -o "$tmp/v$i.o"
  bpftool gen skeleton "$tmp/v$i.o" name sensor_bpf >"$tmp/sensor.skel.h"
  cc -O2 -I"$tmp" "$here/harness.c" -o "$tmp/h$i" -lbpf -lpthread
done

uptime
echo "| variant | round | loop CPU ns/op without → with |"
echo "|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  for j in $(seq 1 "$i"); do
    b=$(cd "$tmp" && taskset -c 1 ./openloop "$SECS" | awk '{ print $2 }')
    w=$(cd "$tmp" && OPENLOOP=./openloop "./h$j" "$SECS" 2>/dev/null | awk '{ print $2 }')
    echo "| ${!j} | $r | $b → $w |"
  done
done

echo
echo "| variant | loop samples | sys_exit hook | BPF programs | timestamps | ring buffer | memory reads | other helpers | total | overhead vs the rest |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for j in $(seq 1 "$i"); do
  (cd "$tmp" && "./h$j" $((SECS + 3)) >/dev/null 2>&1) &
  hp=$!
  pid=""
  for _ in $(seq 1 100); do pid=$(pgrep -n -x openloop) && break; sleep 0.1; done
  sleep 0.5
  # perf ends early (non-zero) when the loop exits first; the samples are written anyway.
  perf record -q -e cpu-clock -F 9999 -p "$pid" -o "$tmp/perf.data" -- sleep "$SECS" >/dev/null 2>&1 || true
  wait "$hp" || true
  perf report -i "$tmp/perf.data" --no-children --sort symbol --stdio -g none -n 2>/dev/null |
    awk -v r="${!j}" -f "$here/groups.awk"
done
uptime
