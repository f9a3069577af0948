#!/usr/bin/env bash
# Installs the dependencies, builds ossd and runs every test suite:
# GoogleTest unit suites (ctest), then the node suites that drive the real
# binary: integration (raw HTTP), interop (ali-oss and the Alibaba STS/RAM
# SDKs), crash, memory, browser (Chromium), cli and examples; between them the
# libFuzzer targets run briefly from their seed corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300

echo "== fuzzers (clang, ASan+UBSan), each from its seed corpus"
bash scripts/fuzz.sh "${OSSD_FUZZ_SECONDS:-15}"

echo "== node suites against build/src/server/ossd"
cd tests
npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=2 integration/ interop/ crash/ memory/ browser/ cli/ examples/
