#!/usr/bin/env bash
# Runs keytrace's `keytrace` pre-commit hook (language: python) through the real pre-commit
# framework from PyPI: `pre-commit try-repo` against a snapshot of this work tree (tracked and
# untracked, not ignored files, committed in a temp repository, since try-repo installs from a
# commit). A staged change adding the demo's AWS key must be blocked; a clean change must pass.
# pre-commit pip-installs the hook repository, which builds the wheel with maturin (minutes the
# first time; set CARGO_TARGET_DIR to reuse a build directory of its own, not the
# repository's target/). Prints "SKIPPED" and exits 0
# only when PyPI cannot be reached; any other failure fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
hook=${1:-keytrace}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! python3 -c 'import urllib.request; urllib.request.urlopen("https://pypi.org/simple/pre-commit/", timeout=10)' 2>/dev/null; then
  echo "pre-commit test: SKIPPED (PyPI unreachable)"
  exit 0
fi

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check pre-commit
pc="$work/venv/bin/pre-commit"
export PRE_COMMIT_HOME="$work/cache" # a fresh hook environment: the install is part of the test
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=CI GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=CI GIT_COMMITTER_EMAIL=ci@example.com

# The hook repository: this work tree as it is, committed.
snap="$work/keytrace"
mkdir "$snap"
while IFS= read -r -d '' f; do
  [ -e "$repo/$f" ] || continue # tracked but deleted in the work tree
  (cd "$repo" && cp --parents -- "$f" "$snap/")
done < <(git -C "$repo" ls-files -z --cached --others --exclude-standard)
for f in .pre-commit-hooks.yaml pyproject.toml; do
  [ -f "$snap/$f" ] || { echo "snapshot of $repo lacks $f"; exit 1; }
done
git -C "$snap" init -q -b main
git -C "$snap" add -A
git -C "$snap" commit -q -m snapshot

# The user's repository.
user="$work/project"
mkdir "$user"
git -C "$user" init -q -b main
echo "# project" >"$user/README.md"
git -C "$user" add README.md
git -C "$user" commit -q -m init

try() { (cd "$user" && "$pc" try-repo "$snap" "$hook" --verbose); }

cp "$repo/examples/demo/deploy.sh" "$user/deploy.sh"
git -C "$user" add deploy.sh
set +e
try >"$work/blocked.log" 2>&1
code=$?
set -e
if [ "$code" -eq 0 ]; then
  cat "$work/blocked.log"
  echo "pre-commit test: a staged AWS key was NOT blocked"
  exit 1
fi
grep -q "aws-" "$work/blocked.log" ||
  { cat "$work/blocked.log"; echo "pre-commit test: the hook failed without reporting the key"; exit 1; }

git -C "$user" reset -q deploy.sh
rm "$user/deploy.sh"
echo "a clean change" >"$user/notes.txt"
git -C "$user" add notes.txt
if ! try >"$work/clean.log" 2>&1; then
  cat "$work/clean.log"
  echo "pre-commit test: a clean change was blocked"
  exit 1
fi
grep -q "Passed" "$work/clean.log" ||
  { cat "$work/clean.log"; echo "pre-commit test: hook did not run on the clean change"; exit 1; }
sed -n '/keytrace/,$p' "$work/blocked.log" | head -20 # the hook's report (redacted)
echo "pre-commit test: ok (hook $hook: staged key blocked, clean change passed)"
