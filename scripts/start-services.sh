#!/usr/bin/env bash
# Starts the Docker engine the tests use, if it is not already answering. Tests that need a
# registry start their own docker-registry on 127.0.0.1.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "start-services.sh: dockerd not found; run scripts/setup.sh first" >&2
  exit 1
fi
# No bridge and no iptables: test containers use --network none or --network host only.
nohup dockerd --bridge=none --iptables=false >/var/log/warden-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "start-services.sh: dockerd is up"
    exit 0
  fi
  sleep 1
done
echo "start-services.sh: dockerd did not start; see /var/log/warden-dockerd.log" >&2
tail -20 /var/log/warden-dockerd.log >&2 || true
exit 1
