#!/usr/bin/env bash
# Fleet query benchmark: index N image SBOMs (default 1000) and time "which images contain
# log4j-core < 2.17?" with hyperfine, process start included.
#   bench/fleet.sh            WARDEN=path/to/warden N=1000 OUT=/var/tmp/warden-fleet
# Half the SBOMs are the bundled demo image (log4j-core at one of 8 versions, 4 of them < 2.17),
# half the debpy bench image (bench/make-images.sh), each under its own image ID and name, so
# about N/4 images (252 of 1000) must be listed.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
OUT=${OUT:-/var/tmp/warden-fleet}
WARDEN=${WARDEN:-${CARGO_TARGET_DIR:-target}/release/warden}
BENCH_DIR=${BENCH_DIR:-/var/tmp/warden-bench}
command -v hyperfine >/dev/null || { echo "SKIP: hyperfine is not installed"; exit 0; }
[ -x "$WARDEN" ] || cargo build --release --locked -p warden
[ -f "$BENCH_DIR/debpy.tar" ] || bash bench/make-images.sh >/dev/null
rm -rf "$OUT" && mkdir -p "$OUT/sboms"
"$WARDEN" -q sbom -o "$OUT/demo.cdx.json" docker-archive:examples/demo-image.tar
"$WARDEN" -q sbom -o "$OUT/debpy.cdx.json" "docker-archive:$BENCH_DIR/debpy.tar"
python3 - "$OUT" "$N" <<'PY'
import copy, hashlib, json, sys
out, n = sys.argv[1], int(sys.argv[2])
bases = [json.load(open(f"{out}/demo.cdx.json")), json.load(open(f"{out}/debpy.cdx.json"))]
versions = ["2.12.1", "2.14.1", "2.15.0", "2.16.0", "2.17.0", "2.17.1", "2.19.0", "2.20.0"]
for i in range(n):
    d = copy.deepcopy(bases[i % 2])
    dig = "sha256:" + hashlib.sha256(str(i).encode()).hexdigest()
    name = f"registry.local/team{i % 37}/svc{i}:1"
    m = d["metadata"]["component"]
    m["bom-ref"], m["version"], m["name"] = "image:" + dig, dig, name
    for p in m.get("properties", []):
        if p["name"] == "warden:image:id":
            p["value"] = dig
        if p["name"] in ("warden:image:tag", "warden:image:reference"):
            p["value"] = name
    if i % 2 == 0:
        v = versions[(i // 2) % len(versions)]
        for c in d.get("components", []):
            if c.get("name") == "log4j-core":
                c["purl"] = c["purl"].replace("@" + c["version"], "@" + v)
                c["version"] = v
    json.dump(d, open(f"{out}/sboms/{i:05d}.cdx.json", "w"))
PY
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$WARDEN" --version)"
/usr/bin/time -f "index add $N SBOMs: %e s wall, %M KB max RSS" \
  "$WARDEN" -q sbom index add --index "$OUT/fleet.db" "$OUT"/sboms/*.json
echo "index size: $(stat -c %s "$OUT/fleet.db") bytes"
"$WARDEN" sbom query --index "$OUT/fleet.db" 'log4j-core<2.17' | tail -n 1
hyperfine -N --warmup 3 --runs 30 --style basic \
  -n 'log4j-core<2.17' "$WARDEN sbom query --index $OUT/fleet.db log4j-core<2.17 --format json" \
  -n 'pkg:pypi/pyyaml@<6' "$WARDEN sbom query --index $OUT/fleet.db pkg:pypi/pyyaml@<6 --format json" \
  2>&1 | grep -E 'Benchmark|Time|Range'
