#!/usr/bin/env bash
# Installs the dependencies, builds ossd and runs every test suite:
# GoogleTest unit suites (ctest), then the node suites that drive the real
# binary: integration (raw HTTP), interop (the ali-oss SDK) and crash.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300

echo "== node suites against build/src/server/ossd"
cd tests
npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=2 integration/ interop/ crash/ memory/ browser/ cli/ examples/
