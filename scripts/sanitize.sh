#!/usr/bin/env bash
# Runs the test suites under the sanitizers (clang-14, CMakePresets.json):
#   sanitize.sh asan  ASan+UBSan+LSan build in build-asan/ (the same build holds
#                     the libFuzzer targets, for OSSD_FUZZ_BUILD_DIR=build-asan
#                     scripts/fuzz.sh): the unit tests (ctest), then the node
#                     integration suite against build-asan/src/server/ossd.
#   sanitize.sh tsan  TSan build of ossd alone in build-tsan/, then the
#                     integration suite, where the coroutine <-> work-pool
#                     hand-offs and the per-thread io_contexts run.
# Any report fails the run. Reports go to files (log_path) under
# <build>/sanitizer-reports/<suite>/, because a report inside an ossd that a
# test started (and may never watch exit, e.g. a leak found at shutdown) would
# otherwise be lost in a pipe; after each suite the script fails if any report
# file exists, and prints it. Suppressions live in tests/sanitizers/, each with
# its reason. Extra runtime options can be appended through the usual
# ASAN_OPTIONS / UBSAN_OPTIONS / TSAN_OPTIONS (later options win).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mode="${1:-}"
jobs="${OSSD_SANITIZE_JOBS:-$(nproc)}"
# asan: which suites run; "integration" alone builds only ossd and the fuzzers.
suites="${OSSD_SANITIZE_SUITES:-unit integration}"
supp="$root/tests/sanitizers"

case "$mode" in
  asan) build="$root/build-asan" ;;
  tsan) build="$root/build-tsan" ;;
  *) echo "usage: $0 asan|tsan" >&2; exit 2 ;;
esac
reports="$build/sanitizer-reports"

echo "== configure and build ($mode, $build)"
cmake --preset "$mode" >/dev/null
start=$SECONDS
if [ "$mode" = asan ] && [[ " $suites " == *" unit "* ]]; then
  # Everything: the libraries, every unit-test binary, ossd, ossctl and the fuzzers.
  cmake --build "$build" -j "$jobs"
elif [ "$mode" = asan ]; then
  cmake --build "$build" -j "$jobs" --target ossd fuzzers
else
  cmake --build "$build" -j "$jobs" --target ossd
fi
echo "build: $((SECONDS - start)) s"

symbolizer="$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)"
# The caller's own options, appended last so that they win.
extra_asan="${ASAN_OPTIONS:-}" extra_ubsan="${UBSAN_OPTIONS:-}"
extra_lsan="${LSAN_OPTIONS:-}" extra_tsan="${TSAN_OPTIONS:-}"
# Sets the runtime options so that every report of the processes started from
# here lands in $1, one file per process (report.<pid>). The same log_path goes
# to every runtime: UBSan's options also set the common ones (log_path among
# them) of the ASan and TSan runtimes it is built into.
sanitizer_env() {
  local dir="$1"
  rm -rf "$dir" && mkdir -p "$dir"
  local log="log_path=$dir/report"
  export ASAN_SYMBOLIZER_PATH="$symbolizer"
  export ASAN_OPTIONS="$log:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:$extra_asan"
  # With -fno-sanitize-recover=all the first UBSan report ends the process.
  export UBSAN_OPTIONS="$log:print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp:$extra_ubsan"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0:$extra_lsan"
  export TSAN_OPTIONS="$log:halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$supp/tsan.supp:print_suppressions=0:$extra_tsan"
}

# Fails (returns 1) if any sanitizer wrote a report into $1, printing each.
check_reports() {
  local dir="$1" suite="$2" files
  files="$(find "$dir" -type f | sort)"
  if [ -z "$files" ]; then
    echo "$suite: no sanitizer reports"
    return 0
  fi
  echo "FAILED: $suite: $(echo "$files" | wc -l) sanitizer report file(s):"
  local f
  for f in $files; do
    echo "---- $f"
    head -c 20000 "$f"
  done
  return 1
}

status=0
if [ "$mode" = asan ] && [[ " $suites " == *" unit "* ]]; then
  echo "== unit tests under ASan+UBSan (ctest)"
  sanitizer_env "$reports/unit"
  start=$SECONDS
  ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 600 || status=1
  echo "unit tests: $((SECONDS - start)) s"
  check_reports "$reports/unit" "unit tests" || status=1
fi

echo "== integration suite against $build/src/server/ossd ($mode)"
sanitizer_env "$reports/integration"
start=$SECONDS
# OSSD_SANITIZER tells a test that a bound of the plain build (peak RSS) does
# not apply: ASan's quarantine and shadow memory add hundreds of MiB.
(cd tests && OSSD_BIN="$build/src/server/ossd" OSSD_SANITIZER="$mode" \
  node --test --test-concurrency=2 integration/) || status=1
echo "integration suite: $((SECONDS - start)) s"
check_reports "$reports/integration" "integration suite ($mode)" || status=1

exit $status
