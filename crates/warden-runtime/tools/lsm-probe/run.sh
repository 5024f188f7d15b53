#!/usr/bin/env bash
# Can this kernel run the trampoline-based programs (BPF LSM, fentry) that would spare the
# sensor the sys_exit hook? Loads a minimal program of each type plus a tp_btf/sys_exit
# control, and prints whether it loads and attaches and whether the verifier ran.
#
#   tools/lsm-probe/run.sh        (root; clang, libbpf-dev; run from crates/warden-runtime)
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=tools/lsm-probe
uname -r
cat /sys/kernel/security/lsm 2>/dev/null && echo || echo "securityfs not mounted"
cat /sys/kernel/security/lockdown 2>/dev/null || true
cc -O2 -o "$tmp/probe" "$here/probe.c" -lbpf
for n in 1 2 3 4 5 6; do
  clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -DPROG=$n -Isrc/bpf/vmlinux/x86_64 \
    -c "$here/probe.bpf.c" -o "$tmp/p$n.o"
  "$tmp/probe" "$tmp/p$n.o"
done
