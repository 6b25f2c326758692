#!/usr/bin/env bash
# Run keytrace's fuzz targets (fuzz/, cargo-fuzz + libFuzzer on the nightly toolchain).
#
#   scripts/fuzz.sh TARGET SECONDS     run one target for SECONDS
#   scripts/fuzz.sh all SECONDS        run every target in turn, SECONDS each
#   scripts/fuzz.sh list               list the targets
#
# The committed seeds (fuzz/corpus/TARGET) are read only; what the fuzzer learns goes to a
# working corpus, fuzz/work/TARGET (ignored by git), which later runs start from. Crashes,
# timeouts and out-of-memory inputs land in fuzz/artifacts/TARGET/.
#
# Exit status: 0 when no target found anything, 1 when one did (its artifact paths are printed),
# 2 on usage or build errors.
#
# Environment: FUZZ_JOBS=N runs N fuzzing processes (default 1); FUZZ_ARGS adds libFuzzer flags
# (e.g. FUZZ_ARGS="-ignore_crashes=1 -fork=1" to keep going past a known crash).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz="$root/fuzz"

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

targets() {
    (cd "$fuzz" && cargo +nightly fuzz list)
}

# Largest input worth trying per target: parsers get room for whole files, the span and
# location targets stay small so that libFuzzer explores structure rather than size.
max_len() {
    case "$1" in
        redact_location | identity | codeowners | owners_file | baseline) echo 4096 ;;
        *) echo 65536 ;;
    esac
}

run_one() {
    local target="$1" seconds="$2"
    local work="$fuzz/work/$target" artifacts="$fuzz/artifacts/$target"
    mkdir -p "$work" "$artifacts" "$fuzz/corpus/$target"
    local jobs=()
    if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
        # libFuzzer then runs that many child processes, each logging to fuzz-N.log.
        jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
    fi
    local before
    before="$(find "$artifacts" -type f | sort)"
    echo "== $target: ${seconds}s" >&2
    # The first corpus directory receives new inputs; the seeds directory is only read.
    # shellcheck disable=SC2086
    (cd "$fuzz" && cargo +nightly fuzz run "$target" "$work" "$fuzz/corpus/$target" -- \
        -max_total_time="$seconds" \
        -max_len="$(max_len "$target")" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        "${jobs[@]}" \
        -artifact_prefix="$artifacts/" \
        -print_final_stats=1 \
        ${FUZZ_ARGS:-})
    local status=$?
    local after new
    after="$(find "$artifacts" -type f | sort)"
    new="$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')"
    if [ -n "$new" ] || [ "$status" -ne 0 ]; then
        echo "!! $target found a problem (exit $status):" >&2
        if [ -n "$new" ]; then
            echo "$new" | sed 's/^/   /' >&2
        fi
        return 1
    fi
    echo "== $target: nothing found" >&2
}

[ $# -ge 1 ] || usage
case "$1" in
    list) targets; exit $? ;;
    -h | --help) usage ;;
esac
[ $# -eq 2 ] || usage
target="$1" seconds="$2"
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

(cd "$fuzz" && cargo +nightly fuzz build) || exit 2

if [ "$target" = all ]; then
    found=0
    for t in $(targets); do
        run_one "$t" "$seconds" || found=1
    done
    exit "$found"
fi
# grep reads the whole list: with -q it would stop early, and cargo-fuzz, writing into a closed
# pipe, would fail the pipeline (pipefail) although the target was found.
targets | grep -x "$target" >/dev/null || { echo "unknown target: $target (see: $0 list)" >&2; exit 2; }
run_one "$target" "$seconds" || exit 1
