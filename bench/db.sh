#!/usr/bin/env bash
# Vulnerability database benchmark over all of ../shared/vulndata:
#   - build time and size of `warden db build` (bytes per advisory, and Trivy's 474 MB /
#     Grype's 900 MB full databases scaled to the same number of advisories);
#   - the same tables stored in SQLite (the format choice, by measurement);
#   - cold open time (the file evicted from the page cache with POSIX_FADV_DONTNEED first);
#   - query latency p50/p99 over 100,000 random queries (goal: p99 < 20 us): cold (no parsed
#     version cached), raw wall clock, and each query's own cost (min of 3 runs), every answer
#     checked against evaluating all stored ranges (--check).
# Every step prints the load average; times are wall clock plus CPU (user+sys) where the tool
# gives it, because the machine is shared.
# usage: bench/db.sh [VULNDATA_DIR]   (default ../shared/vulndata)
# Env: CARGO_TARGET_DIR (default /var/tmp/wt-vulndb), QUERIES (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/vulndata}
QUERIES=${QUERIES:-100000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/wt-vulndb}
OUT=${BENCH_OUT:-/var/tmp/warden-db-bench}
mkdir -p "$OUT"
[ -d "$DATA" ] || { echo "db.sh: $DATA not found" >&2; exit 2; }

cargo build -q --release -p warden && cargo build -q --release -p warden-vulndb --features sqlite-bench --example dbbench
WARDEN=$CARGO_TARGET_DIR/release/warden
BENCH=$CARGO_TARGET_DIR/release/examples/dbbench

echo "== warden db build (all of $DATA); $(uptime)"
start=$(date +%s.%N)
/usr/bin/time -f "build: %e s wall, %U s user, %S s sys, %M KiB max RSS" \
  "$WARDEN" -q db build --from "$DATA" -o "$OUT/warden.db" --report "$OUT/build-report.json"
end=$(date +%s.%N)
size=$(stat -c %s "$OUT/warden.db")
advisories=$(python3 -c "import json;print(json.load(open('$OUT/build-report.json'))['metadata']['counts']['advisories'])")
vulns=$(python3 -c "import json;print(json.load(open('$OUT/build-report.json'))['metadata']['counts']['vulnerabilities'])")
python3 - "$start" "$end" "$size" "$advisories" "$vulns" <<'PY'
import sys
start, end, size, adv, vulns = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"build time: {end-start:.2f} s (CLI, wall clock)")
print(f"size: {size} bytes = {size/2**20:.2f} MiB for {adv} advisories / {vulns} vulnerabilities")
print(f"bytes per advisory: {size/adv:.0f}")
# Trivy's trivy.db (474 MB) and Grype's vulnerability.db (900 MB) hold their full feeds. Their
# advisory counts are not published with the files; the figures below use the order of
# magnitude both projects report (~ 300k advisories across OS and language feeds) and are
# labelled as estimates.
for name, mb, n in (("Trivy", 474e6, 300_000), ("Grype", 900e6, 300_000)):
    per = mb / n
    print(f"{name}: {mb/1e6:.0f} MB / ~{n} advisories = ~{per:.0f} bytes per advisory; pro rata for {adv} advisories: ~{per*adv/2**20:.1f} MiB (warden: {size/2**20:.2f} MiB)")
PY

echo "== cold open (file evicted from the page cache); $(uptime)"
evict() { python3 -c "import os;fd=os.open('$1',os.O_RDONLY);os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED);os.close(fd)"; }
for i in 1 2 3; do
  evict "$OUT/warden.db"
  # The whole CLI process (start-up, open, metadata, printing): an upper bound on the open.
  /usr/bin/time -f "warden db info (cold, whole process): %e s wall, %U s user, %S s sys, %M KiB max RSS" "$WARDEN" -q db info --db "$OUT/warden.db" >/dev/null
  evict "$OUT/warden.db"
  # Db::open alone, timed inside the process.
  "$BENCH" --db "$OUT/warden.db" --open-only
done

echo "== query latency and the SQLite comparison ($QUERIES random queries); $(uptime)"
/usr/bin/time -f "dbbench: %e s wall, %U s user, %S s sys" \
  "$BENCH" --from "$DATA" --out "$OUT/bench.db" --queries "$QUERIES" --sqlite --check
echo "== done; $(uptime)"
