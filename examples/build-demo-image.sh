#!/usr/bin/env bash
# Rebuilds examples/demo-image.tar (the bundled image the README's quick start reads) from the
# repo's test fixtures with the local Docker engine. No network: FROM scratch, busybox-static.
set -euo pipefail
cd "$(dirname "$0")/.."
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp -a crates/warden/tests/fixtures/image "$ctx/root"
cp /bin/busybox "$ctx/busybox"
mkdir "$ctx/bins"
cp crates/warden-catalog/tests/fixtures/go/wardenhello crates/warden-catalog/tests/fixtures/rust/wardenaud "$ctx/bins/"
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
COPY root/etc/ /etc/
COPY root/usr/lib/os-release /usr/lib/os-release
COPY root/var/ /var/
COPY root/usr/lib/python3/ /usr/lib/python3/
COPY root/usr/local/ /usr/local/
COPY root/app/ /app/
COPY bins/ /opt/bin/
RUN ["/bin/busybox", "rm", "-rf", "/usr/local/lib/python3.11/site-packages/requests-2.25.0.dist-info"]
USER 65534
LABEL org.opencontainers.image.title="warden demo" org.opencontainers.image.source="examples/demo-image"
DOCKERFILE
DOCKER_BUILDKIT=0 docker build --network none -q -t warden/demo:1 "$ctx" >/dev/null
docker save warden/demo:1 -o examples/demo-image.tar
chmod 644 examples/demo-image.tar
echo "wrote examples/demo-image.tar"
