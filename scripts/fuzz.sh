#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each for SECONDS (default 20) from its seed corpus in fuzz/corpus/.
# A crash, leak or sanitizer report fails the run; the input that caused it is
# left in build-fuzz/artifacts/ to be added to the corpus as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOSSD_BUILD_FUZZERS=ON -DOSSD_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzzers

mkdir -p build-fuzz/artifacts build-fuzz/corpus
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
status=0
for binary in build-fuzz/fuzz/*_fuzz; do
  name="$(basename "$binary")"
  seeds="fuzz/corpus/${name%_fuzz}"
  work="build-fuzz/corpus/${name%_fuzz}"
  rm -rf "$work" && mkdir -p "$work"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  echo "== fuzz $name for ${seconds}s"
  # The seed corpus first, as regression inputs, then new inputs for the time budget.
  if ! "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -artifact_prefix="build-fuzz/artifacts/${name}-" "$work" 2>"build-fuzz/${name}.log"; then
    echo "FAILED: $name (log: build-fuzz/${name}.log)"; tail -40 "build-fuzz/${name}.log"; status=1
  else
    grep -E "^Done|stat::number_of_executed_units" "build-fuzz/${name}.log" | tail -1 || true
  fi
done
exit $status
