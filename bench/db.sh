#!/usr/bin/env bash
# Vulnerability database benchmark over all of ../shared/vulndata:
#   - build time and size of `warden db build` (bytes per advisory, and Trivy's 474 MB /
#     Grype's 900 MB full databases scaled to the same number of advisories);
#   - cold open time (the file evicted from the page cache with POSIX_FADV_DONTNEED first);
#   - query latency p50/p99 over 100,000 random queries (goal: p99 < 20 us): cold (no parsed
#     version cached), raw wall clock, and each query's own cost (min of 3 runs), every answer
#     checked against evaluating all stored ranges (--check);
#   - the same tables stored in SQLite (the format choice, by measurement).
# Every step prints the load average; times are wall clock plus CPU (user+sys) where the tool
# gives it, because the machine may be shared. A summary of the figures ends the output; the
# full logs stay in $BENCH_OUT.
# usage: bench/db.sh [VULNDATA_DIR]   (default ../shared/vulndata)
# Env: CARGO_TARGET_DIR (default target), QUERIES (default 100000), BENCH_OUT (default
#      /var/tmp/warden-db-bench), NO_SQLITE=1 to leave out the SQLite comparison (it compiles
#      a bundled SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/vulndata}
QUERIES=${QUERIES:-100000}
if [ ! -d "$DATA" ]; then
  echo "db.sh: SKIP: $DATA not found; this benchmark needs the shared feed data" \
       "(../shared/vulndata beside the repository, or pass a directory)" >&2
  exit 0
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
OUT=${BENCH_OUT:-/var/tmp/warden-db-bench}
mkdir -p "$OUT"
load() { cut -d' ' -f1-3 /proc/loadavg; }

features=(--features sqlite-bench)
sqlite=(--sqlite)
if [ "${NO_SQLITE:-}" = 1 ]; then features=(); sqlite=(); fi
echo "== cargo build --release (warden, dbbench); load $(load)"
cargo build -q --release -p warden
cargo build -q --release -p warden-vulndb "${features[@]}" --example dbbench
WARDEN=$CARGO_TARGET_DIR/release/warden
BENCH=$CARGO_TARGET_DIR/release/examples/dbbench

echo "== warden db build (all of $DATA); load $(load)"
rm -f "$OUT/warden.db"
start=$(date +%s.%N)
/usr/bin/time -o "$OUT/build.time" -f "%e s wall, %U s user, %S s sys, %M KiB max RSS" \
  "$WARDEN" -q db build --from "$DATA" -o "$OUT/warden.db" --report "$OUT/build-report.json"
end=$(date +%s.%N)
echo "build: $(cat "$OUT/build.time")"
python3 - "$start" "$end" "$OUT/warden.db" "$OUT/build-report.json" > "$OUT/size.txt" <<'PY'
import json, os, sys
start, end, db, report = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
size = os.path.getsize(db)
counts = json.load(open(report))["metadata"]["counts"]
adv, vulns, pkgs = counts["advisories"], counts["vulnerabilities"], counts["packages"]
print(f"build time: {end-start:.2f} s (whole CLI process, wall clock)")
print(f"size: {size} bytes = {size/2**20:.2f} MiB for {adv} advisories / {vulns} vulnerabilities / {pkgs} packages")
print(f"bytes per advisory: {size/adv:.0f}")
# Trivy's trivy.db (474 MB) and Grype's vulnerability.db (900 MB) hold their full feeds. Their
# advisory counts are not published with the files; both are taken as ~300,000 advisories
# (the order of magnitude of GHSA + OSV + the distro trackers they ingest), so these are
# estimates, printed as such.
for name, mb, n in (("Trivy", 474e6, 300_000), ("Grype", 900e6, 300_000)):
    per = mb / n
    print(f"{name}: {mb/1e6:.0f} MB / ~{n} advisories (estimate) = ~{per:.0f} bytes per advisory;"
          f" pro rata for {adv} advisories ~{per*adv/2**20:.1f} MiB (warden: {size/2**20:.2f} MiB,"
          f" {per/(size/adv):.1f}x smaller)")
PY
cat "$OUT/size.txt"

echo "== cold open (file evicted from the page cache); load $(load)"
evict() { python3 -c "import os,sys;fd=os.open(sys.argv[1],os.O_RDONLY);os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED);os.close(fd)" "$1"; }
: > "$OUT/open.txt"
for _ in 1 2 3 4 5; do
  evict "$OUT/warden.db"
  # Db::open alone, timed inside the process.
  "$BENCH" --db "$OUT/warden.db" --open-only | tee -a "$OUT/open.txt"
done
evict "$OUT/warden.db"
# The whole CLI process (start-up, open, metadata, printing): an upper bound on the open.
/usr/bin/time -f "warden db info, cold, whole process: %e s wall, %U s user, %S s sys, %M KiB max RSS" \
  "$WARDEN" -q db info --db "$OUT/warden.db" > /dev/null

echo "== $QUERIES random queries, answers checked${sqlite:+, and the SQLite comparison}; load $(load)"
/usr/bin/time -f "dbbench: %e s wall, %U s user, %S s sys" \
  "$BENCH" --from "$DATA" --out "$OUT/bench.db" --queries "$QUERIES" --check "${sqlite[@]}" \
  2>&1 | tee "$OUT/dbbench.txt"

echo
echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), load $(load))"
echo "build (CLI):           $(cat "$OUT/build.time")"
grep -E '^(size|bytes per advisory|Trivy|Grype):' "$OUT/size.txt"
python3 - "$OUT/open.txt" <<'PY'
import re, sys
us = sorted(float(m) for m in re.findall(r"open: ([0-9.]+)us", open(sys.argv[1]).read()))
print(f"cold open (Db::open):  median {us[len(us)//2]:.0f} us, min {us[0]:.0f} us, max {us[-1]:.0f} us over {len(us)} runs")
PY
grep -E '^(Db::query|warden format lookup|sqlite|check:|build:|warden format:)' "$OUT/dbbench.txt"
