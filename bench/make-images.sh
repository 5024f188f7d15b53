#!/usr/bin/env bash
# Builds the benchmark images as docker-archive tars under $BENCH_DIR (default /var/tmp/warden-bench):
#   debpy.tar    Debian 12 + Python, Java jars, node packages and a Go binary, from Debian's
#                archive (mmdebstrap) plus wheels from PyPI and packages from npm  (~250 MB)
#   files1m.tar  one layer of 1,000,000 small files
#   big.tar      a multi-GB image: four layers of 1 GiB of random-ish data in large files
# Needs: mmdebstrap, docker (running), python3/pip, npm. Idempotent: existing tars are kept.
set -euo pipefail
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

if [ ! -f files1m.tar ]; then
  rm -rf ctx-1m && mkdir -p ctx-1m/tree
  python3 - <<'PY'
import os
root = "ctx-1m/tree"
for d in range(1000):
    dp = os.path.join(root, f"d{d:04}")
    os.mkdir(dp)
    for f in range(1000):
        with open(os.path.join(dp, f"f{f:04}.txt"), "w") as fh:
            fh.write(f"{d}/{f}\n")
PY
  printf 'FROM scratch\nCOPY tree/ /data/\n' > ctx-1m/Dockerfile
  docker build --network none -q -t warden-bench/files1m:1 ctx-1m >/dev/null
  docker save -o files1m.tar warden-bench/files1m:1
  rm -rf ctx-1m
fi

if [ ! -f big.tar ]; then
  rm -rf ctx-big && mkdir -p ctx-big
  for i in 1 2 3 4; do
    mkdir -p "ctx-big/l$i"
    # Incompressible-ish data so the layers are really gigabytes on disk and in the tar.
    for j in 1 2 3 4; do
      head -c 268435456 /dev/urandom > "ctx-big/l$i/blob$j.bin"
    done
  done
  printf 'FROM scratch\nCOPY l1/ /data/l1/\nCOPY l2/ /data/l2/\nCOPY l3/ /data/l3/\nCOPY l4/ /data/l4/\n' > ctx-big/Dockerfile
  docker build --network none -q -t warden-bench/big:1 ctx-big >/dev/null
  docker save -o big.tar warden-bench/big:1
  rm -rf ctx-big
fi
ls -la "$BENCH_DIR"/*.tar
