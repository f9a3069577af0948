#!/usr/bin/env bash
# Issue #7's scale-out benchmark, in one run on this machine: one ossd on SQLite + files ("single node")
# against two ossd gateways on one PostgreSQL database and one RADOS pool ("two gateways"), for
#   put4k  PUT 4 KiB (V1 signed PUT URLs over PUT_KEYS rotating keys)         req/s
#   get4k  GET 4 KiB (V1 signed URL)                                            req/s
#   put1m  PUT 1 MiB                                                            MB/s
#   get1m  GET 1 MiB                                                            MB/s
#   list   ListObjects max-keys=1000 at LIST_MARKERS markers of a LIST_KEYS-key bucket   pages/s
# and prints one markdown table: figure of each deployment, p99 of each, ratio two-gateway / single-node,
# and the server CPU per request (ossd for the single node; the gateways, and PostgreSQL + Ceph, for the pair).
#
#   cmake --build build -j1 --target ossd ossctl ossd_fill_bucket    # once (bench tools need Google Benchmark)
#   bench/scale.sh                                        # full run: LIST_KEYS=1000000, DUR=4s, RUNS=1
#   DUR=1s LIST_KEYS=20000 bench/scale.sh                 # smoke run, about 2-3 min (Ceph start included)
#   CEPH_CONF=/tmp/ceph-t1/ceph.conf ROWS="get4k" bench/scale.sh   # reuse a running cluster, one row
#
# What it starts (all on 127.0.0.1, free ports, in a temp dir /tmp/ossd-scale.*), and stops by pid on exit:
#   - PostgreSQL: initdb + postgres as the `postgres` user (neither runs as root), trust auth,
#     fsync=on, synchronous_commit=on, full_page_writes=on: every commit reaches the disk, like the
#     single node's SQLite (synchronous=FULL) and fdatasync'ed blob files. Honest, and slower than the
#     node tests' fsync=off cluster (tests/lib/postgres.mjs).
#   - Ceph: a one-node cluster (scripts/ceph-cluster.sh up/down: one monitor, one BlueStore OSD over a
#     sparse file, pool size 1). CEPH_CONF=<ceph.conf> uses a running cluster instead and leaves it
#     running; the blobs go to a fresh namespace `scale-<pid>-<time>` of its pool, whose objects the
#     script removes with `rados rm` on exit (bounded; nothing else in that cluster is touched).
#   - one ossd --data-dir <tmp>/single (SQLite meta.db + objects/ files): the single node.
#   - two ossd --data-dir <tmp>/gw (shared: master key and root account file) --meta postgres://...
#     --blob rados:pool=ossd,conf=<conf>,namespace=<fresh>: the two gateways.
# Load on the pair: no front. Two wrk processes run at the same time, each with half of the connections
# and half of wrk's threads, one per gateway; req/s, MB/s and request counts are summed, p99 is the
# larger of the two wrk p99s (wrk cannot merge histograms; the larger one bounds the merged p99 from
# above). A front (nginx, HAProxy) would add a hop and its own CPU on these 2 shared cores. PUT keys are
# split: each gateway's wrk writes its own half of the PUT_KEYS, so the two never overwrite the same key.
#
# The list buckets:
#   single node: ossd_fill_bucket (bench/load/fill_bucket.cpp) writes LIST_KEYS records straight into
#     meta.db before ossd starts (SQLite only; records point at fake blob ids, listing reads metadata only).
#   two gateways: ossd_fill_bucket cannot write PostgreSQL, so: the bucket and ONE real 4 KiB object
#     `data/00000000` are written through gateway 1 (ossctl), then one SQL statement copies that row
#     LIST_KEYS-1 times (INSERT ... SELECT ... generate_series, keys data/00000001.., the same columns as
#     src/meta/pg_schema.cpp's objects table) and raises the blob's live_blobs refs by as many, in one
#     transaction; then VACUUM ANALYZE. Every record points at the one real RADOS blob, so every key is a
#     real, readable object (checked: a GET of the last key through gateway 2 returns the seed's bytes),
#     and the reference count stays right (deleting them all would free the blob exactly once).
# Keys are data/<8-digit index> in both, so pages and markers are identical.
#
# env: DUR=4s (wrk -d; the pair's two wrk run this long too) RUNS=1 (runs per cell; single node and the
#      pair alternate, order flipped every run; medians) THREADS=2 (wrk threads in all; the pair's two wrk
#      get THREADS/2 each, at least 1) ROWS="put4k get4k put1m get1m list"
#      PUT_CONNS=16 PUT1M_CONNS=16 GET_CONNS=64 GET1M_CONNS=16 LIST_CONNS=16 (in all; halved per gateway)
#      PUT_KEYS=1000 LIST_KEYS=1000000 LIST_MARKERS=64 OSSD_IO_THREADS=0 (per ossd; 0 = cores)
#      BUILD=build (or OSSD_BIN, OSSCTL_BIN, TOOLS_DIR) PG_BINDIR=/usr/lib/postgresql/<newest>/bin
#      PG_SHARED_BUFFERS=256MB CEPH_CONF= (use a running cluster) CEPH_POOL=ossd MAX_SECONDS=2400 (the
#      whole run is stopped after this) REPORT=<file> (also write the table there) KEEP_TMP=1 (keep the
#      temp dir, logs included).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OSSD_BIN=${OSSD_BIN:-$BUILD/src/server/ossd}
OSSCTL_BIN=${OSSCTL_BIN:-$BUILD/src/cli/ossctl}
TOOLS_DIR=${TOOLS_DIR:-$BUILD/bench/micro}
DUR=${DUR:-4s}
RUNS=${RUNS:-1}
THREADS=${THREADS:-2}
ROWS=${ROWS:-"put4k get4k put1m get1m list"}
PUT_CONNS=${PUT_CONNS:-16}
PUT1M_CONNS=${PUT1M_CONNS:-16}
GET_CONNS=${GET_CONNS:-64}
GET1M_CONNS=${GET1M_CONNS:-16}
LIST_CONNS=${LIST_CONNS:-16}
PUT_KEYS=${PUT_KEYS:-1000}
LIST_KEYS=${LIST_KEYS:-1000000}
LIST_MARKERS=${LIST_MARKERS:-64}
OSSD_IO_THREADS=${OSSD_IO_THREADS:-0}
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-256MB}
CEPH_CONF=${CEPH_CONF:-}
CEPH_POOL=${CEPH_POOL:-ossd}
MAX_SECONDS=${MAX_SECONDS:-2400}
CLK_TCK=$(getconf CLK_TCK)
BUCKET=bench
LIST_BUCKET=list
LIST_PREFIX=data/
ACCOUNT=1234567890123456
ROOT_KEY_ID=BenchAccessKeyId0001
ROOT_KEY_SECRET=BenchAccessKeySecret000000000001
export OSSD_ROOT_ACCESS_KEY_ID=$ROOT_KEY_ID OSSD_ROOT_ACCESS_KEY_SECRET=$ROOT_KEY_SECRET OSSD_ROOT_ACCOUNT_ID=$ACCOUNT

has_row() { case " $ROWS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
for row in $ROWS; do
  case $row in put4k | get4k | put1m | get1m | list) ;; *) echo "unknown row $row (rows: put4k get4k put1m get1m list)" >&2; exit 2 ;; esac
done
[ "$LIST_KEYS" -ge 2002 ] || { echo "LIST_KEYS must be at least 2002" >&2; exit 2; }
for tool in wrk curl node openssl psql setpriv; do
  command -v "$tool" > /dev/null || { echo "missing $tool (bench/install.sh: wrk; postgresql-client: psql)" >&2; exit 1; }
done
need_bin() { [ -x "$1" ] || { echo "missing $1 (cmake --build $BUILD -j1 --target $(basename "$1"))" >&2; exit 1; }; }
need_bin "$OSSD_BIN"
need_bin "$OSSCTL_BIN"
has_row list && need_bin "$TOOLS_DIR/ossd_fill_bucket"
PG_BINDIR=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)}
[ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/postgres" ] || { echo "PostgreSQL server binaries not found (PG_BINDIR)" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups); else AS_PG=(); fi

TMP=$(mktemp -d /tmp/ossd-scale.XXXXXX)
chmod 755 "$TMP" # the postgres user needs to reach its directory
SINGLE_PID="" GW1_PID="" GW2_PID="" PG_PID="" CEPH_DIR="" WATCHDOG_PID=""
WRK_PIDS=()
stop_pid() { # pid signal seconds: signal one process we started, wait, then KILL
  local i
  [ -n "$1" ] || return 0
  kill "-$2" "$1" 2> /dev/null || return 0
  for i in $(seq 1 $(($3 * 10))); do kill -0 "$1" 2> /dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2> /dev/null || true
}
cleanup() {
  local p
  for p in "${WRK_PIDS[@]}"; do stop_pid "$p" TERM 5; done
  stop_pid "${PERF_PID:-}" INT 10
  stop_pid "$SINGLE_PID" TERM 10
  stop_pid "$GW1_PID" TERM 10
  stop_pid "$GW2_PID" TERM 10
  stop_pid "$PG_PID" INT 30 # fast shutdown: ends the sessions, checkpoints
  if [ -z "$CEPH_DIR" ] && [ -n "${CEPH_NS:-}" ] && [ -f "${CEPH_CONF:-}" ]; then
    # A cluster we did not start: remove our namespace's objects (ours only), bounded.
    timeout 60 rados -c "$CEPH_CONF" -p "$CEPH_POOL" -N "$CEPH_NS" ls 2> /dev/null |
      timeout 300 xargs -r -n 100 rados -c "$CEPH_CONF" -p "$CEPH_POOL" -N "$CEPH_NS" rm 2> /dev/null ||
      echo "could not remove RADOS namespace $CEPH_NS's objects from $CEPH_CONF" >&2
  fi
  [ -n "$CEPH_DIR" ] && { timeout 120 "$ROOT/scripts/ceph-cluster.sh" down "$CEPH_DIR" || echo "ceph-cluster.sh down failed; see $CEPH_DIR" >&2; }
  stop_pid "$WATCHDOG_PID" TERM 5
  if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
# The whole run is bounded: the watchdog ends it (through the trap above) after MAX_SECONDS.
(
  trap 'kill "$sp" 2> /dev/null; exit 0' TERM
  sleep "$MAX_SECONDS" & sp=$!
  wait "$sp"
  echo "scale.sh: over MAX_SECONDS=$MAX_SECONDS, stopping" >&2
  kill -TERM $$
) &
WATCHDOG_PID=$!

# ---------- helpers ----------
median() { sort -g | awk '{a[NR]=$1} END{ if(NR==0){print "nan"} else if(NR%2){print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2} }'; }
cpu_ticks() { # utime+stime of the given pids (whole processes)
  local t=0 p f
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    read -ra f < <(sed 's/^.*) //' "/proc/$p/stat" 2> /dev/null) || continue
    [ "${#f[@]}" -gt 12 ] && t=$((t + f[11] + f[12]))
  done
  echo $t
}
free_port() { local p=$1; while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done; echo $p; }
field() { awk -v k="$1=" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) { print substr($i, length(k) + 1); exit } }' <<< "$2"; }
urlenc() { # percent-encodes everything but RFC 3986 unreserved characters (keys here are ASCII)
  local s=$1 out="" ch i
  for ((i = 0; i < ${#s}; i++)); do
    ch=${s:i:1}
    case $ch in [A-Za-z0-9._~-]) out+=$ch ;; *) out+=$(printf '%%%02X' "'$ch") ;; esac
  done
  printf '%s' "$out"
}
per_req() { awk -v d="$1" -v n="$2" -v hz="$CLK_TCK" 'BEGIN{ print (n > 0 ? sprintf("%.1f", d * 1e6 / hz / n) : "nan") }'; }
psql_pg() { timeout "${PSQL_TIMEOUT:-60}" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U ossd -d postgres "$@"; }

# start_ossd name data-dir [args...]: starts one ossd, sets <NAME>_PID and <NAME>_PORT.
start_ossd() {
  local name=$1 dir=$2 pid port log
  shift 2
  log=$TMP/$name.log
  "$OSSD_BIN" --address 127.0.0.1:0 --data-dir "$dir" --no-access-log --log-level warn \
    --io-threads "$OSSD_IO_THREADS" --shutdown-grace 2 "$@" > "$log" 2>&1 &
  pid=$!
  printf -v "${name^^}_PID" '%s' "$pid"
  port=""
  for _ in $(seq 1 600); do
    port=$(sed -n 's|^ossd listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2> /dev/null || { echo "ossd $name failed to start:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "ossd $name did not print its port:" >&2; cat "$log" >&2; exit 1; }
  printf -v "${name^^}_PORT" '%s' "$port"
}
ossctl_at() { local port=$1; shift; timeout 120 "$OSSCTL_BIN" --endpoint "http://127.0.0.1:$port" --access-key-id "$ROOT_KEY_ID" --access-key-secret "$ROOT_KEY_SECRET" "$@"; }

# ---------- fixtures ----------
mkdir -p "$TMP/files" "$TMP/single" "$TMP/gw" "$TMP/urls-single" "$TMP/urls-gw"
chmod 700 "$TMP/single" "$TMP/gw"
head -c 4096 /dev/urandom > "$TMP/files/f4k"
head -c 1048576 /dev/urandom > "$TMP/files/f1m"

# ---------- PostgreSQL (fsync on) ----------
echo "starting PostgreSQL ($PG_BINDIR, fsync=on)..." >&2
mkdir -p "$TMP/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$TMP/pg"
timeout 120 "${AS_PG[@]}" "$PG_BINDIR/initdb" --pgdata="$TMP/pg/data" --username=ossd --auth=trust --encoding=UTF8 \
  --locale=C --no-sync > "$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; exit 1; }
PG_PORT=$(free_port 25432)
# setpriv execs, so $! is the postmaster itself.
"${AS_PG[@]}" "$PG_BINDIR/postgres" -D "$TMP/pg/data" -p "$PG_PORT" -k "$TMP/pg" -c listen_addresses=127.0.0.1 \
  -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c shared_buffers="$PG_SHARED_BUFFERS" \
  -c max_connections=200 > "$TMP/postgres.log" 2>&1 &
PG_PID=$!
for _ in $(seq 1 300); do
  "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
  kill -0 "$PG_PID" 2> /dev/null || { echo "postgres exited:" >&2; cat "$TMP/postgres.log" >&2; exit 1; }
  sleep 0.1
done
"$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || { echo "postgres did not start in 30 s" >&2; exit 1; }
PG_URI="postgres://ossd@127.0.0.1:$PG_PORT/postgres"

# ---------- Ceph ----------
if [ -z "$CEPH_CONF" ]; then
  echo "starting a one-node Ceph cluster (scripts/ceph-cluster.sh)..." >&2
  CEPH_DIR=$TMP/ceph
  CEPH_CONF=$(timeout 300 "$ROOT/scripts/ceph-cluster.sh" up "$CEPH_DIR" "$CEPH_POOL" | tail -n 1) ||
    { echo "ceph-cluster.sh up failed" >&2; exit 1; }
  CEPH_NOTE="own one-node cluster (scripts/ceph-cluster.sh), pool $CEPH_POOL, size 1"
else
  CEPH_NOTE="running cluster $CEPH_CONF (CEPH_CONF), pool $CEPH_POOL"
fi
[ -f "$CEPH_CONF" ] || { echo "no ceph.conf at '$CEPH_CONF'" >&2; exit 1; }
CEPH_NS="scale-$$-$(date +%s)"
# Ceph's daemons, for the CPU column (the cluster's pid files, ours or CEPH_CONF's).
ceph_pids() { cat "$(dirname "$CEPH_CONF")"/run/*.pid 2> /dev/null | xargs; }
pg_pids() { echo "$PG_PID $(ps -o pid= --ppid "$PG_PID" | xargs)"; }

# ---------- the single node's list bucket, straight into meta.db before it starts ----------
if has_row list; then
  echo "filling the single node's bucket '$LIST_BUCKET' with $LIST_KEYS records (ossd_fill_bucket)..." >&2
  (umask 077; timeout 900 "$TOOLS_DIR/ossd_fill_bucket" --data-dir "$TMP/single" --bucket "$LIST_BUCKET" --owner "$ACCOUNT" \
    --prefix "$LIST_PREFIX" --keys "$LIST_KEYS") > "$TMP/fill-single.out"
  FILL_SINGLE=$(grep '^RESULT' "$TMP/fill-single.out")
fi

# ---------- the servers ----------
start_ossd single "$TMP/single"
# One after the other: the first creates the master key and the root account file in the shared
# directory, the second reads them (as tests/lib/deployment.mjs does).
GW_ARGS=(--meta "$PG_URI" --blob "rados:pool=$CEPH_POOL,conf=$CEPH_CONF,namespace=$CEPH_NS")
start_ossd gw1 "$TMP/gw" "${GW_ARGS[@]}"
start_ossd gw2 "$TMP/gw" "${GW_ARGS[@]}"

# Buckets, objects, signed GET URLs and PUT paths through ali-oss (bench/prep.cjs), once per deployment;
# V1 signed paths do not name the host, so gateway 1's serve gateway 2 as well.
timeout 300 node "$HERE/prep.cjs" "$SINGLE_PORT" "$BUCKET" "$TMP/files" "$TMP/urls-single" "$PUT_KEYS"
timeout 300 node "$HERE/prep.cjs" "$GW1_PORT" "$BUCKET" "$TMP/files" "$TMP/urls-gw" "$PUT_KEYS"
half=$(((PUT_KEYS + 1) / 2))
head -n "$half" "$TMP/urls-gw/put-paths.txt" > "$TMP/urls-gw/put-paths-1.txt"
tail -n +"$((half + 1))" "$TMP/urls-gw/put-paths.txt" > "$TMP/urls-gw/put-paths-2.txt"
url_path() { local u; u=$(cat "$1"); echo "/${u#http://127.0.0.1:*/}"; } # signed URL file -> path + query

same_bytes() { # url file what
  local got
  got=$(curl -sS --fail-with-body --max-time 30 "$1" | sha256sum) || { echo "$3: GET failed" >&2; exit 1; }
  [ "$got" = "$(sha256sum < "$2")" ] || { echo "$3: body differs from the file" >&2; exit 1; }
}
for obj in f4k f1m; do
  same_bytes "http://127.0.0.1:$SINGLE_PORT$(url_path "$TMP/urls-single/get-$obj.url")" "$TMP/files/$obj" "single node GET $obj"
  same_bytes "http://127.0.0.1:$GW1_PORT$(url_path "$TMP/urls-gw/get-$obj.url")" "$TMP/files/$obj" "gateway 1 GET $obj"
  same_bytes "http://127.0.0.1:$GW2_PORT$(url_path "$TMP/urls-gw/get-$obj.url")" "$TMP/files/$obj" "gateway 2 GET $obj"
done

# ---------- the pair's list bucket: one real object through gateway 1, copied in SQL ----------
if has_row list; then
  echo "filling the gateways' bucket '$LIST_BUCKET' with $LIST_KEYS records (one real object + SQL copy)..." >&2
  ossctl_at "$GW1_PORT" mb "oss://$LIST_BUCKET" > /dev/null
  head -c 4096 /dev/urandom > "$TMP/seed"
  ossctl_at "$GW1_PORT" cp "$TMP/seed" "oss://$LIST_BUCKET/${LIST_PREFIX}00000000" > /dev/null
  fill_t0=$(date +%s.%N)
  # The seed row's columns, LIST_KEYS-1 times under new keys (bytea, as the store writes them), and the
  # blob's reference count raised by as many, in one transaction; the blob id is the first segment's.
  PSQL_TIMEOUT=1200 psql_pg -v bucket="$LIST_BUCKET" -v seed="${LIST_PREFIX}00000000" -v prefix="$LIST_PREFIX" \
    -v n="$LIST_KEYS" > "$TMP/fill-pg.out" 2>&1 << 'SQL' || { cat "$TMP/fill-pg.out" >&2; exit 1; }
BEGIN;
INSERT INTO objects (bucket, key, size, etag, crc64, last_modified_ms, object_type, storage_class, acl,
                     content_type, headers, user_meta, tags, segments)
SELECT s.bucket, convert_to(:'prefix' || lpad(i::text, 8, '0'), 'UTF8'), s.size, s.etag, s.crc64,
       s.last_modified_ms, s.object_type, s.storage_class, s.acl, s.content_type, s.headers, s.user_meta,
       s.tags, s.segments
FROM objects s, generate_series(1, :n - 1) AS i
WHERE s.bucket = :'bucket' AND s.key = convert_to(:'seed', 'UTF8');
WITH seed AS (
  SELECT (segments::json -> 0 ->> 0) AS blob_id, json_array_length(segments::json) AS n_segments
  FROM objects WHERE bucket = :'bucket' AND key = convert_to(:'seed', 'UTF8')
)
UPDATE live_blobs SET refs = refs + (:n - 1) FROM seed
WHERE live_blobs.blob_id = seed.blob_id AND seed.n_segments = 1;
SELECT count(*) AS objects FROM objects WHERE bucket = :'bucket' \gset
SELECT l.refs AS refs FROM live_blobs l, objects o
WHERE o.bucket = :'bucket' AND o.key = convert_to(:'seed', 'UTF8') AND l.blob_id = (o.segments::json -> 0 ->> 0) \gset
SELECT (:objects = :n AND :refs = :n) AS fill_ok \gset
\if :fill_ok
  COMMIT;
\else
  \echo fill check failed: objects=:objects refs=:refs (want :n each)
  ROLLBACK;
  \quit 3
\endif
VACUUM ANALYZE objects;
SQL
  FILL_PG="RESULT filled bucket=$LIST_BUCKET keys=$LIST_KEYS seconds=$(awk -v a="$fill_t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}') (one INSERT ... SELECT generate_series, fsync on)"
  # Every key is a real object: the last one reads back the seed's bytes through the other gateway.
  last_key=$(printf '%s%08d' "$LIST_PREFIX" $((LIST_KEYS - 1)))
  ossctl_at "$GW2_PORT" cp "oss://$LIST_BUCKET/$last_key" "$TMP/seed.back" > /dev/null
  cmp -s "$TMP/seed" "$TMP/seed.back" || { echo "GET $last_key through gateway 2 did not return the seed's bytes" >&2; exit 1; }
fi

echo "# ossd scale-out (issue #7): single node vs two gateways, loopback, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "single node: ossd pid $SINGLE_PID :$SINGLE_PORT, SQLite + files in $TMP/single"
echo "two gateways: ossd pids $GW1_PID :$GW1_PORT and $GW2_PID :$GW2_PORT, --meta $PG_URI (PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $NF}'), fsync=on, synchronous_commit=on, shared_buffers=$PG_SHARED_BUFFERS), --blob rados namespace $CEPH_NS on $CEPH_NOTE"
echo "ossd: $OSSD_BIN (built $(date -u -r "$OSSD_BIN" '+%Y-%m-%d %H:%M UTC')), io-threads=$OSSD_IO_THREADS each"
[ -n "${FILL_SINGLE:-}" ] && echo "list bucket, single node: $FILL_SINGLE"
[ -n "${FILL_PG:-}" ] && echo "list bucket, two gateways: $FILL_PG"
echo "wrk -d$DUR, $THREADS threads in all, runs=$RUNS, rows: $ROWS; nproc=$(nproc), load avg $(cut -d' ' -f1-3 /proc/loadavg), setup took ${SECONDS}s"
echo

# ---------- measuring ----------
RAW=$TMP/raw.txt
: > "$RAW"
: > "$TMP/errors.txt"
PAIR_THREADS=$((THREADS / 2 > 0 ? THREADS / 2 : 1))
# wrk_bg out conns threads lua url: one wrk in the background (env passes to the lua script)
wrk_bg() {
  local out=$1 c=$2 t=$3 lua=$4 url=$5
  [ "$t" -gt "$c" ] && t=$c
  timeout 300 wrk -t"$t" -c"$c" -d"$DUR" --latency -s "$lua" "$url" > "$out" 2>&1 &
  WRK_PIDS+=($!)
}
wrk_wait() { local p; for p in "${WRK_PIDS[@]}"; do wait "$p" || true; done; WRK_PIDS=(); }
result_of() { grep '^RESULT' "$1" || echo "RESULT rps=0 mbps=0 p50_ms=nan p99_ms=nan reqs=0 non2xx=0 sockerr=0 wrk_failed=1"; }
note_errors() { # out label
  grep '^SAMPLE' "$1" | head -n 1 | sed "s/^/   $2 first non-2xx: /" >> "$TMP/errors.txt" || true
  grep -qi 'error\|unable' "$1" && grep -i 'error\|unable' "$1" | head -n 1 | sed "s/^/   $2: /" >> "$TMP/errors.txt" || true
}
# measure row side run conns lua url1 [url2]: side single -> one wrk on url1 with conns;
# side pair -> two wrk at once, conns/2 each, on url1 (gateway 1) and url2 (gateway 2).
# Env for the lua scripts: PUT_PATHS_1/PUT_PATHS_2 or GET_PATHS (set by the caller) are passed per side.
measure() {
  local row=$1 side=$2 n=$3 c=$4 lua=$5 url1=$6 url2=${7:-} g0 g1 b0 b1 r r1 r2 reqs
  if [ "$side" = single ]; then
    profile_start "$row-single" "$SINGLE_PID"
    g0=$(cpu_ticks "$SINGLE_PID")
    PUT_PATHS=${SINGLE_PUT_PATHS:-} wrk_bg "$TMP/wrk.out" "$c" "$THREADS" "$lua" "$url1"
    wrk_wait
    g1=$(cpu_ticks "$SINGLE_PID")
    profile_stop "$row-single"
    r=$(result_of "$TMP/wrk.out"); note_errors "$TMP/wrk.out" "$row single"
    reqs=$(field reqs "$r")
    echo "$row $side run=$n c=$c $r gw_us=$(per_req $((g1 - g0)) "$reqs") be_us=nan" | tee -a "$RAW" >&2
  else
    local pids="$GW1_PID $GW2_PID" backend
    backend="$(pg_pids) $(ceph_pids)"
    profile_start "$row-gateway1" "$GW1_PID"
    g0=$(cpu_ticks $pids); b0=$(cpu_ticks $backend)
    PUT_PATHS=${PAIR_PUT_PATHS_1:-} wrk_bg "$TMP/wrk1.out" "$((c / 2))" "$PAIR_THREADS" "$lua" "$url1"
    PUT_PATHS=${PAIR_PUT_PATHS_2:-} wrk_bg "$TMP/wrk2.out" "$((c - c / 2))" "$PAIR_THREADS" "$lua" "$url2"
    wrk_wait
    g1=$(cpu_ticks $pids); b1=$(cpu_ticks $backend)
    profile_stop "$row-gateway1"
    r1=$(result_of "$TMP/wrk1.out"); r2=$(result_of "$TMP/wrk2.out")
    note_errors "$TMP/wrk1.out" "$row gateway 1"; note_errors "$TMP/wrk2.out" "$row gateway 2"
    r=$(awk -v a="$r1" -v b="$r2" 'function f(s, k,   n, i, p) { n = split(s, p, " "); for (i = 1; i <= n; i++) if (index(p[i], k "=") == 1) return substr(p[i], length(k) + 2); return "nan" }
      BEGIN {
        p1 = f(a, "p99_ms"); p2 = f(b, "p99_ms"); p99 = (p1 == "nan") ? p2 : (p2 == "nan" ? p1 : (p1 + 0 > p2 + 0 ? p1 : p2))
        printf "RESULT rps=%.1f mbps=%.1f p99_ms=%s reqs=%d non2xx=%d sockerr=%d rps_gw1=%s rps_gw2=%s p99_gw1=%s p99_gw2=%s",
          f(a, "rps") + f(b, "rps"), f(a, "mbps") + f(b, "mbps"), p99, f(a, "reqs") + f(b, "reqs"),
          f(a, "non2xx") + f(b, "non2xx"), f(a, "sockerr") + f(b, "sockerr"), f(a, "rps"), f(b, "rps"), p1, p2 }')
    reqs=$(field reqs "$r")
    echo "$row $side run=$n c=$c $r gw_us=$(per_req $((g1 - g0)) "$reqs") be_us=$(per_req $((b1 - b0)) "$reqs")" | tee -a "$RAW" >&2
  fi
}
# PROFILE=<dir>: perf record -g of one server over a measured window (the single node's ossd, or gateway 1;
# librados runs inside the gateway, so its threads are in the profile); <dir>/<row>-<who>.txt is the flat
# profile. Only the first run of a cell is profiled. Sampling costs the profiled server a few per cent.
PERF_PID=""
profile_start() { # name pid
  [ -n "${PROFILE:-}" ] && [ ! -e "$PROFILE/$1.data" ] || return 0
  perf record -q -F 499 -g -p "$2" -o "$PROFILE/$1.data" 2> "$PROFILE/$1.perf.err" &
  PERF_PID=$!
  sleep 0.3
}
profile_stop() { # name
  [ -n "$PERF_PID" ] || return 0
  stop_pid "$PERF_PID" INT 20; PERF_PID=""
  timeout 120 perf report -i "$PROFILE/$1.data" --no-children --stdio --percent-limit 0.7 -g none --sort dso,symbol \
    > "$PROFILE/$1.txt" 2> /dev/null || true
}
if [ -n "${PROFILE:-}" ]; then
  mkdir -p "$PROFILE"; PROFILE=$(cd "$PROFILE" && pwd)
fi
warm() { # lua url1 url2 url3: 1 s on each server, not recorded
  local lua=$1 u
  shift
  for u in "$@"; do timeout 30 wrk -t1 -c4 -d1s -s "$lua" "$u" > /dev/null 2>&1 || true; done
}
# ab row conns lua single-url gw1-url gw2-url: RUNS runs, single node and pair alternating.
ab() {
  local row=$1 c=$2 lua=$3 us=$4 u1=$5 u2=$6 n side
  for n in $(seq 1 "$RUNS"); do
    for side in $([ $((n % 2)) = 1 ] && echo "single pair" || echo "pair single"); do
      if [ "$side" = single ]; then measure "$row" single "$n" "$c" "$lua" "$us"; else measure "$row" pair "$n" "$c" "$lua" "$u1" "$u2"; fi
    done
  done
}
GET_LUA=$HERE/wrk-get.lua
PUT_LUA=$HERE/wrk-put.lua
PATHS_LUA=$HERE/wrk-paths.lua
S=http://127.0.0.1:$SINGLE_PORT
G1=http://127.0.0.1:$GW1_PORT
G2=http://127.0.0.1:$GW2_PORT

row_get() { # row object conns
  local p s g
  s=$(url_path "$TMP/urls-single/get-$2.url"); g=$(url_path "$TMP/urls-gw/get-$2.url")
  warm "$GET_LUA" "$S$s" "$G1$g" "$G2$g"
  ab "$1" "$3" "$GET_LUA" "$S$s" "$G1$g" "$G2$g"
}
row_put() { # row size conns
  export PUT_SIZE=$2
  SINGLE_PUT_PATHS=$TMP/urls-single/put-paths.txt PAIR_PUT_PATHS_1=$TMP/urls-gw/put-paths-1.txt \
    PAIR_PUT_PATHS_2=$TMP/urls-gw/put-paths-2.txt
  PUT_PATHS=$SINGLE_PUT_PATHS warm "$PUT_LUA" "$S/"
  PUT_PATHS=$PAIR_PUT_PATHS_1 warm "$PUT_LUA" "$G1/"
  PUT_PATHS=$PAIR_PUT_PATHS_2 warm "$PUT_LUA" "$G2/"
  ab "$1" "$3" "$PUT_LUA" "$S/" "$G1/" "$G2/"
  SINGLE_PUT_PATHS="" PAIR_PUT_PATHS_1="" PAIR_PUT_PATHS_2=""
}
row_list() {
  local span=$((LIST_KEYS - 1001)) i m expires sig base first want keys port
  : > "$TMP/markers.txt"
  for i in $(seq 1 "$LIST_MARKERS"); do
    m=$(((i * 7919 * 1000 + RANDOM) % span))
    printf '%s%08d\n' "$LIST_PREFIX" "$m" >> "$TMP/markers.txt"
  done
  # One V1 signed URL of the bucket: marker and max-keys are not signed sub-resources.
  expires=$(($(date +%s) + 3600))
  sig=$(printf 'GET\n\n\n%s\n/%s/' "$expires" "$LIST_BUCKET" | openssl dgst -sha1 -hmac "$ROOT_KEY_SECRET" -binary | openssl base64)
  base="/$LIST_BUCKET/?OSSAccessKeyId=$ROOT_KEY_ID&Expires=$expires&Signature=$(urlenc "$sig")&max-keys=1000"
  while read -r m; do echo "$base&marker=$(urlenc "$m")"; done < "$TMP/markers.txt" > "$TMP/list-paths.txt"
  # Sanity on all three servers: a page holds 1000 keys, starting right after its marker.
  m=$(head -n 1 "$TMP/markers.txt"); want=$(printf '%s%08d' "$LIST_PREFIX" $((10#${m#"$LIST_PREFIX"} + 1)))
  for port in "$SINGLE_PORT" "$GW1_PORT" "$GW2_PORT"; do
    curl -sS --fail-with-body --max-time 60 -o "$TMP/page.xml" "http://127.0.0.1:$port$(head -n 1 "$TMP/list-paths.txt")" ||
      { echo "ListObjects on :$port failed: $(head -c 500 "$TMP/page.xml")" >&2; exit 1; }
    grep -o '<Key>[^<]*</Key>' "$TMP/page.xml" | sed 's/<[^>]*>//g' > "$TMP/page.keys"
    keys=$(wc -l < "$TMP/page.keys"); first=$(sed -n 1p "$TMP/page.keys")
    [ "$keys" = 1000 ] && [ "$first" = "$want" ] ||
      { echo "ListObjects on :$port: expected 1000 keys from $want, got $keys from '$first'" >&2; exit 1; }
  done
  export GET_PATHS=$TMP/list-paths.txt
  warm "$PATHS_LUA" "$S/" "$G1/" "$G2/"
  ab list "$LIST_CONNS" "$PATHS_LUA" "$S/" "$G1/" "$G2/"
}

alive() { local p; for p in "$SINGLE_PID" "$GW1_PID" "$GW2_PID" "$PG_PID"; do kill -0 "$p" 2> /dev/null || return 1; done; }
DEAD=""
for row in $ROWS; do
  alive || { DEAD="before row $row"; break; }
  echo "## $row" >&2
  case $row in
    put4k) row_put put4k 4096 "$PUT_CONNS" ;;
    get4k) row_get get4k f4k "$GET_CONNS" ;;
    put1m) row_put put1m 1048576 "$PUT1M_CONNS" ;;
    get1m) row_get get1m f1m "$GET1M_CONNS" ;;
    list) row_list ;;
  esac
done
alive || DEAD=${DEAD:-"after the last row"}

# ---------- report ----------
val() { # row side field -> median over runs
  { grep "^$1 $2 " "$RAW" || true; } | tr ' ' '\n' | sed -n "s/^$3=//p" | { grep -v nan || true; } | median
}
errs() { { grep "^$1 $2 " "$RAW" || true; } | tr ' ' '\n' | sed -n 's/^\(non2xx\|sockerr\|wrk_failed\)=//p' | awk '{ s += $1 } END { print s + 0 }'; }
fmt() { awk -v v="$1" -v d="$2" 'BEGIN{ if (v == "nan" || v == "") print "n/a"; else printf "%." d "f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "nan" || b == "nan" || a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
REPORT_MD=$TMP/report.md
{
  echo "| workload | conns | single node (SQLite + files) | two gateways (PostgreSQL + RADOS) | ratio 2gw / 1 | p99 ms single | p99 ms 2gw | p99 ratio | CPU µs/req single: ossd | CPU µs/req 2gw: gateways + PG/Ceph | errors single / 2gw |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for row in $ROWS; do
    case $row in
      put4k) label="PUT 4 KiB ($PUT_KEYS rotating keys)"; c=$PUT_CONNS; metric=rps; unit="req/s" ;;
      get4k) label="GET 4 KiB"; c=$GET_CONNS; metric=rps; unit="req/s" ;;
      put1m) label="PUT 1 MiB ($PUT_KEYS rotating keys)"; c=$PUT1M_CONNS; metric=mbps; unit="MB/s" ;;
      get1m) label="GET 1 MiB"; c=$GET1M_CONNS; metric=mbps; unit="MB/s" ;;
      list) label="ListObjects 1000-key page of $LIST_KEYS keys"; c=$LIST_CONNS; metric=rps; unit="pages/s" ;;
    esac
    s=$(val "$row" single "$metric"); p=$(val "$row" pair "$metric")
    sp=$(val "$row" single p99_ms); pp=$(val "$row" pair p99_ms)
    echo "| $label | $c ($((c / 2))+$((c - c / 2))) | $(fmt "$s" 0) $unit | $(fmt "$p" 0) $unit | **$(ratio "$p" "$s")** | $(fmt "$sp" 2) | $(fmt "$pp" 2) | $(ratio "$pp" "$sp") | $(fmt "$(val "$row" single gw_us)" 0) | $(fmt "$(val "$row" pair gw_us)" 0) + $(fmt "$(val "$row" pair be_us)" 0) | $(errs "$row" single) / $(errs "$row" pair) |"
  done
  echo
  echo "Medians of $RUNS run(s) per cell, wrk -d$DUR. Two gateways: two wrk at once (no front), half of the connections and"
  echo "$PAIR_THREADS wrk thread(s) each, req/s and MB/s summed, p99 = the larger of the two wrk p99s. MB/s for 1 MiB rows"
  echo "(wrk's bytes/s for GET, body bytes sent for PUT; 1e6). CPU µs/req = utime+stime (/proc/PID/stat) over the measured"
  echo "window / completed requests: the single node's ossd; the two gateways' ossd together + PostgreSQL (postmaster and"
  echo "its backends) and Ceph (mon + osd) together. Everything (wrk, servers, PostgreSQL, Ceph) shares the $(nproc) cores:"
  echo "the ratios say what the extra work costs on one box, not what two boxes would do."
  echo "Run took ${SECONDS}s in all; load avg now $(cut -d' ' -f1-3 /proc/loadavg)."
  [ -n "$DEAD" ] && echo "!! a server exited ($DEAD); figures after that are missing."
  echo
  echo "### What would change on separate machines (draft, for the lead to fill from the figures)"
  echo
  echo "CPU-bound ceilings from the CPU columns above (1e6 / CPU µs per request; network, disks and queueing ignored):"
  echo
  for row in $ROWS; do
    case $row in
      put4k) label="PUT 4 KiB"; mb=0 ;; get4k) label="GET 4 KiB"; mb=0 ;; put1m) label="PUT 1 MiB"; mb=1 ;;
      get1m) label="GET 1 MiB"; mb=1 ;; list) label="ListObjects page"; mb=0 ;;
    esac
    awk -v l="$label" -v mb="$mb" -v s="$(val "$row" single gw_us)" -v g="$(val "$row" pair gw_us)" -v b="$(val "$row" pair be_us)" '
      function cap(us) { if (us == "nan" || us == "" || us + 0 == 0) return "n/a"; return mb ? sprintf("%.0f MB/s", 1e6 / us * 1.048576) : sprintf("%.0f req/s", 1e6 / us) }
      function cores(us) { if (us == "nan" || us == "") return "n/a"; return sprintf("%.2f", us * 1000 / 1e6) }
      BEGIN { printf "- %s: single node %s per core; a gateway %s per core; PostgreSQL + Ceph need %s cores per 1000 req/s.\n", l, cap(s), cap(g), cores(b) }'
  done
  echo
  echo "- Here wrk, both gateways, PostgreSQL and Ceph share $(nproc) cores, so the two-gateway figures are bounded by the"
  echo "  SUM of gateway + backend CPU per request; on separate machines each gateway has its own cores and throughput"
  echo "  scales with the number of gateways until PostgreSQL or the OSDs saturate (see the ceilings above)."
  echo "- Every request becomes network round trips that are loopback here: a PUT is a RADOS write plus a PostgreSQL"
  echo "  commit (and its WAL fsync), a GET a PostgreSQL read plus a RADOS read, a list page one index range scan."
  echo "  Expect p99 to grow by a few RTTs per request; with enough connections throughput recovers."
  echo "- This Ceph pool has size 1 on one OSD over a sparse file; a real pool (size 3) waits for three OSDs per write,"
  echo "  so PUT latency and OSD CPU per write rise, spread over the OSD hosts."
  echo "- PostgreSQL's WAL fsyncs, the OSD and the single node share one disk here; on separate machines PostgreSQL's"
  echo "  commit latency is its own disk's fsync (plus synchronous replication, if any)."
  echo "- 1 MiB bodies cross the network twice on the pair (client <-> gateway <-> OSD); a 10 GbE link carries about"
  echo "  1.2 GB/s per direction, which may cap a gateway's 1 MiB throughput before its cores do (compare the"
  echo "  per-core ceilings above times the gateway's cores)."
  if [ -s "$TMP/errors.txt" ]; then echo; echo "Errors seen:"; sort -u "$TMP/errors.txt" | head -n 20; fi
  for log in single gw1 gw2; do
    if grep -qiE '\b(error|critical)\b' "$TMP/$log.log"; then
      echo; echo "$log log (error and above, last 5 lines):"; grep -iE '\b(error|critical)\b' "$TMP/$log.log" | tail -n 5 | sed 's/^/    /'
    fi
  done
} > "$REPORT_MD"
cat "$REPORT_MD"
[ -n "${REPORT:-}" ] && cp "$REPORT_MD" "$REPORT"
[ -z "$DEAD" ]
