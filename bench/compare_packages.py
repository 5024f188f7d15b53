#!/usr/bin/env python3
"""Compares the package sets (name + version) that warden, syft and trivy report for one image.

usage: compare_packages.py WARDEN_INVENTORY.json SYFT.json TRIVY.json [--image DOCKER_ARCHIVE.tar] [--full]

Names are compared the way each ecosystem compares them: PyPI names after PEP 503
normalisation (`PyYAML` = `pyyaml`), Maven packages by artifact ID + version (the group ID is a
guess when a jar has no pom.properties, and the tools guess differently: those differences are
listed separately, with the group each tool chose).

With --image, every package only a peer reports is labelled with the evidence the image holds:
`dpkg-owned` when a Debian package's file list (`/var/lib/dpkg/info/*.list`, any layer) names the
file the package was found in, which is Trivy's rule for dropping a language package, and
`root project manifest` for a package.json outside node_modules that `package-lock.json` lists
as the root project (the application itself, not an installed dependency).
"""
import argparse
import io
import json
import re
import tarfile
from collections import defaultdict


def norm_name(eco, name):
    if eco in ("pypi", "python"):
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


def eco_of(kind):
    """Syft's artifact types (and Trivy's purl types) in warden's ecosystem names."""
    return {
        "python": "pypi",
        "java-archive": "maven",
        "go-module": "golang",
        "node-pkg": "npm",
        "rust-crate": "cargo",  # syft
        "rustbinary": "cargo",  # trivy's purl type for crates found in a binary
        "binary": "generic",  # syft's binary classifiers; warden's are `generic` too
    }.get(kind, kind)


def key(eco, name, version):
    """(ecosystem, comparable name, version). Maven: the artifact ID only."""
    if eco == "maven":
        name = name.split(":")[-1]
    if eco == "golang" and name == "stdlib":
        # The Go toolchain: syft writes `go1.19.8`, warden and trivy `v1.19.8`.
        version = "v" + version.removeprefix("go").removeprefix("v")
    return (eco, norm_name(eco, name), version)


def warden(path):
    inv = json.load(open(path))
    out = {}
    for p in inv["packages"]:
        eco = p["ecosystem"]
        group = p["name"].rsplit(":", 1)[0] if eco == "maven" and ":" in p["name"] else ""
        loc = p.get("locations", [{}])[0].get("path", "")
        out.setdefault(key(eco, p["name"], p["version"]), []).append((p["name"], group, loc))
    return out


def syft(path):
    doc = json.load(open(path))
    out = {}
    for a in doc.get("artifacts", []):
        eco = eco_of(a.get("type", ""))
        name, group = a["name"], ""
        purl = a.get("purl", "")
        if purl.startswith("pkg:maven/"):
            group = purl[len("pkg:maven/"):].split("@")[0].rsplit("/", 1)[0]
            name = f"{group}:{a['name']}"
        loc = (a.get("locations") or [{}])[0].get("path", "")
        out.setdefault(key(eco, name, a["version"]), []).append((name, group, loc))
    return out


def trivy(path):
    """Trivy's CycloneDX output (its JSON lists packages only when a vulnerability DB exists)."""
    doc = json.load(open(path))
    out = {}
    for c in doc.get("components", []) or []:
        purl = c.get("purl", "")
        if not purl:
            continue  # the operating-system component
        eco = eco_of(purl[4:].split("/")[0])
        if eco == "none":
            # Trivy found a dpkg database but no /etc/os-release (distroless status.d images), and
            # then writes `pkg:none/...` for the Debian packages; they are deb packages.
            eco = "deb"
        name, group = c["name"], c.get("group", "")
        if eco == "maven" and group:
            name = f"{group}:{name}"
        elif eco == "npm" and group:
            name = f"{group}/{name}"
        version = c.get("version", "")
        if eco == "deb" and "epoch=" in purl and ":" not in version:
            # Trivy's purl keeps the epoch as a qualifier; warden and syft keep it in the version.
            version = f"{purl.split('epoch=')[1].split('&')[0]}:{version}"
        loc = next((p["value"] for p in c.get("properties", []) if p["name"] == "aquasecurity:trivy:FilePath"), "")
        if loc and not loc.startswith("/"):
            loc = "/" + loc
        out.setdefault(key(eco, name, version), []).append((name, group, loc))
    return out


def image_evidence(path):
    """(dpkg-owned paths, root project manifests) from every layer of a docker-archive."""
    owned, roots = set(), set()
    with tarfile.open(path) as outer:
        for member in outer.getmembers():
            if not (member.isfile() and (member.name.endswith("layer.tar") or "/blobs/sha256/" in "/" + member.name)):
                continue
            f = outer.extractfile(member)
            try:
                layer = tarfile.open(fileobj=f, mode="r|*")
                for m in layer:
                    name = "/" + m.name.lstrip("./")
                    if not m.isfile():
                        continue
                    if name.startswith("/var/lib/dpkg/info/") and name.endswith(".list"):
                        owned.update(line.strip() for line in layer.extractfile(m).read().decode().splitlines())
                    elif name.endswith("/package-lock.json") and "/node_modules/" not in name:
                        try:
                            lock = json.load(io.BytesIO(layer.extractfile(m).read()))
                        except ValueError:
                            continue
                        if "" in lock.get("packages", {}):
                            roots.add(name.rsplit("/", 1)[0] + "/package.json")
            except tarfile.ReadError:
                continue  # the config blob or another non-layer member
    return owned, roots


def label(loc, evidence, other_at=None):
    """Why a package one tool reports is missing from the other's list."""
    if other_at and loc in other_at:
        return "same file, named " + ", ".join(sorted(other_at[loc]))
    if evidence is None:
        return ""
    owned, roots = evidence
    if loc.split("!/")[0] in owned:
        return "dpkg-owned"
    if loc in roots:
        return "root project manifest"
    return "UNEXPLAINED"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("warden")
    ap.add_argument("syft")
    ap.add_argument("trivy")
    ap.add_argument("--image", help="the docker-archive the SBOMs describe (labels each peer-only package)")
    ap.add_argument("--full", action="store_true", help="list every package, not the first 8 per group")
    a = ap.parse_args()
    w, s, t = warden(a.warden), syft(a.syft), trivy(a.trivy)
    evidence = image_evidence(a.image) if a.image else None
    limit = None if a.full else 8
    print(f"packages (distinct ecosystem+name+version): warden={len(w)} syft={len(s)} trivy={len(t)}")
    unexplained = 0
    w_at = defaultdict(set)
    for k, found in w.items():
        for name, _, loc in found:
            w_at[loc].add(f"{name}@{k[2]}")
    for peer_name, peer in (("syft", s), ("trivy", t)):
        peer_at = defaultdict(set)
        for k, found in peer.items():
            for name, _, loc in found:
                peer_at[loc].add(f"{name}@{k[2]}")
        both = set(w) & set(peer)
        only_peer, only_w = set(peer) - set(w), set(w) - set(peer)
        print(f"agreement with {peer_name}: {len(both)} common, {len(only_peer)} only {peer_name}, {len(only_w)} only warden")
        groups = defaultdict(list)
        for k in sorted(only_peer):
            for name, _, loc in peer[k][:1]:
                why = label(loc, evidence, w_at)
                unexplained += why == "UNEXPLAINED"
                groups[(k[0], why)].append(f"{name}@{k[2]}")
        for (eco, why), items in sorted(groups.items()):
            shown = items[:limit]
            more = f" (+{len(items) - len(shown)} more)" if len(shown) < len(items) else ""
            tag = f" ({why})" if why else ""
            print(f"  only {peer_name} [{eco}]{tag} {len(items)}: {', '.join(shown)}{more}")
        groups = defaultdict(list)
        for k in sorted(only_w):
            name, _, loc = w[k][0]
            why = label(loc, evidence, peer_at)
            if why == "UNEXPLAINED":
                why = ""  # a package the peer misses needs no excuse from warden's side
            groups[(k[0], why)].append(f"{name}@{k[2]}")
        for (eco, why), items in sorted(groups.items()):
            shown = items[:limit]
            more = f" (+{len(items) - len(shown)} more)" if len(shown) < len(items) else ""
            tag = f" ({why})" if why else ""
            print(f"  only warden [{eco}]{tag} {len(items)}: {', '.join(shown)}{more}")
        for k in sorted(both):
            if k[0] != "maven":
                continue
            wg = sorted({g for _, g, _ in w[k]})
            pg = sorted({g for _, g, _ in peer[k]})
            if wg != pg:
                print(f"  maven group differs for {k[1]}@{k[2]}: warden {wg or ['(none)']}, {peer_name} {pg or ['(none)']}")
    if evidence is not None:
        print(f"peer-only packages without an explanation from the image: {unexplained}")


if __name__ == "__main__":
    main()
