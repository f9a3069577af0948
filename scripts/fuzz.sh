#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) and runs each for
# SECONDS (default 20; CI passes 60) from its seed corpus in fuzz/corpus/,
# two targets at a time (-j, default 2), then prints a summary table:
# target, executions, corpus size at the end, result.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]       e.g. scripts/fuzz.sh 60
#   OSSD_FUZZ_BUILD_DIR=build-asan scripts/fuzz.sh 60 signed_url_fuzz
#
# Build directory: $OSSD_FUZZ_BUILD_DIR (default build-fuzz). A directory that
# is already configured with OSSD_BUILD_FUZZERS=ON (e.g. build-asan from the
# "asan" preset) is used as it is: only `cmake --build <dir> --target fuzzers`.
# Otherwise it is configured here (clang-14, RelWithDebInfo, fuzzers on).
#
# A crash, leak, timeout or sanitizer report fails the run. The input that
# caused it is written to <build dir>/fuzz-artifacts/<target>-crash-<sha1>
# (or leak-/timeout-/oom-), and the log to <build dir>/fuzz-logs/<target>.log.
# To make it a regression test: fix the bug, then copy the artifact into the
# target's seed corpus,
#   cp <build dir>/fuzz-artifacts/<target>-crash-<sha1> fuzz/corpus/<target without _fuzz>/regression-<what>
# Every run replays the whole seed corpus first, so the input is checked on
# every CI run from then on. Replay one input alone with
#   <build dir>/fuzz/<target> <file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
parallel="${OSSD_FUZZ_JOBS:-2}"
build="${OSSD_FUZZ_BUILD_DIR:-build-fuzz}"

configured_with_fuzzers() {
  [ -f "$build/CMakeCache.txt" ] && grep -q '^OSSD_BUILD_FUZZERS:BOOL=ON' "$build/CMakeCache.txt"
}
if ! configured_with_fuzzers; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DOSSD_BUILD_FUZZERS=ON -DOSSD_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j "${OSSD_BUILD_JOBS:-2}" --target fuzzers

artifacts="$build/fuzz-artifacts"
logs="$build/fuzz-logs"
mkdir -p "$artifacts" "$logs" "$build/fuzz-corpus"
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
# An ASan or UBSan report fails the target; the fuzzer's own exit code says so.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for binary in "$build"/fuzz/*_fuzz; do targets+=("$(basename "$binary")"); done
fi

# One target: seeds copied into a scratch corpus (the seeds themselves stay
# untouched), replayed, then fuzzed for the budget. Writes <name>.status.
run_target() {
  local name="$1" binary="$build/fuzz/$1"
  local seeds="fuzz/corpus/${name%_fuzz}" work="$build/fuzz-corpus/${name%_fuzz}"
  local log="$logs/$name.log"
  rm -rf "$work" && mkdir -p "$work"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  rm -f "$artifacts/$name"-*
  local rc=0
  "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$name-" "$work" >"$log" 2>&1 || rc=$?
  local execs corpus result
  execs="$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+$' || true)"
  corpus="$(find "$work" -type f | wc -l)"
  if [ "$rc" -eq 0 ]; then
    result="ok"
  else
    local artifact
    artifact="$(find "$artifacts" -maxdepth 1 -name "$name-*" -print -quit)"
    result="FAILED (exit $rc) ${artifact:-no artifact}"
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "${execs:-?}" "$corpus" "$result" >"$logs/$name.status"
}

status=0
running=0
for name in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/$name" ]; then echo "no such fuzz target: $build/fuzz/$name" >&2; exit 2; fi
  echo "== fuzz $name for ${seconds}s"
  rm -f "$logs/$name.status"
  run_target "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

echo
printf '%-24s %12s %8s  %s\n' target executions corpus result
for name in "${targets[@]}"; do
  if [ -f "$logs/$name.status" ]; then
    IFS=$'\t' read -r target execs corpus result <"$logs/$name.status"
  else
    target="$name" execs="?" corpus="?" result="FAILED (no status)"
  fi
  printf '%-24s %12s %8s  %s\n' "$target" "$execs" "$corpus" "$result"
  if [ "$result" != "ok" ]; then
    status=1
    echo "---- $logs/$name.log (last 40 lines)"
    tail -40 "$logs/$name.log"
    echo "----"
  fi
done
exit $status
