#!/usr/bin/env bash
# What blame costs a directory scan inside a work tree: whole-process timing of
#   blame      keytrace scan REPO                (findings blamed: commit, author per line)
#   no-blame   keytrace scan REPO --no-blame
#   no-git     keytrace scan COPY                (the same files, copied without .git)
# Usage: bench/blame.sh REPO [RUNS]     (RUNS per variant, default 5; the median is printed)
# KEYTRACE=path/to/keytrace compares another build (e.g. an older one); default: a release
# build of this checkout. BLAME_ARGS adds scan flags (e.g. "--confidence low" blames more).
# Prints per variant: median wall seconds, median CPU seconds (user+sys: steadier than wall on
# a loaded machine), findings, and findings that carry a commit. Needs GNU time (/usr/bin/time).
set -euo pipefail
repo=$(realpath "${1:?usage: bench/blame.sh REPO [RUNS]}")
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${KEYTRACE:-}" ]; then
  (cd "$here" && cargo build --release -q)
  KEYTRACE="$here/target/release/keytrace"
fi
[ -d "$repo/.git" ] || { echo "$repo: not a git work tree" >&2; exit 2; }
read -r -a extra <<< "${BLAME_ARGS:-}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy="$work/$(basename "$repo")"
mkdir -p "$copy"
tar -C "$repo" --exclude=./.git -cf - . | tar -C "$copy" -xf -

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

measure() { # name, target, extra flags...
  local name=$1 target=$2; shift 2
  local walls=() cpus=()
  for _ in $(seq "$runs"); do
    rm -f "$work/$name.json"
    /usr/bin/time -f '%e %U %S' -o "$work/time" \
      "$KEYTRACE" scan "$target" "${extra[@]}" "$@" -f json -o "$work/$name.json" \
      2>/dev/null || true
    read -r wall user sys < <(tail -n 1 "$work/time")
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
  done
  local counts
  counts=$(python3 - "$work/$name.json" <<'PY'
import json, sys
try:
    fs = json.load(open(sys.argv[1]))["findings"]
    print(len(fs), sum(1 for f in fs if "commit" in f))
except Exception:
    print("? ?")
PY
)
  read -r n blamed <<< "$counts"
  printf '%-9s wall %6.2fs  cpu %6.2fs  findings %3s  with commit %3s\n' "$name" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)" \
    "$n" "$blamed"
}

echo "$repo: $(git -C "$repo" rev-list --count HEAD) commits, $(git -C "$repo" ls-files | wc -l) files; $runs runs each; $KEYTRACE ${BLAME_ARGS:-}"
measure blame "$repo"
measure no-blame "$repo" --no-blame
measure no-git "$copy"
