#!/usr/bin/env bash
# The scan step of action.yml. Runs locally too, given the variables GitHub sets:
#   GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_BASE_REF, GITHUB_SHA, GITHUB_OUTPUT
# and the action's inputs as INPUT_PATH, INPUT_HISTORY, INPUT_RANGE, INPUT_ARGS, INPUT_SARIF_FILE.
# KEYTRACE_BIN overrides the binary. Never fails the step on findings: it records the exit code
# in the step outputs so that the SARIF upload runs first.
set -uo pipefail

bin=${KEYTRACE_BIN:-keytrace}
bin=${bin/#\~/$HOME}
path=${INPUT_PATH:-.}
sarif=${INPUT_SARIF_FILE:-keytrace.sarif}
range=${INPUT_RANGE:-}
out=${GITHUB_OUTPUT:-/dev/null}

# Pull requests: scan what the pull request adds, base..head, from the event payload.
if [ -z "$range" ] && [[ "${GITHUB_EVENT_NAME:-}" == pull_request* ]]; then
  if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -r "$GITHUB_EVENT_PATH" ]; then
    range=$(python3 -c 'import json,sys; pr=json.load(open(sys.argv[1]))["pull_request"]; print(pr["base"]["sha"]+".."+pr["head"]["sha"])' "$GITHUB_EVENT_PATH" 2>/dev/null || true)
  fi
  if [ -z "$range" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
    range="origin/${GITHUB_BASE_REF}..${GITHUB_SHA:-HEAD}"
  fi
fi

mode=()
if [ -n "$range" ]; then
  mode=(--range "$range")
elif [ "${INPUT_HISTORY:-false}" = "true" ]; then
  mode=(--history)
fi

# shellcheck disable=SC2206 # user-supplied extra arguments are split on purpose
extra=(${INPUT_ARGS:-})
echo "keytrace scan ${mode[*]} $path ${extra[*]}" >&2
"$bin" scan "${mode[@]}" "$path" --no-progress --format sarif --output "$sarif" "${extra[@]}"
code=$?

findings=0
if [ -f "$sarif" ]; then
  findings=$(python3 -c 'import json,sys; print(sum(len(r.get("results",[])) for r in json.load(open(sys.argv[1]))["runs"]))' "$sarif")
  echo "sarif-file=$sarif" >> "$out"
fi
echo "findings=$findings" >> "$out"
echo "exit-code=$code" >> "$out"
exit 0
