#!/usr/bin/env bash
# The README's test command and exactly what CI runs: installs the dependencies,
# then every quality gate, each timed. A failed gate fails the run, but the
# later gates still run (all but the build's dependents), so one run shows every failure.
#   format  clang-format-14 over the tracked C++ files
#   build   GCC Release build of everything, warnings as errors
#   unit    the GoogleTest suites (ctest; it starts a throwaway Ceph cluster
#           for the RADOS cases)
#   node    the node suites against the release binary: integration (raw
#           HTTP), interop (ali-oss and the STS/RAM SDKs), differential signing,
#           crash and fault injection, soak, security, memory, browser
#           (Chromium), cli, examples and deployment (PostgreSQL + RADOS);
#           then interop again against two gateways on PostgreSQL + RADOS
#   asan    one clang-14 ASan+UBSan build (unit tests, ossd, fuzzers): the unit
#           tests and the integration suite under it
#   fuzz    each libFuzzer target for OSSD_FUZZ_SECONDS (default 60) on that build
#   tsan    a clang-14 TSan ossd under the integration suite
#   tidy    clang-tidy-14 on src/, run beside the node suites: it needs only
#           the build's compile_commands.json, and the node suites leave much
#           of the CPU idle while their servers wait on timers and sockets
set -euo pipefail
cd "$(dirname "$0")/.."
# A clean machine (CI) has nothing cached: every ccache lookup would miss and
# only add its own cost.
if [ "${CI:-}" = true ]; then export CCACHE_DISABLE=1; fi

# Every gate runs even when an earlier one failed (the build aside), so that one
# run shows every failure; the run fails if any gate did.
# Each gate's output is also kept in $gate_logs, so that the end of the run
# can repeat the tail of every failed one: a long suite printed after it would
# otherwise push the reason out of a truncated CI log.
gate_lines=()
failed_gates=()
failed=0
gate_logs="$(mktemp -d)"
report() {
  [ ${#gate_lines[@]} -eq 0 ] || printf '%s\n' "== gates" "${gate_lines[@]}"
  local name
  for name in "${failed_gates[@]}"; do
    echo "== why gate $name failed: its failing tests, then the last 60 lines of its output"
    # TAP's "not ok" with the error block under it, GoogleTest's FAILED and
    # ctest's list: a suite's tail alone rarely names the test that failed.
    grep -E -A 24 '^ *not ok |\[  FAILED  \]|tests failed out of|^ *[0-9]+ - .*\(Failed\)' \
      "$gate_logs/$name.log" | head -n 240
    echo "-- the last 60 lines"
    tail -n 60 "$gate_logs/$name.log"
  done
  rm -rf "$gate_logs"
}
trap report EXIT

gate() {
  local name="$1"; shift
  echo "== gate $name"
  local start=$SECONDS result=ok
  "$@" 2>&1 | tee "$gate_logs/$name.log" || { result=FAILED; failed=1; failed_gates+=("$name"); }
  gate_lines+=("$(printf '%-7s %-6s %5d s' "$name" "$result" $((SECONDS - start)))")
}

# A gate that runs in the background while the next ones run; its output is
# kept apart and printed whole when gate_wait collects it.
background_pid="" background_name="" background_start=0 background_log=""
gate_background() {
  background_name="$1"; shift
  background_log="$(mktemp)"
  background_start=$SECONDS
  echo "== gate $background_name (in the background; its output follows when it ends)"
  "$@" >"$background_log" 2>&1 &
  background_pid=$!
}
gate_wait() {
  [ -n "$background_pid" ] || return 0
  local result=ok
  wait "$background_pid" || { result=FAILED; failed=1; failed_gates+=("$background_name"); }
  echo "== gate $background_name (output)"
  cat "$background_log"
  mv "$background_log" "$gate_logs/$background_name.log"
  gate_lines+=("$(printf '%-7s %-6s %5d s (in the background)' "$background_name" "$result" \
    $((SECONDS - background_start)))")
  background_pid=""
}

# One throwaway Ceph cluster serves every node suite that needs RADOS, each in
# a namespace of its own; it is stopped however the suites end. After the
# suites, the ali-oss interop and STS suites run again against two gateways
# on PostgreSQL + RADOS (tests/lib/deployment.mjs); their TLS file is about
# the SDK's transport, not the deployment, and runs once.
node_suites() (
  cd tests
  npm ci --no-audit --no-fund --loglevel=error
  ceph_dir="$(mktemp -d)/ceph"
  trap 'bash ../scripts/ceph-cluster.sh down "$ceph_dir"; rmdir "$(dirname "$ceph_dir")"' EXIT
  if [ "${OSSD_SKIP_CEPH:-}" != 1 ]; then
    OSSD_TEST_CEPH_CONF="$(bash ../scripts/ceph-cluster.sh up "$ceph_dir" | tail -n 1)"
    export OSSD_TEST_CEPH_CONF
  fi
  status=0
  node --test --test-concurrency=2 integration/ interop/ differential/ crash/ faults/ soak/ \
    security/ memory/ browser/ cli/ examples/ deployment/ || status=1
  if [ "${OSSD_SKIP_CEPH:-}" != 1 ]; then
    echo "== the interop suites against two gateways on PostgreSQL + RADOS"
    OSSD_TEST_DEPLOYMENT=two-gateways node --test --test-concurrency=2 \
      $(ls interop/*.test.mjs | grep -v sts-sdk-tls) || status=1
  fi
  exit $status
)

bash scripts/install-deps.sh
gate format bash scripts/lint.sh format
gate build  bash scripts/build.sh -DOSSD_WERROR=ON
[ $failed -eq 0 ] || exit 1
gate unit   ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 300
gate_background tidy bash scripts/lint.sh tidy
gate node   node_suites
gate_wait
gate asan   bash scripts/sanitize.sh asan
gate fuzz   env OSSD_FUZZ_BUILD_DIR=build-asan bash scripts/fuzz.sh "${OSSD_FUZZ_SECONDS:-60}"
gate tsan   bash scripts/sanitize.sh tsan
exit $failed
