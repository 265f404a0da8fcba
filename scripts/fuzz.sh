#!/usr/bin/env bash
# Fuzzes the parsers that read untrusted files, with cargo-fuzz (libFuzzer):
# `probe` (bytes -> the audio probe, as `probe`/`add --audio` run it) and
# `import` (bytes -> an episode file through `import`'s checks), each for
# FUZZ_SECONDS (default 600), one after the other, at the lowest priority.
#
#   scripts/fuzz.sh                  # both targets, 10 minutes each
#   FUZZ_SECONDS=60 scripts/fuzz.sh import
#
# Installs cargo-fuzz if missing. cargo-fuzz passes nightly-only rustc flags;
# RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. FUZZ_SANITIZER
# (default `address`) can be `none` where AddressSanitizer does not build.
# The corpus grows in fuzz/corpus/TARGET (seeded from tests/fixtures/audio and
# episodes/), findings land in fuzz/artifacts/TARGET; both stay out of git.
# Reproduce a finding with `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET FILE`,
# then keep it as a regression unit test (see tests/fixtures/fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-600}
sanitizer=${FUZZ_SANITIZER:-address}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(probe import)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1

for target in "${targets[@]}"; do
    case $target in
        probe) seeds=("$root/tests/fixtures/audio") extra=(-max_len=131072) ;;
        import) seeds=("$root/episodes") extra=(-dict="$root/fuzz/import.dict" -max_len=8192) ;;
        *) echo "unknown target $target (probe, import)" >&2; exit 2 ;;
    esac
    corpus=$root/fuzz/corpus/$target
    mkdir -p "$corpus" "$root/fuzz/artifacts/$target"
    echo "== fuzzing $target for ${seconds}s (sanitizer: $sanitizer)"
    # One job in one worker process, at the lowest priority: the machine is
    # shared. With -jobs libFuzzer writes its output to fuzz-0.log.
    logs=$root/fuzz/artifacts/$target
    rm -f "$logs/fuzz-0.log"
    status=0
    (cd "$logs" && nice -n 19 cargo fuzz run --fuzz-dir "$root/fuzz" -s "$sanitizer" "$target" \
        "$corpus" "${seeds[@]}" -- \
        -jobs=1 -workers=1 -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "${extra[@]}") || status=$?
    grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|^Done|^stat::|ERROR|SUMMARY|Test unit written" "$logs/fuzz-0.log" || true
    [ "$status" -eq 0 ] || { echo "$target: finding in $logs (log: $logs/fuzz-0.log)" >&2; exit "$status"; }
done
