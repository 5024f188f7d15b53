"""Reference for warden-version's PEP 440 differential test: Python `packaging`.

Reads "a<TAB>b" lines on stdin. Mode `compare`: prints -1, 0, 1, or E when either is not a
valid version. Mode `specifier`: a is a version, b a specifier set; prints T, F or E, or O
when packaging's own answer depends on set iteration order.
"""
import sys

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

mode = sys.argv[1]
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    a, b = line.split("\t", 1)
    try:
        if mode == "compare":
            x, y = Version(a), Version(b)
            out.append(str((x > y) - (x < y)))
        else:
            spec_set = SpecifierSet(b)
            # SpecifierSet.prereleases asks its specifiers in frozenset order, which varies
            # between runs; when one raises and another opts in, the answer depends on that
            # order, so report it as order-dependent ("O") instead of a value
            flags = []
            for spec in spec_set:
                try:
                    flags.append(spec.prereleases)
                except InvalidVersion:
                    flags.append(None)
            if None in flags and True in flags:
                out.append("O")
            else:
                out.append("T" if spec_set.contains(Version(a)) else "F")
    except (InvalidVersion, InvalidSpecifier):
        out.append("E")
print("\n".join(out))
