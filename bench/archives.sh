#!/usr/bin/env bash
# What archive handling costs a directory scan of real artifacts: a directory holding a
# `pip download` of a few wheels (zip) and `.crate` files (tar.gz) from the cargo registry
# cache, scanned
#   archives      keytrace scan DIR                          (entries of every archive read)
#   no-archives   keytrace scan DIR --archive-max-depth 0    (archives skipped as binary)
# with `/usr/bin/time -v`. Usage: bench/archives.sh [RUNS]   (default 3; the median is printed)
# KEYTRACE=path/to/keytrace picks the binary (default: a release build of this checkout).
# WHEELS overrides the packages downloaded; CRATES the number of .crate files copied (default
# 20, the largest ones in ~/.cargo/registry/cache). Prints per variant: median wall seconds,
# median CPU seconds (user+sys), peak RSS (KiB), blobs and bytes scanned, archives opened,
# archive entries read, and findings (at --confidence low).
set -euo pipefail
runs=${1:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${KEYTRACE:-}" ]; then
  (cd "$here" && cargo build --release -q)
  KEYTRACE="$here/target/release/keytrace"
fi
wheels=${WHEELS:-"requests urllib3 idna certifi charset-normalizer six packaging setuptools"}
crates=${CRATES:-20}

work=$(mktemp -d /tmp/keytrace-bench-archives.XXXXXX)
trap 'rm -rf "$work"' EXIT
corpus="$work/artifacts"
mkdir -p "$corpus/wheels" "$corpus/crates"
# shellcheck disable=SC2086
pip download -q --no-deps --only-binary=:all: -d "$corpus/wheels" $wheels >&2
find "$HOME"/.cargo/registry/cache -name '*.crate' -printf '%s %p\n' 2>/dev/null \
  | sort -rn | head -n "$crates" | cut -d' ' -f2- \
  | while read -r f; do cp "$f" "$corpus/crates/"; done
echo "corpus: $(find "$corpus" -type f | wc -l) files, $(du -sh "$corpus" | cut -f1)" \
  "($(ls "$corpus/wheels" | wc -l) wheels, $(ls "$corpus/crates" | wc -l) crates)"

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

measure() { # name, extra flags...
  local name=$1; shift
  local walls=() cpus=() rss=()
  for _ in $(seq "$runs"); do
    rm -f "$work/$name.json"
    /usr/bin/time -v -o "$work/time" \
      "$KEYTRACE" scan "$corpus" --confidence low --no-blame "$@" -f json -o "$work/$name.json" \
      2>/dev/null || true
    walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
      for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/time")")
    cpus+=("$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$work/time")")
    rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")")
  done
  python3 - "$work/$name.json" "$name" \
    "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" \
    "$(printf '%s\n' "${rss[@]}" | median)" <<'PY'
import json, sys
path, name, wall, cpu, rss = sys.argv[1:]
r = json.load(open(path))
c = r["coverage"]
print(f"{name:12} wall {float(wall):6.2f}s  cpu {float(cpu):6.2f}s  rss {int(float(rss)):7d} KiB  "
      f"blobs {c.get('blobs_scanned', 0):6}  bytes {c.get('bytes_scanned', 0):10}  "
      f"archives {c.get('archives_opened', 0):4}  entries {c.get('archive_entries', 0):6}  "
      f"findings {len(r['findings'])}")
PY
}

"$KEYTRACE" --version
measure archives
measure no-archives --archive-max-depth 0
