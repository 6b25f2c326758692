#!/usr/bin/env bash
# Whole-process comparison of keytrace with peer scanners on the same target.
#   bench/compare.sh history REPO    full git history (keytrace scan --history, gitleaks git, kingfisher on the repo)
#   bench/compare.sh staged REPO     pre-commit scan of the staged change (REPO must have one staged)
# Peers are installed from PyPI wheels by ../shared/bench/peers.sh into $PEERS (default /opt/peers).
# Prints one line per tool: wall seconds, peak RSS (MiB), findings. Needs GNU time (/usr/bin/time).
set -euo pipefail
mode=${1:?mode: dir|history|staged}
target=$(realpath "${2:?target path}")
here=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-/opt/peers}
out=${OUT:-$here/bench/out}
mkdir -p "$out"

bash "$here/../shared/bench/peers.sh" "$PEERS" >/dev/null
(cd "$here" && cargo build --release -q)
kt="$here/target/release/keytrace"

measure() { # name, report file, command...
  local name=$1 report=$2; shift 2
  local t="$out/$name.time"
  /usr/bin/time -v -o "$t" "$@" >/dev/null 2>"$out/$name.stderr" || true
  local wall rss n
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$t")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$t")
  n=$(python3 - "$report" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("?"); sys.exit()
if isinstance(d, dict) and "findings" in d and isinstance(d["findings"], list):
    print(len(d["findings"]))
elif isinstance(d, list):
    print(len(d))
else:
    print("?")
PY
)
  printf '%-12s wall %-10s peak-rss %6s MiB  findings %s\n' "$name" "$wall" "$rss" "$n"
}

case $mode in
  dir)
    measure keytrace "$out/keytrace.json" "$kt" scan "$target" --format json -o "$out/keytrace.json"
    measure gitleaks "$out/gitleaks.json" "$PEERS/bin/gitleaks" dir "$target" --report-format json --report-path "$out/gitleaks.json" --exit-code 0
    measure kingfisher "$out/kingfisher.json" "$PEERS/bin/kingfisher" scan "$target" --no-validate --format json --output "$out/kingfisher.json"
    ;;
  history)
    measure keytrace "$out/keytrace.json" "$kt" scan --history "$target" --no-progress --format json -o "$out/keytrace.json"
    grep -o '"blobs_scanned": [0-9]*\|"bytes_scanned": [0-9]*' "$out/keytrace.json" | head -2
    measure gitleaks "$out/gitleaks.json" "$PEERS/bin/gitleaks" git "$target" --report-format json --report-path "$out/gitleaks.json" --exit-code 0
    measure kingfisher "$out/kingfisher.json" "$PEERS/bin/kingfisher" scan "$target" --no-validate --format json --output "$out/kingfisher.json"
    ;;
  staged)
    measure keytrace "$out/keytrace.json" bash -c "cd '$target' && '$kt' scan --staged --format json -o '$out/keytrace.json'"
    measure gitleaks "$out/gitleaks.json" bash -c "cd '$target' && '$PEERS/bin/gitleaks' git --staged --report-format json --report-path '$out/gitleaks.json' --exit-code 0 ."
    measure kingfisher "$out/kingfisher.json" bash -c "cd '$target' && '$PEERS/bin/kingfisher' scan --staged . --no-validate --format json --output '$out/kingfisher.json'"
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
