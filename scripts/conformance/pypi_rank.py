"""Reference ordering for warden's range conformance test: Python `packaging` (PEP 440).

Reads "group<TAB>version" lines on stdin. For each group, sorts the distinct versions with
packaging.version.Version and prints "group<TAB>version<TAB>rank", where equal versions
(1.0 and 1.0.0) share a rank and ranks grow with the version; versions packaging rejects get
rank "E". The first output line is "#packaging<TAB><version of packaging>".
"""
import sys

import packaging
from packaging.version import InvalidVersion, Version

groups = {}
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    g, v = line.split("\t", 1)
    groups.setdefault(g, set()).add(v)

out = ["#packaging\t" + packaging.__version__]
for g in sorted(groups):
    valid = []
    for v in sorted(groups[g]):
        try:
            valid.append((Version(v), v))
        except InvalidVersion:
            out.append(f"{g}\t{v}\tE")
    valid.sort(key=lambda p: p[0])
    rank = -1
    prev = None
    for parsed, v in valid:
        if prev is None or parsed != prev:
            rank += 1
            prev = parsed
        out.append(f"{g}\t{v}\t{rank}")
print("\n".join(out))
