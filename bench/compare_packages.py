#!/usr/bin/env python3
"""Compares the package sets (name + version) that warden, syft and trivy report for one image.

usage: compare_packages.py WARDEN_INVENTORY.json SYFT.json TRIVY.json

Prints counts and every package one tool finds and another does not, grouped by package type,
so each disagreement can be explained in docs/benchmarks.md.
"""
import json
import sys
from collections import defaultdict


def warden(path):
    inv = json.load(open(path))
    return {(p["name"], p["version"]): p["ecosystem"] for p in inv["packages"]}


def syft(path):
    doc = json.load(open(path))
    out = {}
    for a in doc.get("artifacts", []):
        name = a["name"]
        purl = a.get("purl", "")
        # Syft names Maven packages by artifact only; warden uses group:artifact.
        if purl.startswith("pkg:maven/"):
            ns = purl[len("pkg:maven/"):].split("@")[0]
            name = ns.replace("/", ":")
        out[(name, a["version"])] = a.get("type", "")
    return out


def trivy(path):
    """Trivy's CycloneDX output (its JSON lists packages only when a vulnerability DB exists)."""
    doc = json.load(open(path))
    out = {}
    for c in doc.get("components", []) or []:
        purl = c.get("purl", "")
        if not purl:
            continue  # the operating-system component
        typ = purl[4:].split("/")[0]
        name = c["name"]
        if typ == "maven" and c.get("group"):
            name = f'{c["group"]}:{name}'
        elif typ == "npm" and c.get("group"):
            name = f'{c["group"]}/{name}'
        version = c.get("version", "")
        if typ == "deb":
            # Trivy's purl keeps the epoch as a qualifier; warden and syft keep it in the version.
            if "epoch=" in purl:
                epoch = purl.split("epoch=")[1].split("&")[0]
                version = f"{epoch}:{version}"
        out[(name, version)] = typ
    return out


def main():
    w, s, t = warden(sys.argv[1]), syft(sys.argv[2]), trivy(sys.argv[3])
    print(f"packages: warden={len(w)} syft={len(s)} trivy={len(t)}")
    for peer_name, peer in (("syft", s), ("trivy", t)):
        both = set(w) & set(peer)
        print(f"agreement with {peer_name}: {len(both)} common, "
              f"{len(set(peer) - set(w))} only {peer_name}, {len(set(w) - set(peer))} only warden")
        for label, keys, src in ((f"only {peer_name}", set(peer) - set(w), peer),
                                 ("only warden", set(w) - set(peer), w)):
            groups = defaultdict(list)
            for k in sorted(keys):
                groups[src[k]].append(f"{k[0]}@{k[1]}")
            for typ in sorted(groups):
                items = groups[typ]
                more = f" (+{len(items) - 8} more)" if len(items) > 8 else ""
                print(f"  {label} [{typ}] {len(items)}: {', '.join(items[:8])}{more}")


if __name__ == "__main__":
    main()
