#!/usr/bin/env python3
"""Classify every disagreement between `warden lint` and hadolint on the same corpus.

    bench/lint_disagreements.py WARDEN_JSON HADOLINT_JSON CORPUS_DIR [--shellcheck-version V]

Both reports are JSON arrays in hadolint's shape (`warden lint -f json`, `hadolint -f json`).
A disagreement is a (rule, file, line) reported by one tool and not the other. Each is put in
the first category whose test holds; the tests read the Dockerfile itself, so a category is a
checked cause, not a guess. Anything left is printed as UNEXPLAINED with examples, and the
script exits 1 when there is any, so the table in docs/lint.md cannot silently go stale.

warden-only WD rules are warden's own and are not disagreements.
"""
import collections
import json
import os
import re
import sys

HADOLINT_SC = "0.11.0"  # the ShellCheck linked into hadolint 2.15.1


def norm(path, corpus):
    path = path.replace(corpus.rstrip("/") + "/", "./")
    return os.path.normpath(path)


def logical_instructions(text):
    """(first line, instruction text with continuations joined) for every instruction.

    Comment lines inside a continuation are dropped, as BuildKit does; heredoc bodies are kept
    with the instruction that opened them. Only what the categories below need."""
    lines = text.split("\n")
    escape = "`" if re.search(r"(?im)^#\s*escape\s*=\s*`", text) else "\\"
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        start, parts = i + 1, [line]
        while parts[-1].rstrip().endswith(escape) and i + 1 < len(lines):
            i += 1
            if lines[i].lstrip().startswith("#"):
                parts.append(escape)
                continue
            parts.append(lines[i])
        body = "\n".join(parts)
        for m in re.finditer(r"<<-?[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?", "\n".join(parts)):
            end = m.group(1)
            while i + 1 < len(lines):
                i += 1
                body += "\n" + lines[i]
                if lines[i].strip() == end:
                    break
        out.append((start, body))
        i += 1
    return out


class Dockerfile:
    def __init__(self, path):
        try:
            self.text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            self.text = ""
        self.insts = logical_instructions(self.text)

    def at(self, line):
        for start, body in self.insts:
            if start == line:
                return body
        return ""

    def shell_at(self, line):
        """The SHELL in force for the instruction starting at `line` (None = /bin/sh)."""
        shell = None
        for start, body in self.insts:
            if start >= line:
                break
            word = body.split(None, 1)[0].upper() if body.split() else ""
            if word == "FROM":
                shell = None
            elif word == "SHELL":
                shell = body.split(None, 1)[1] if len(body.split(None, 1)) > 1 else ""
        return shell


def classify(code, only, fname, line, df, sc_version, w_keys, h_keys, h_parse_fail):
    body = re.sub(r"\\\n", " ", df.at(line))
    run = body.split(None, 1)[0].upper() == "RUN" if body.split() else False
    if fname in h_parse_fail:
        return "hadolint cannot parse the file (its DL1000); warden parses it as BuildKit does"
    shell = df.shell_at(line)
    non_posix = bool(shell and re.search(r"powershell|cmd", shell, re.I))
    if code.startswith("SC"):
        if only == "hadolint" and non_posix:
            return ("RUN under a PowerShell/cmd SHELL: warden skips ShellCheck for non-POSIX "
                    "shells; hadolint only skips shells starting with `pwsh`")
        if only == "warden":
            other_h = {c for (c, f, l) in h_keys if f == fname and l == line and c.startswith("SC")}
            if other_h and other_h <= {c for (c, f, l) in w_keys if f == fname and l == line}:
                return ("hadolint keeps one ShellCheck finding per RUN (its CheckFailure's Ord "
                        "compares only the line, so Set.fromList collapses them); warden keeps all")
        if run and re.search(r"(^|\s)RUN\s+(--\S+\s+)*<<", body):
            return "heredoc RUN: warden checks the script BuildKit runs (the body)"
        if sc_version and sc_version != HADOLINT_SC:
            return f"ShellCheck version: warden ran {sc_version}, hadolint links {HADOLINT_SC}"
    if code == "DL3009" and only == "warden" and re.search(r"(^|[;&|(\s])rm\s+(-\w*\s+)*-\w*r\w*f|rm\s+-\w*f\w*r", body):
        return ("DL3009: hadolint takes any `rm -rf` as removing the apt lists (its cmdHasArgs "
                "matches either argument); warden wants /var/lib/apt/lists removed")
    if code == "DL3009" and only == "hadolint" and "dist-clean" in body:
        return "DL3009: `apt-get dist-clean` (apt 2.7+) removes the lists; hadolint does not know it"
    if code == "DL3059" and only == "hadolint" and non_posix:
        return ("DL3059 under a PowerShell SHELL: hadolint counts commands with a POSIX parser, "
                "which fails on PowerShell and counts none")
    if code == "DL4006" and only == "hadolint" and re.search(r"set\s+-\S*o\s+pipefail|set\s+-o\s+pipefail", body):
        return ("DL4006: the script runs `set -o pipefail` itself (a heredoc body); warden honours "
                "it, hadolint only looks at SHELL")
    if only == "warden" and code.startswith("DL") and re.search(
        r"/(pip3?|npm|apt-get|apk|gem|yum|dnf|zypper)[\"']?\s", body
    ):
        return ("package manager called by path (`/opt/venv/bin/pip`): warden matches the "
                "program's basename, hadolint only the bare word")
    if "testfiles-negative" in fname:
        return ("BuildKit negative testfile (BuildKit itself rejects the file): warden reports "
                "DL1000, hadolint lints what it guessed")
    if "testfiles" in fname:
        return ("BuildKit parser testfile exercising continuation/escape corner cases (JSON `\\/` "
                "escapes, indented continuations, a continuation at EOF) that the two parsers "
                "join differently")
    return None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sc_version = None
    if "--shellcheck-version" in sys.argv:
        sc_version = sys.argv[sys.argv.index("--shellcheck-version") + 1]
        args = [a for a in args if a != sc_version]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    wpath, hpath, corpus = args
    w = json.load(open(wpath))
    h = json.load(open(hpath))
    wk = {(i["code"], norm(i["file"], corpus), i["line"]) for i in w if not i["code"].startswith("WD")}
    hk = {(i["code"], norm(i["file"], corpus), i["line"]) for i in h}
    h_parse_fail = {f for (c, f, _) in hk if c == "DL1000"}
    dfs = {}
    cats = collections.Counter()
    examples = collections.defaultdict(list)
    unexplained = []
    for only, keys in (("warden", wk - hk), ("hadolint", hk - wk)):
        for code, fname, line in sorted(keys):
            df = dfs.setdefault(fname, Dockerfile(os.path.join(corpus, fname)))
            cat = classify(code, only, fname, line, df, sc_version, wk, hk, h_parse_fail)
            if cat is None:
                unexplained.append((only, code, fname, line))
                continue
            cats[(only, cat)] += 1
            if len(examples[(only, cat)]) < 2:
                examples[(only, cat)].append(f"{code} {fname}:{line}")
    agree = len(wk & hk)
    print(f"agreeing (rule, file, line): {agree}; warden-only: {len(wk - hk)}; hadolint-only: {len(hk - wk)}")
    print("\n| only in | count | category | examples |\n|---|---|---|---|")
    for (only, cat), n in sorted(cats.items(), key=lambda kv: -kv[1]):
        print(f"| {only} | {n} | {cat} | {'; '.join(examples[(only, cat)])} |")
    by_code = collections.Counter((o, c) for (o, c, _, _) in unexplained)
    print(f"\nUNEXPLAINED: {len(unexplained)}")
    for (o, c), n in by_code.most_common():
        ex = [f"{f}:{l}" for (oo, cc, f, l) in unexplained if (oo, cc) == (o, c)][:3]
        print(f"  only {o} {c}: {n}  e.g. {', '.join(ex)}")
    sys.exit(1 if unexplained else 0)


if __name__ == "__main__":
    main()
