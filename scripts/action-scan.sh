#!/usr/bin/env bash
# The scan step of action.yml. Runs locally too, given the variables GitHub sets:
#   GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_BASE_REF, GITHUB_SHA, GITHUB_OUTPUT,
#   GITHUB_STEP_SUMMARY, GITHUB_SERVER_URL, GITHUB_REPOSITORY
# and the action's inputs as INPUT_PATH, INPUT_HISTORY, INPUT_RANGE, INPUT_ARGS, INPUT_SARIF_FILE.
# KEYTRACE_BIN overrides the binary.
#
# What is scanned, first match wins:
#   INPUT_RANGE set                 that range
#   INPUT_HISTORY=true              the full history (every ref)
#   pull_request* events            base..head of the pull request
#   push events                     before..after (what the push added); the whole tree when
#                                   the push created the branch, or when `before` cannot be had
#                                   (a force push in a shallow clone, or a repository without it)
#   anything else                   the whole tree (files on disk)
# Range scans in a shallow clone (actions/checkout's default) fetch the history they need
# (`git fetch --deepen`); keytrace does that itself.
#
# The scan runs once and writes SARIF; the job summary ($GITHUB_STEP_SUMMARY) is rendered from
# that file. Never fails the step on findings: it records the exit code in the step outputs so
# that the SARIF upload runs first.
set -uo pipefail

bin=${KEYTRACE_BIN:-keytrace}
bin=${bin/#\~/$HOME}
path=${INPUT_PATH:-.}
sarif=${INPUT_SARIF_FILE:-keytrace.sarif}
range=${INPUT_RANGE:-}
out=${GITHUB_OUTPUT:-/dev/null}
event=${GITHUB_EVENT_NAME:-}
payload=${GITHUB_EVENT_PATH:-}
zero=0000000000000000000000000000000000000000

# One field of the event payload (dotted path), or nothing.
field() {
  [ -n "$payload" ] && [ -r "$payload" ] || return 0
  python3 - "$payload" "$1" <<'PY' 2>/dev/null || true
import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
if isinstance(value, bool):
    print("true" if value else "false")
elif value is not None:
    print(value)
PY
}

is_sha() { [[ "$1" =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]]; }
has_commit() { git -C "$path" cat-file -e "$1^{commit}" 2>/dev/null; }
is_shallow() { [ "$(git -C "$path" rev-parse --is-shallow-repository 2>/dev/null)" = "true" ]; }

why=""
scan=tree
if [ -n "$range" ]; then
  scan=range
  why="the range given"
elif [ "${INPUT_HISTORY:-false}" = "true" ]; then
  scan=history
  why="history: true"
elif [[ "$event" == pull_request* ]]; then
  base=$(field pull_request.base.sha)
  head=$(field pull_request.head.sha)
  if is_sha "$base" && is_sha "$head"; then
    range="$base..$head"
  elif [ -n "${GITHUB_BASE_REF:-}" ]; then
    range="origin/${GITHUB_BASE_REF}..${GITHUB_SHA:-HEAD}"
  fi
  if [ -n "$range" ]; then
    scan=range
    why="what the pull request adds"
  else
    why="no base in the pull request event"
  fi
elif [ "$event" = "push" ]; then
  before=$(field before)
  after=$(field after)
  if [ "$(field deleted)" = "true" ] || [ "$after" = "$zero" ]; then
    scan=none
    why="the push deleted a ref"
  elif [ "$(field created)" = "true" ] || [ -z "$before" ] || [ "$before" = "$zero" ]; then
    why="the push created the branch"
  elif ! is_sha "$before" || ! is_sha "$after"; then
    why="no before/after in the push event"
  elif has_commit "$before" || { is_shallow && [ "$(field forced)" != "true" ]; }; then
    # A fast-forward's `before` is an ancestor of `after`: deepening a shallow clone reaches it.
    scan=range
    range="$before..$after"
    why="what the push adds"
  else
    why="the commit before the push ($before) is not in the clone (force push?)"
  fi
else
  why="event ${event:-none}"
fi

mode=()
case "$scan" in
  range) mode=(--range "$range") ;;
  history) mode=(--history) ;;
esac
echo "scan=$scan" >> "$out"
echo "range=$range" >> "$out"

if [ "$scan" = "none" ]; then
  echo "keytrace: nothing to scan: $why" >&2
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '## keytrace: nothing to scan\n\n%s.\n' "$why" >> "$GITHUB_STEP_SUMMARY"
  fi
  echo "findings=0" >> "$out"
  echo "exit-code=0" >> "$out"
  exit 0
fi

# shellcheck disable=SC2206 # user-supplied extra arguments are split on purpose
extra=(${INPUT_ARGS:-})
echo "keytrace: scanning ${scan}${range:+ $range} ($why)" >&2
echo "keytrace scan ${mode[*]} $path ${extra[*]}" >&2
rm -f "$sarif"
"$bin" scan "${mode[@]}" "$path" --no-progress --format sarif --output "$sarif" "${extra[@]}"
code=$?

findings=0
if [ -f "$sarif" ]; then
  findings=$(python3 -c 'import json,sys; print(sum(len(r.get("results",[])) for r in json.load(open(sys.argv[1]))["runs"]))' "$sarif")
  echo "sarif-file=$sarif" >> "$out"
fi
echo "findings=$findings" >> "$out"
echo "exit-code=$code" >> "$out"

# Job summary, rendered from the SARIF just written (the scan is not run again).
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -f "$sarif" ]; then
    links=()
    if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ]; then
      links+=(--repo-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY")
    fi
    if [ -n "${GITHUB_SHA:-}" ]; then
      links+=(--sha "$GITHUB_SHA")
    fi
    "$bin" report summary "$sarif" "${links[@]}" --append-to "$GITHUB_STEP_SUMMARY" ||
      echo "keytrace: could not write the job summary" >&2
  else
    printf '## keytrace: the scan failed (exit %s)\n\nSee the log of the Scan step.\n' "$code" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit 0
