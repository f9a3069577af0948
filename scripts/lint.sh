#!/usr/bin/env bash
# Code hygiene gates (issue #6).
#   scripts/lint.sh format   clang-format-14 --dry-run --Werror over the C++ files git tracks in
#                            src/ include/ tests/unit/ bench/ fuzz/ (style: .clang-format)
#   scripts/lint.sh tidy [FILE...]
#                            clang-tidy-14 over every src/**/*.cpp, or the FILEs given (checks: .clang-tidy,
#                            every finding is an error) with the compile_commands.json of a build dir
#   scripts/lint.sh          both
# Environment: OSSD_LINT_BUILD_DIR (default build: configured here if it has no compile_commands.json),
#              OSSD_LINT_JOBS (default nproc), CLANG_FORMAT, CLANG_TIDY.
# Exit status is non-zero when a file is not formatted or clang-tidy reports anything.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-all}"
clang_format="${CLANG_FORMAT:-clang-format-14}"
clang_tidy="${CLANG_TIDY:-clang-tidy-14}"
build_dir="${OSSD_LINT_BUILD_DIR:-build}"
jobs="${OSSD_LINT_JOBS:-$(nproc)}"

elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

run_format() {
  local started; started=$(date +%s)
  local files=()
  # Tracked files and new ones not yet added (not the ignored build dirs).
  mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard -- \
    'src/*' 'include/*' 'tests/unit/*' 'bench/*' 'fuzz/*' | grep -zE '\.(cpp|hpp|h|cc)$' | sort -zu)
  echo "== clang-format: ${#files[@]} files"
  local status=0
  # --Werror turns "would reformat" into a failure; the output names file and line.
  printf '%s\0' "${files[@]}" | xargs -0 "$clang_format" --dry-run --Werror --style=file || status=1
  if [ "$status" -ne 0 ]; then
    echo "clang-format: files above are not formatted; fix with: $clang_format -i --style=file <file>"
  fi
  echo "== clang-format done in $(elapsed "$started") (status $status)"
  return "$status"
}

run_tidy() {
  local started; started=$(date +%s)
  if [ ! -f "$build_dir/compile_commands.json" ]; then
    # Configuring is enough: no source is generated, so clang-tidy needs no build.
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
  fi
  local files=()
  if [ "$#" -gt 0 ]; then
    files=("$@")
  else
    mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard -- 'src/*.cpp' | sort -zu)
  fi
  local logs; logs="$(mktemp -d)"
  echo "== clang-tidy: ${#files[@]} files, $jobs jobs, compile commands from $build_dir"
  # One clang-tidy per file so that each file's report is printed whole; a file fails on any
  # finding (WarningsAsErrors in .clang-tidy) or when it does not compile.
  printf '%s\0' "${files[@]}" | LOGS="$logs" TIDY="$clang_tidy" BUILD="$build_dir" \
    xargs -0 -n 1 -P "$jobs" sh -c '
      log="$LOGS/$(printf %s "$1" | tr / _).log"
      if ! "$TIDY" -p "$BUILD" --quiet --extra-arg=-Wno-unknown-warning-option "$1" >"$log" 2>&1; then
        touch "$log.failed"
      fi' sh
  local failed=0 log
  for log in "$logs"/*.log; do
    [ -e "$log.failed" ] || continue
    failed=$((failed + 1))
    grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' "$log" || true
  done
  rm -rf "$logs"
  echo "== clang-tidy done in $(elapsed "$started"): $failed of ${#files[@]} files with findings"
  [ "$failed" -eq 0 ]
}

case "$mode" in
  format) run_format ;;
  tidy) shift; run_tidy "$@" ;;
  all) status=0; run_format || status=1; run_tidy || status=1; exit "$status" ;;
  *) echo "usage: $0 [format|tidy|all]" >&2; exit 2 ;;
esac
