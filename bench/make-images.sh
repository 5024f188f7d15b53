#!/usr/bin/env bash
# Builds the benchmark images as docker-archive tars under $BENCH_DIR (default /var/tmp/warden-bench):
#   debpy.tar    Debian 12 + Python, Java jars, node packages and a Go binary, from Debian's
#                archive (mmdebstrap) plus wheels from PyPI and packages from npm (~385 MB)
#   files1m.tar  one layer of 1,000,000 small files (1000 dirs x 1000 files, ~1 GB tar)
#   big.tar      a multi-GB image: four layers of 1 GiB each, incompressible data in 256 MiB files
# Needs: mmdebstrap, docker (running), python3/pip, npm for debpy; python3 only for the other two.
# Idempotent: existing tars are kept (delete one to rebuild it).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BENCH_DIR="${BENCH_DIR:-/var/tmp/warden-bench}"
mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"
export DOCKER_BUILDKIT=0

if [ ! -f debpy.tar ]; then
  if [ ! -f rootfs-debpy.tar ]; then
    mmdebstrap --variant=apt \
      --include=python3,python3-yaml,python3-requests,python3-jinja2,liblog4j2-java,libjackson2-databind-java,node-lodash,runc,ca-certificates \
      bookworm rootfs-debpy.tar http://deb.debian.org/debian
  fi
  rm -rf ctx-debpy && mkdir -p ctx-debpy/site ctx-debpy/app
  # Language packages that no OS package owns, as a pip/npm install in a Dockerfile would add.
  python3 -m pip install -q --no-deps --target ctx-debpy/site \
    'PyYAML==5.3.1' 'urllib3==1.26.5' 'Django==3.2.12' 'idna==2.10' 'certifi==2021.10.8' >/dev/null 2>&1 ||
    python3 -m pip install -q --no-deps --only-binary=:all: --target ctx-debpy/site 'urllib3==1.26.5' 'Django==3.2.12' 'idna==2.10' 'certifi==2021.10.8'
  (cd ctx-debpy/app && npm init -y >/dev/null && npm install --silent --no-audit --no-fund lodash@4.17.15 minimist@1.2.5 express@4.17.1 >/dev/null)
  docker import rootfs-debpy.tar warden-bench/debpy-base:1 >/dev/null
  cat > ctx-debpy/Dockerfile <<'DOCKERFILE'
FROM warden-bench/debpy-base:1
COPY site/ /usr/local/lib/python3.11/site-packages/
COPY app/ /app/
DOCKERFILE
  docker build --network none -q -t warden-bench/debpy:1 ctx-debpy >/dev/null
  docker save -o debpy.tar warden-bench/debpy:1
fi

# The two synthetic images are written directly as docker-save tars by bench/gen_image.py:
# going through `docker build` would first copy a million files (or 4 GiB) into a build context.
if [ ! -f files1m.tar ]; then
  python3 "$HERE/gen_image.py" files1m files1m.tar
fi

if [ ! -f big.tar ]; then
  python3 "$HERE/gen_image.py" big big.tar
fi
ls -la "$BENCH_DIR"/*.tar
