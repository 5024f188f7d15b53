#!/usr/bin/env bash
# Scan benchmark: `warden scan IMAGE` (image -> JSON report, warm page cache) against
# `warden sbom IMAGE` alone on the same docker-archive tars, with hyperfine. The difference is
# what matching, the policy and the report cost on top of cataloguing.
#   bench/scan.sh                          debpy (bench/make-images.sh) and examples/demo-image.tar
#   RUNS=5 bench/scan.sh path/to/img.tar   other docker-archive tars
# The database is built once from ../shared/vulndata (the whole advisory set) into $OUT_DIR.
# Goals (issue 4): scan adds < 20% over sbom time; a whole scan of a ~150 MB Debian+Python image
# takes < 1 s on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR="${BENCH_DIR:-/var/tmp/warden-bench}"
RUNS="${RUNS:-10}"
VULNDATA="${VULNDATA:-$(pwd)/../shared/vulndata}"
OUT_DIR="${OUT_DIR:-$BENCH_DIR/scan}"
TARGET_DIR="${CARGO_TARGET_DIR:-$(pwd)/target}"
WARDEN="${WARDEN:-$TARGET_DIR/release/warden}"

if ! command -v hyperfine >/dev/null; then
  echo "SKIP: hyperfine is not installed (apt-get install hyperfine)" >&2
  exit 0
fi
if [ ! -d "$VULNDATA" ]; then
  echo "SKIP: no advisory data at $VULNDATA (set VULNDATA=...)" >&2
  exit 0
fi
if [ ! -x "$WARDEN" ]; then
  cargo build --release --locked -p warden
fi

images=("$@")
if [ "${#images[@]}" -eq 0 ]; then
  [ -f "$BENCH_DIR/debpy.tar" ] || bash bench/make-images.sh >/dev/null
  images=("$BENCH_DIR/debpy.tar" "$(pwd)/examples/demo-image.tar")
fi

mkdir -p "$OUT_DIR"
DB="$OUT_DIR/warden.db"
if [ ! -f "$DB" ]; then
  "$WARDEN" db build --from "$VULNDATA" -o "$DB" >/dev/null
fi
echo "database: $DB ($(stat -c %s "$DB") bytes)"
echo "warden: $WARDEN ($("$WARDEN" --version))"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

for img in "${images[@]}"; do
  name=$(basename "$img" .tar)
  size=$(du -m "$img" | cut -f1)
  echo
  echo "== $name ($size MB docker-archive)"
  # One report for the record: packages, findings, counts.
  "$WARDEN" -q scan "docker-archive:$img" --db "$DB" --format json -o "$OUT_DIR/$name.scan.json" || true
  python3 - "$OUT_DIR/$name.scan.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
print(f"packages {r['packages_scanned']}, findings {s['total']} (active {s['active']}, fixable {s['fixable']}), "
      + ", ".join(f"{k} {v['active']}" for k, v in s["by_severity"].items() if v["active"]))
PY
  hyperfine --warmup 2 --runs "$RUNS" --style basic --export-json "$OUT_DIR/$name.hyperfine.json" \
    -n "sbom" "$WARDEN -q sbom docker-archive:$img --format json -o /dev/null" \
    -n "scan" "$WARDEN -q scan docker-archive:$img --db $DB --format json -o /dev/null"
  python3 - "$OUT_DIR/$name.hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
sb, sc = r["sbom"], r["scan"]
print(f"sbom  mean {sb['mean']*1000:8.1f} ms  median {sb['median']*1000:8.1f} ms  (+-{sb['stddev']*1000:.1f})")
print(f"scan  mean {sc['mean']*1000:8.1f} ms  median {sc['median']*1000:8.1f} ms  (+-{sc['stddev']*1000:.1f})")
print(f"scan/sbom = {sc['median']/sb['median']:.3f} (goal < 1.20); matching+report adds {(sc['median']-sb['median'])*1000:.1f} ms")
PY
done
