#!/usr/bin/env bash
# STS AssumeRole throughput of ossd on loopback (issue #8: at least 20,000/s on this machine).
#
#   bench/assume_role.sh          # ~1 min with the defaults
#
# Starts its own ossd (free port, temp data dir, known root key, --no-access-log), creates a role
# through the RAM API with ossctl, then for each CONNS value runs RUNS times ossd_rpc_load: that
# many keep-alive connections, each sending one signed AssumeRole at a time (RPC signature 1.0,
# HMAC-SHA1, a unique SignatureNonce per request, GET with the parameters in the query, as
# pop-core sends them) for DUR seconds after a WARMUP. Reports requests/s, p50/p99 latency, and
# ossd's CPU per request (utime+stime from /proc/<pid>/stat over exactly the measured window),
# one line per run, then the medians per CONNS.
#
# CALLER=root (default) signs with the account's own key; CALLER=user signs with a RAM user's key
# that holds AliyunSTSAssumeRoleAccess, which adds the caller's policy check to every call.
# ACTIONS="GetCallerIdentity AssumeRole" also measures GetCallerIdentity, the same RPC pipeline
# (signature, nonce, work-pool hop, JSON) without the STS work: the floor under AssumeRole.
#
# env: DUR=5 WARMUP=1 CONNS="16 64" RUNS=3 CLIENT_THREADS=1 CALLER=root|user METHOD=GET|POST
#      ACTIONS=AssumeRole
#      OSSD_IO_THREADS=0 (= cores) OSSD_WORK_THREADS=0 (= automatic)
#      OSSD_BIN (default build/src/server/ossd) OSSCTL_BIN (build/src/cli/ossctl)
#      LOAD_BIN (build/bench/micro/ossd_rpc_load)
#      KEEP_SERVER=1: print ossd's pid and port and wait for Enter before the load (to attach a profiler)
#      PERF_OUT=<file>: record ossd with `perf record -g` during the first run (then `perf report -i <file>`)
# Each action gets a fresh ossd, so each starts with an empty SignatureNonce window (capped at 256 MiB,
# about 21 M nonces, Throttling beyond: far more than one action's runs send).
# Loopback only. Stops only the ossd it started (by pid) and removes its temp dir on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OSSD_BIN=${OSSD_BIN:-$ROOT/build/src/server/ossd}
OSSCTL_BIN=${OSSCTL_BIN:-$ROOT/build/src/cli/ossctl}
LOAD_BIN=${LOAD_BIN:-$ROOT/build/bench/micro/ossd_rpc_load}
DUR=${DUR:-5}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-"16 64"}
RUNS=${RUNS:-3}
CLIENT_THREADS=${CLIENT_THREADS:-1}
CALLER=${CALLER:-root}
METHOD=${METHOD:-GET}
ACTIONS=${ACTIONS:-AssumeRole}
OSSD_IO_THREADS=${OSSD_IO_THREADS:-0}
OSSD_WORK_THREADS=${OSSD_WORK_THREADS:-0}

for bin in "$OSSD_BIN" "$OSSCTL_BIN" "$LOAD_BIN"; do
  [ -x "$bin" ] || { echo "missing $bin (cmake --build <dir> --target ossd ossctl ossd_rpc_load)" >&2; exit 1; }
done
case $CALLER in root|user) ;; *) echo "CALLER must be root or user" >&2; exit 1 ;; esac

TMP=$(mktemp -d /tmp/ossd-assume-role.XXXXXX)
OSSD_PID=""
cleanup() {
  if declare -F stop_ossd > /dev/null; then stop_ossd; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { sort -g | awk '{a[NR]=$1} END{ if(NR==0){print "nan"} else if(NR%2){print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2} }'; }
field() { # name line -> value of name=value in line
  echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}

# ---------- ossd, with the role (and, for CALLER=user, a RAM user allowed to assume it) ----------
ACCOUNT=1234567890123456
ROOT_KEY_ID=BenchAccessKeyId0001
ROOT_KEY_SECRET=BenchAccessKeySecret000000000001
ROLE=bench-role
ROLE_ARN="acs:ram::$ACCOUNT:role/$ROLE"
cat > "$TMP/trust.json" <<JSON
{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::$ACCOUNT:root"]}}],"Version":"1"}
JSON
ossctl() {
  "$OSSCTL_BIN" --endpoint "http://127.0.0.1:$PORT" --access-key-id "$ROOT_KEY_ID" \
    --access-key-secret "$ROOT_KEY_SECRET" "$@"
}
stop_ossd() { # only the ossd we started (by pid): TERM, up to 10 s, then KILL
  local _
  [ -n "$OSSD_PID" ] || return 0
  kill -TERM "$OSSD_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$OSSD_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$OSSD_PID" 2>/dev/null && kill -KILL "$OSSD_PID" 2>/dev/null
  OSSD_PID=""
}
# A fresh server (and data dir) per action, so each starts with an empty nonce cache.
SERVERS=0
start_ossd() {
  local _
  SERVERS=$((SERVERS + 1))
  OSSD_LOG="$TMP/ossd-$SERVERS.log"
  OSSD_ROOT_ACCESS_KEY_ID=$ROOT_KEY_ID OSSD_ROOT_ACCESS_KEY_SECRET=$ROOT_KEY_SECRET OSSD_ROOT_ACCOUNT_ID=$ACCOUNT \
    "$OSSD_BIN" --address 127.0.0.1:0 --data-dir "$TMP/data-$SERVERS" --no-access-log --log-level warn \
    --io-threads "$OSSD_IO_THREADS" --work-threads "$OSSD_WORK_THREADS" --shutdown-grace 2 > "$OSSD_LOG" 2>&1 &
  OSSD_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's|^ossd listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$OSSD_LOG" | head -1)
    [ -n "$PORT" ] && break
    kill -0 "$OSSD_PID" 2>/dev/null || { echo "ossd failed to start:" >&2; cat "$OSSD_LOG" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$PORT" ] || { echo "ossd did not print its port:" >&2; cat "$OSSD_LOG" >&2; exit 1; }

  ossctl admin role create "$ROLE" --trust "$TMP/trust.json" --max-session-duration 3600 > "$TMP/role.out"
  KEY_ID=$ROOT_KEY_ID
  KEY_SECRET=$ROOT_KEY_SECRET
  if [ "$CALLER" = user ]; then
    ossctl admin user create bench-user > /dev/null
    ossctl admin policy attach AliyunSTSAssumeRoleAccess --type System --user bench-user > /dev/null
    ossctl admin key create --user bench-user > "$TMP/key.out"
    KEY_ID=$(grep -oE 'LTAI[A-Za-z0-9]+' "$TMP/key.out" | head -1)
    KEY_SECRET=$(sed -n 's/.*[Ss]ecret[^A-Za-z0-9]*\([A-Za-z0-9]\{20,\}\).*/\1/p' "$TMP/key.out" | head -1)
    if [ -z "$KEY_ID" ] || [ -z "$KEY_SECRET" ]; then
      echo "cannot read the new key from:" >&2; cat "$TMP/key.out" >&2; exit 1
    fi
  fi

  # One real AssumeRole through ossctl first: the whole path works before it is loaded.
  "$OSSCTL_BIN" --endpoint "http://127.0.0.1:$PORT" --access-key-id "$KEY_ID" --access-key-secret "$KEY_SECRET" \
    sts assume-role --role-arn "$ROLE_ARN" --session sanity-check > "$TMP/sanity.out" 2>&1 ||
    { echo "AssumeRole through ossctl failed:" >&2; cat "$TMP/sanity.out" >&2; exit 1; }
  grep -q 'STS\.' "$TMP/sanity.out" || { echo "AssumeRole gave no STS key:" >&2; cat "$TMP/sanity.out" >&2; exit 1; }
}

echo "# ossd STS AssumeRole, loopback, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "ossd: $OSSD_BIN, built $(date -u -r "$OSSD_BIN" '+%Y-%m-%d %H:%M UTC'), io-threads=$OSSD_IO_THREADS work-threads=$OSSD_WORK_THREADS"
echo "caller=$CALLER method=$METHOD duration=${DUR}s warmup=${WARMUP}s runs=$RUNS client-threads=$CLIENT_THREADS nproc=$(nproc) load avg $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---------- load ----------
RAW="$TMP/raw.txt"; : > "$RAW"
for action in $ACTIONS; do
stop_ossd
start_ossd
echo "## $action: ossd pid $OSSD_PID on 127.0.0.1:$PORT, key $KEY_ID"
if [ "${KEEP_SERVER:-0}" = 1 ]; then
  echo "KEEP_SERVER: press Enter to run the load"
  read -r _
fi
for c in $CONNS; do
  for _ in $(seq 1 "$RUNS"); do
    kill -0 "$OSSD_PID" 2>/dev/null || { echo "ossd exited:" >&2; tail -n 40 "$OSSD_LOG" >&2; exit 1; }
    PERF_PID=""
    if [ -n "${PERF_OUT:-}" ] && [ ! -e "$TMP/perf.done" ]; then
      touch "$TMP/perf.done"
      perf record -q -F 999 -g -p "$OSSD_PID" -o "$PERF_OUT" -- sleep "$(awk -v d="$DUR" -v w="$WARMUP" 'BEGIN{print d+w}')" \
        > "$TMP/perf.log" 2>&1 &
      PERF_PID=$!
    fi
    out=$("$LOAD_BIN" --endpoint "127.0.0.1:$PORT" --access-key-id "$KEY_ID" --access-key-secret "$KEY_SECRET" \
      --action "$action" --role-arn "$ROLE_ARN" --method "$METHOD" --connections "$c" --threads "$CLIENT_THREADS" \
      --duration "$DUR" --warmup "$WARMUP" --server-pid "$OSSD_PID" 2>&1) || true
    if [ -n "$PERF_PID" ]; then wait "$PERF_PID" || cat "$TMP/perf.log" >&2; fi
    echo "$out"
    r=$(echo "$out" | grep '^RESULT' || echo "RESULT conns=$c rps=0 p50_us=nan p99_us=nan server_cpu_us_per_req=nan errors=nan")
    echo "$action $c $r" >> "$RAW"
  done
done
done

echo
echo "| action | conns | requests/s | p50 ms | p99 ms | ossd CPU µs/request | client CPU µs/request | non-200 |"
echo "|---|---|---|---|---|---|---|---|"
for action in $ACTIONS; do
for c in $CONNS; do
  lines=$(grep "^$action $c " "$RAW")
  rps=$(echo "$lines" | while read -r l; do field rps "$l"; done | median)
  p50=$(echo "$lines" | while read -r l; do field p50_us "$l"; done | median)
  p99=$(echo "$lines" | while read -r l; do field p99_us "$l"; done | median)
  cpu=$(echo "$lines" | while read -r l; do field server_cpu_us_per_req "$l"; done | median)
  ccpu=$(echo "$lines" | while read -r l; do field client_cpu_us_per_req "$l"; done | median)
  errs=$(echo "$lines" | while read -r l; do field errors "$l"; done | awk '{s+=$1} END{print s+0}')
  printf '| %s | %s | %.0f | %.2f | %.2f | %.1f | %.1f | %s |\n' "$action" "$c" "$rps" \
    "$(echo "$p50" | awk '{print $1/1000}')" "$(echo "$p99" | awk '{print $1/1000}')" "$cpu" "$ccpu" "$errs"
done
done
if grep -q '^AssumeRole ' "$RAW"; then
  best=$(grep '^AssumeRole ' "$RAW" | awk '{for(i=1;i<=NF;i++) if($i ~ /^rps=/) print substr($i,5)}' | median)
  echo
  echo "AssumeRole, median of all runs: $best/s (target: at least 20,000/s)"
fi
