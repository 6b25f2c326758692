#!/usr/bin/env bash
# Builds keytrace's Python sdist with maturin from PyPI, then the wheel from that sdist, installs
# the wheel into a fresh venv that has never seen the source tree, and runs the installed
# `keytrace` there: --version must be Cargo.toml's version, a scan of examples/demo must find
# secrets (exit 1), a clean directory must pass (exit 0). Prints "SKIPPED" and exits 0 only when
# PyPI cannot be reached; any other failure fails. Set CARGO_TARGET_DIR to reuse a build directory — one of its own,
# not the repository's target/ (a build from another source path overwrites build.rs's output).
# Set KEYTRACE_WHEEL_OUT=DIR to keep the tested wheel there (scripts/test-precommit.sh installs the
# wheel-based hook repository from it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pypi_reachable() {
  python3 - <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen("https://pypi.org/simple/maturin/", timeout=10)
except Exception as e:  # no network, DNS, proxy: say why and skip
    print(f"PyPI unreachable: {type(e).__name__}", file=sys.stderr)
    sys.exit(1)
PY
}
if ! pypi_reachable; then
  echo "wheel test: SKIPPED (PyPI unreachable)"
  exit 0
fi

want=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
[ -n "$want" ] || { echo "no version in Cargo.toml"; exit 1; }

python3 -m venv "$work/build"
"$work/build/bin/pip" install -q --disable-pip-version-check maturin
# The wheel is built from the sdist, as pip does where no wheel fits: this proves the lean sdist
# (Cargo.toml's include list) holds everything the build needs.
"$work/build/bin/maturin" sdist --manifest-path "$repo/Cargo.toml" -o "$work/sdist"
sdists=("$work"/sdist/keytrace-"$want".tar.gz)
[ -f "${sdists[0]}" ] || { echo "no keytrace-$want sdist in $work/sdist"; exit 1; }
if tar tzf "${sdists[0]}" | grep -E '^keytrace-[^/]+/(tests|fuzz|examples|benches|docs|target)/'; then
  echo "the sdist holds the files above, which must not ship"
  exit 1
fi
mkdir "$work/src"
tar xzf "${sdists[0]}" -C "$work/src"
"$work/build/bin/maturin" build --release --manifest-path "$work/src/keytrace-$want/Cargo.toml" -o "$work/dist"
wheels=("$work"/dist/keytrace-"$want"-*.whl)
[ -f "${wheels[0]}" ] || { echo "no keytrace-$want wheel in $work/dist:"; ls "$work/dist"; exit 1; }

python3 -m venv "$work/use"
"$work/use/bin/pip" install -q --disable-pip-version-check --no-index "${wheels[0]}"
kt="$work/use/bin/keytrace"
[ -x "$kt" ] || { echo "the wheel installed no keytrace command"; exit 1; }

got=$("$kt" --version)
[ "$got" = "keytrace $want" ] || { echo "version: got '$got', want 'keytrace $want'"; exit 1; }

# A scan from outside the source tree, of a copy of the demo (no git repository around it).
cp -r "$repo/examples/demo" "$work/demo"
set +e
(cd "$work" && "$kt" scan --no-progress --format json demo >"$work/demo.json")
code=$?
set -e
[ "$code" -eq 1 ] || { echo "scan of examples/demo: exit $code, want 1"; exit 1; }
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/demo.json")
[ "$n" -gt 0 ] || { echo "scan of examples/demo reported no findings"; exit 1; }

mkdir "$work/clean"
echo "nothing to see here" >"$work/clean/notes.txt"
(cd "$work/clean" && "$kt" scan --no-progress .) >/dev/null ||
  { echo "scan of a clean directory failed"; exit 1; }

if [ -n "${KEYTRACE_WHEEL_OUT:-}" ]; then
  mkdir -p "$KEYTRACE_WHEEL_OUT"
  cp "${wheels[0]}" "$KEYTRACE_WHEEL_OUT/"
fi
echo "wheel test: ok ($(basename "${wheels[0]}"), keytrace $want, $n findings in examples/demo)"
