#!/usr/bin/env bash
# Validate the shipped deployments: the GitHub Actions sweep with actionlint, the Kubernetes
# manifests against the Kubernetes OpenAPI schema (strict: unknown fields are errors).
#
#   scripts/validate-deploy.sh
#
# The Kubernetes validator is the PyPI package `kubernetes-validate` (pinned; it bundles the
# JSON schemas of every Kubernetes release it knows, so it needs no network once installed),
# installed on first use into a venv under $KEYTRACE_TOOLS_DIR (default
# ~/.cache/keytrace-tools) unless KUBERNETES_VALIDATE names an installed command. Prints
# "SKIPPED ..." and exits 0 only when the package cannot be installed because the registry is
# unreachable (or python3 has no venv/pip); any other failure is an error.
# Exit: 0 valid (or skipped), 1 problems found, 2 the validators could not run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
workflows=("$root"/deploy/github-actions/*.yml "$root"/deploy/github-actions/*.yaml)
manifests=("$root"/deploy/kubernetes/*.yaml "$root"/deploy/kubernetes/*.yml)
shopt -u nullglob
if [ ${#workflows[@]} -eq 0 ] || [ ${#manifests[@]} -eq 0 ]; then
  echo "validate-deploy: no files under $root/deploy/github-actions or $root/deploy/kubernetes" >&2
  exit 2
fi

status=0
bash "$root/scripts/actionlint.sh" "${workflows[@]}" || status=$?
[ "$status" -le 1 ] || exit "$status"

# The validator's version and the Kubernetes version the manifests must be valid for.
kv_version=1.37.0
k8s_version=${KUBERNETES_VERSION:-1.33.0}
validate=${KUBERNETES_VALIDATE:-}
if [ -z "$validate" ]; then
  tools=${KEYTRACE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keytrace-tools}
  venv=$tools/kubernetes-validate-$kv_version
  validate=$venv/bin/kubernetes-validate
  if [ ! -x "$validate" ]; then
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then
      echo "SKIPPED kubernetes-validate: python3 with venv is not installed"
      exit "$status"
    fi
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    log=$(mktemp)
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      "kubernetes-validate==$kv_version" >"$log" 2>&1; then
      rm -rf "$venv"
      if grep -qiE 'connection|name resolution|network is unreachable|timed out|proxy|from versions: none' "$log"; then
        echo "SKIPPED kubernetes-validate: the package registry is unreachable"
        rm -f "$log"
        exit "$status"
      fi
      cat "$log" >&2
      rm -f "$log"
      echo "validate-deploy: pip install kubernetes-validate==$kv_version failed" >&2
      exit 2
    fi
    rm -f "$log"
  fi
fi
if "$validate" --strict --quiet -k "$k8s_version" "${manifests[@]}"; then
  echo "kubernetes-validate: ${#manifests[@]} manifest(s) valid for Kubernetes $k8s_version"
else
  status=1
fi
exit "$status"
