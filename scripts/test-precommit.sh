#!/usr/bin/env bash
# Runs keytrace's `keytrace` pre-commit hook (language: python) through the real pre-commit
# framework from PyPI: `pre-commit try-repo` against a snapshot of this work tree (tracked and
# untracked, not ignored files, committed in a temp repository, since try-repo installs from a
# commit). A staged change adding the demo's AWS key must be blocked; a clean change must pass.
# pre-commit pip-installs the hook repository, which builds the wheel with maturin (minutes the
# first time; set CARGO_TARGET_DIR to reuse a build directory of its own, not the
# repository's target/). Prints "SKIPPED" and exits 0
# only when PyPI cannot be reached; any other failure fails.
#
# With KEYTRACE_WHEEL_DIR=DIR (a directory holding the keytrace wheel, as scripts/test-wheel.sh
# leaves it with KEYTRACE_WHEEL_OUT), the hook repository users are told to use is tested too:
# the one scripts/precommit-mirror.py renders, which only depends on the keytrace wheel. pip runs
# with --no-index against that directory and cargo is taken off PATH, so the hook can only start
# from the prebuilt wheel: nothing is compiled.
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

# check_hook HOOK_REPO LABEL [ENV...]: in the user's repository, a staged AWS key must be
# blocked by the hook and a clean change must pass. ENV entries are extra NAME=VALUE settings.
check_hook() {
  local hook_repo=$1 label=$2
  shift 2
  local run=(env "$@" "$pc" try-repo "$hook_repo" "$hook" --verbose)
  cp "$repo/examples/demo/deploy.sh" "$user/deploy.sh"
  git -C "$user" add deploy.sh
  set +e
  (cd "$user" && "${run[@]}") >"$work/blocked.log" 2>&1
  local code=$?
  set -e
  if [ "$code" -eq 0 ]; then
    cat "$work/blocked.log"
    echo "pre-commit test ($label): a staged AWS key was NOT blocked"
    exit 1
  fi
  grep -q "aws-" "$work/blocked.log" ||
    { cat "$work/blocked.log"; echo "pre-commit test ($label): the hook failed without reporting the key"; exit 1; }
  git -C "$user" reset -q deploy.sh
  rm "$user/deploy.sh"
  echo "a clean change $label" >>"$user/notes.txt"
  git -C "$user" add notes.txt
  if ! (cd "$user" && "${run[@]}") >"$work/clean.log" 2>&1; then
    cat "$work/clean.log"
    echo "pre-commit test ($label): a clean change was blocked"
    exit 1
  fi
  grep -q "Passed" "$work/clean.log" ||
    { cat "$work/clean.log"; echo "pre-commit test ($label): hook did not run on the clean change"; exit 1; }
  git -C "$user" reset -q notes.txt
  sed -n '/keytrace/,$p' "$work/blocked.log" | head -20 # the hook's report (redacted)
  echo "pre-commit test: ok ($label, hook $hook: staged key blocked, clean change passed)"
}

check_hook "$snap" "hooks of this repository, built from source"

[ -n "${KEYTRACE_WHEEL_DIR:-}" ] || exit 0
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)
ls "$KEYTRACE_WHEEL_DIR"/keytrace-"$version"-*.whl >/dev/null 2>&1 ||
  { echo "pre-commit test: no keytrace-$version wheel in $KEYTRACE_WHEEL_DIR"; exit 1; }
mirror="$work/keytrace-pre-commit"
python3 "$repo/scripts/precommit-mirror.py" "$version" "$mirror"
git -C "$mirror" init -q -b main
git -C "$mirror" add -A
git -C "$mirror" commit -q -m "keytrace $version"
# What pip needs besides the wheel: the mirror package's build backend. Nothing else is offered.
"$work/venv/bin/pip" download -q --disable-pip-version-check -d "$work/pydeps" "setuptools>=61" wheel
# PATH without any cargo or rustc: a hook that tried to compile would fail instead.
nocargo=""
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -x "$d/cargo" ] || [ -x "$d/rustc" ] || nocargo="${nocargo:+$nocargo:}$d"
done
# A fresh hook cache, so the hook environment is installed by this run.
export PRE_COMMIT_HOME="$work/cache-wheel"
start=$(date +%s)
check_hook "$mirror" "rendered keytrace-pre-commit repository, from the wheel only" \
  PATH="$nocargo" PIP_NO_INDEX=1 PIP_FIND_LINKS="$KEYTRACE_WHEEL_DIR $work/pydeps" \
  CARGO_HOME="$work/no-cargo" RUSTUP_HOME="$work/no-rustup"
echo "pre-commit test: the wheel-based hook installed and ran twice in $(( $(date +%s) - start )) s"
