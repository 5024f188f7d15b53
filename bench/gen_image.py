#!/usr/bin/env python3
"""Writes a synthetic docker-archive tar (the `docker save` layout) without Docker.

usage:
  gen_image.py files1m OUT.tar [--dirs 1000 --files 1000]
      one layer of DIRS x FILES small files (1,000,000 by default)
  gen_image.py big OUT.tar [--layers 4 --blobs 4 --blob-mib 256]
      LAYERS layers, each of BLOBS incompressible files of BLOB_MIB MiB (4 GiB by default)

Building these through `docker build` means copying gigabytes (or a million files) into a build
context first, which takes longer than the benchmark itself; here each layer is streamed to a
temp file next to OUT while its diff ID is hashed, then appended to the archive, so the disk
holds at most one extra layer. The content is seeded, so the same arguments give the same tar
(same diff IDs, same image ID).
"""
import argparse
import hashlib
import io
import json
import os
import random
import sys
import tarfile
import tempfile

MTIME = 1_700_000_000  # fixed, for reproducible tars


class HashingWriter(io.RawIOBase):
    """A write-only file that hashes what passes through it."""

    def __init__(self, inner):
        self.inner = inner
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, b):
        self.sha.update(b)
        self.size += len(b)
        return self.inner.write(b)


def tarinfo(name, size=0, kind=tarfile.REGTYPE, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size = size
    ti.type = kind
    ti.mode = mode
    ti.mtime = MTIME
    ti.uname = ti.gname = "root"
    return ti


def write_layer(out_dir, fill):
    """Streams one layer tar through `fill(tarfile)` into a temp file; returns (path, diff_id, size)."""
    fd, path = tempfile.mkstemp(dir=out_dir, suffix=".layer")
    with os.fdopen(fd, "wb") as raw:
        hw = HashingWriter(raw)
        with tarfile.open(fileobj=hw, mode="w|", format=tarfile.PAX_FORMAT) as tf:
            fill(tf)
        hw.flush()
    return path, "sha256:" + hw.sha.hexdigest(), hw.size


def fill_files(dirs, files):
    def fill(tf):
        tf.addfile(tarinfo("data/", kind=tarfile.DIRTYPE, mode=0o755))
        for d in range(dirs):
            tf.addfile(tarinfo(f"data/d{d:04}/", kind=tarfile.DIRTYPE, mode=0o755))
            for f in range(files):
                body = f"{d}/{f}\n".encode()
                tf.addfile(tarinfo(f"data/d{d:04}/f{f:04}.txt", len(body)), io.BytesIO(body))
    return fill


class RandomReader(io.RawIOBase):
    """`size` seeded pseudo-random (incompressible) bytes."""

    def __init__(self, seed, size):
        self.rng = random.Random(seed)
        self.left = size

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left, 1 << 20)
        if n == 0:
            return 0
        b[:n] = self.rng.randbytes(n)
        self.left -= n
        return n


def fill_blobs(layer, blobs, blob_bytes):
    def fill(tf):
        tf.addfile(tarinfo("data/", kind=tarfile.DIRTYPE, mode=0o755))
        tf.addfile(tarinfo(f"data/l{layer}/", kind=tarfile.DIRTYPE, mode=0o755))
        for j in range(blobs):
            tf.addfile(tarinfo(f"data/l{layer}/blob{j}.bin", blob_bytes),
                       io.BufferedReader(RandomReader(f"{layer}/{j}", blob_bytes), 1 << 20))
    return fill


def write_archive(out, tag, layer_fills):
    out_dir = os.path.dirname(os.path.abspath(out)) or "."
    tmp_out = out + ".part"
    diff_ids, layer_names = [], []
    with tarfile.open(tmp_out, "w", format=tarfile.PAX_FORMAT) as archive:
        for i, fill in enumerate(layer_fills):
            path, diff_id, size = write_layer(out_dir, fill)
            try:
                name = f"{diff_id[len('sha256:'):]}/layer.tar"
                archive.addfile(tarinfo(name.split("/")[0] + "/", kind=tarfile.DIRTYPE, mode=0o755))
                with open(path, "rb") as f:
                    archive.addfile(tarinfo(name, size), f)
            finally:
                os.unlink(path)
            diff_ids.append(diff_id)
            layer_names.append(name)
            print(f"layer {i + 1}/{len(layer_fills)}: {diff_id} ({size} bytes)", file=sys.stderr)
        config = json.dumps({
            "architecture": "amd64",
            "os": "linux",
            "created": "2023-11-14T22:13:20Z",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "bench/gen_image.py"}
                        for _ in diff_ids],
        }, sort_keys=True, separators=(",", ":")).encode()
        config_name = hashlib.sha256(config).hexdigest() + ".json"
        archive.addfile(tarinfo(config_name, len(config)), io.BytesIO(config))
        manifest = json.dumps([{"Config": config_name, "RepoTags": [tag], "Layers": layer_names}]).encode()
        archive.addfile(tarinfo("manifest.json", len(manifest)), io.BytesIO(manifest))
    os.replace(tmp_out, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=["files1m", "big"])
    ap.add_argument("out")
    ap.add_argument("--dirs", type=int, default=1000)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--blobs", type=int, default=4)
    ap.add_argument("--blob-mib", type=int, default=256)
    a = ap.parse_args()
    if a.kind == "files1m":
        fills = [fill_files(a.dirs, a.files)]
        tag = "warden-bench/files1m:1"
    else:
        fills = [fill_blobs(i + 1, a.blobs, a.blob_mib << 20) for i in range(a.layers)]
        tag = "warden-bench/big:1"
    write_archive(a.out, tag, fills)


if __name__ == "__main__":
    main()
