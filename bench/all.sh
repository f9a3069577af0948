#!/usr/bin/env bash
# Issue #8's whole target table in one command: ossd next to its anchor, in the same run, A/B
# alternated, one markdown table of figures, ratios, targets, MET / NOT MET, server CPU µs per
# request and p99.
#
#   bench/install.sh                       # once: nginx + wrk (node + ali-oss come with tests/)
#   cmake --build build --target ossd ossctl ossd_rpc_load ossd_durable_put ossd_fill_bucket ossd_list_scan
#   bench/all.sh                           # full run, about 5 min (305 s measured, 1M-key fill included); BUILD=<dir> for another build
#   DUR=1s RUNS=1 LIST_KEYS=50000 bench/all.sh          # smoke run, ~1-2 min
#
# Rows (ROWS, default all, in this order):
#   signed_get   V1 signed-URL GET 4 KiB at GET_CONNS (16 64 256) vs nginx secure_link (md5) signed URL
#   sts_get      header-signed GET 4 KiB with an STS token vs ossd's own long-term-key header-signed GET
#                (headers signed once by ali-oss, replayed by wrk), at STS_CONNS (64)
#   get1m        GET 1 MiB (V1 signed URL) at GET1M_CONNS (16 64) vs nginx static + sendfile
#   put4k        durable PUT 4 KiB at PUT_CONNS (16) vs ossd_durable_put, 16 threads
#   put1m        PUT 1 MiB at PUT_CONNS (16) vs ossd_durable_put 1 MiB, 4 threads (MB/s)
#   list         ListObjects 1000-key page of a LIST_KEYS-key bucket, without and with `/` delimiter,
#                at LIST_CONNS (16) vs ossd_list_scan (the same page straight from SQLite)
#   assume_role  STS AssumeRole req/s at ASSUME_CONNS (64) through ossd_rpc_load (target 20,000/s)
#   idle         IDLE_CONNS (10,000) idle keep-alive connections: ossd RSS before and after
#
# env: DUR=4s RUNS=3 THREADS=2 (wrk -t) ROWS="signed_get sts_get get1m put4k put1m list assume_role idle"
#      GET_CONNS="16 64 256" STS_CONNS=64 GET1M_CONNS="16 64" PUT_CONNS=16 PUT_KEYS=1000 LIST_CONNS=16
#      LIST_KEYS=1000000 LIST_MARKERS=64 ASSUME_CONNS=64 IDLE_CONNS=10000
#      BUILD=build (where ossd, ossctl and the bench tools are) or OSSD_BIN / OSSCTL_BIN / TOOLS_DIR
#      OSSD_IO_THREADS=0 (= cores) NGINX_WORKERS=auto REPORT=<file> (also write the table there)
#      PROFILE=<dir>: also record ossd with `perf record -g` over each row (it samples only ossd, so
#      the anchors' turns add nothing) and write <dir>/<row>.txt, the flat profile of ossd's own
#      samples, and <dir>/<row>.callers.txt, the call graph. Sampling costs ossd a few per cent.
# Loopback only. Starts one ossd, one nginx and its own clients on free ports; stops exactly those
# (by pid) and removes its temp dir (/tmp/ossd-all.*) on exit. Every load command has a timeout.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OSSD_BIN=${OSSD_BIN:-$BUILD/src/server/ossd}
OSSCTL_BIN=${OSSCTL_BIN:-$BUILD/src/cli/ossctl}
TOOLS_DIR=${TOOLS_DIR:-$BUILD/bench/micro}
DUR=${DUR:-4s}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
ROWS=${ROWS:-"signed_get sts_get get1m put4k put1m list assume_role idle"}
GET_CONNS=${GET_CONNS:-"16 64 256"}
STS_CONNS=${STS_CONNS:-64}
GET1M_CONNS=${GET1M_CONNS:-"16 64"}
PUT_CONNS=${PUT_CONNS:-16}
PUT_KEYS=${PUT_KEYS:-1000}
LIST_CONNS=${LIST_CONNS:-16}
LIST_KEYS=${LIST_KEYS:-1000000}
LIST_MARKERS=${LIST_MARKERS:-64}
ASSUME_CONNS=${ASSUME_CONNS:-64}
IDLE_CONNS=${IDLE_CONNS:-10000}
OSSD_IO_THREADS=${OSSD_IO_THREADS:-0}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
CLK_TCK=$(getconf CLK_TCK)
DUR_S=$(echo "$DUR" | sed 's/s$//') # wrk takes "4s"; the C++ tools take seconds
BUCKET=bench
LIST_BUCKET=list
LIST_PREFIX=data/
ACCOUNT=1234567890123456
ROOT_KEY_ID=BenchAccessKeyId0001
ROOT_KEY_SECRET=BenchAccessKeySecret000000000001
ROLE=bench-role
ROLE_ARN="acs:ram::$ACCOUNT:role/$ROLE"

has_row() { case " $ROWS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
for tool in wrk curl node openssl /usr/sbin/nginx; do
  command -v "$tool" > /dev/null || { echo "missing $tool: run bench/install.sh" >&2; exit 1; }
done
need_bin() { [ -x "$1" ] || { echo "missing $1 (cmake --build $BUILD --target $(basename "$1"))" >&2; exit 1; }; }
need_bin "$OSSD_BIN"
{ has_row sts_get || has_row assume_role; } && need_bin "$OSSCTL_BIN"
has_row assume_role && need_bin "$TOOLS_DIR/ossd_rpc_load"
{ has_row put4k || has_row put1m; } && need_bin "$TOOLS_DIR/ossd_durable_put"
has_row list && { need_bin "$TOOLS_DIR/ossd_fill_bucket"; need_bin "$TOOLS_DIR/ossd_list_scan"; }

# Row idle needs a descriptor per connection in ossd and in the client (both inherit this limit).
if has_row idle; then
  want=$((IDLE_CONNS + 2000)); hard=$(ulimit -Hn)
  [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ] && want=$hard
  ulimit -n "$want"
  [ "$((IDLE_CONNS + 500))" -le "$(ulimit -n)" ] ||
    echo "note: ulimit -n is $(ulimit -n), below IDLE_CONNS=$IDLE_CONNS + 500; the idle row may fall short" >&2
fi

TMP=$(mktemp -d /tmp/ossd-all.XXXXXX)
OSSD_PID=""
NGINX_PID=""
CLIENT_PID=""
stop_pid() { # pid signal: signal one process we started, wait up to 10 s, then KILL
  local i
  [ -n "$1" ] || return 0
  kill "-$2" "$1" 2> /dev/null || return 0
  for i in $(seq 1 100); do kill -0 "$1" 2> /dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2> /dev/null || true
}
cleanup() {
  stop_pid "${PERF_PID:-}" INT
  stop_pid "$CLIENT_PID" TERM
  stop_pid "$OSSD_PID" TERM
  stop_pid "$NGINX_PID" QUIT # nginx master: graceful, takes its workers with it
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# ---------- helpers ----------
median() { sort -g | awk '{a[NR]=$1} END{ if(NR==0){print "nan"} else if(NR%2){print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2} }'; }
cpu_ticks() { # utime+stime of the given pids (whole processes)
  local t=0 p f
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    read -ra f < <(sed 's/^.*) //' "/proc/$p/stat"); t=$((t + f[11] + f[12]))
  done
  echo $t
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
free_port() { local p=$1; while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done; echo $p; }
field() { awk -v k="$1=" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) { print substr($i, length(k) + 1); exit } }' <<< "$2"; } # name line
urlenc() { # percent-encodes everything but RFC 3986 unreserved characters (keys here are ASCII)
  local s=$1 out="" ch i
  for ((i = 0; i < ${#s}; i++)); do
    ch=${s:i:1}
    case $ch in [A-Za-z0-9._~-]) out+=$ch ;; *) out+=$(printf '%%%02X' "'$ch") ;; esac
  done
  printf '%s' "$out"
}
ossd_alive() { kill -0 "$OSSD_PID" 2> /dev/null; }
OSSD_DEAD=""

# ---------- fixtures: the same bytes for nginx and ossd ----------
mkdir -p "$TMP/www/files" "$TMP/nginx/tmp" "$TMP/urls" "$TMP/durable"
head -c 4096 /dev/urandom > "$TMP/www/files/f4k"
head -c 1048576 /dev/urandom > "$TMP/www/files/f1m"
chmod 755 "$TMP" "$TMP/www" "$TMP/www/files"; chmod 644 "$TMP/www/files/"*; chmod 1777 "$TMP/nginx/tmp"

# ---------- nginx: static files with sendfile, and the same files behind secure_link ----------
NGINX_PORT=$(free_port 18580)
SECURE_LINK_SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat > "$TMP/nginx/nginx.conf" << CONF
worker_processes $NGINX_WORKERS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65; keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;
  client_body_temp_path $TMP/nginx/tmp; proxy_temp_path $TMP/nginx/tmp;
  fastcgi_temp_path $TMP/nginx/tmp; uwsgi_temp_path $TMP/nginx/tmp; scgi_temp_path $TMP/nginx/tmp;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location /files/ { root $TMP/www; }
    location /s/ {
      secure_link \$arg_md5,\$arg_expires;
      secure_link_md5 "\$secure_link_expires\$uri $SECURE_LINK_SECRET";
      if (\$secure_link = "")  { return 403; }
      if (\$secure_link = "0") { return 410; }
      alias $TMP/www/files/;
    }
  }
}
CONF
/usr/sbin/nginx -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log"
for _ in $(seq 1 50); do [ -s "$TMP/nginx/nginx.pid" ] && break; sleep 0.1; done
NGINX_PID=$(cat "$TMP/nginx/nginx.pid")
sleep 0.3
NGINX_PIDS="$NGINX_PID $(ps -o pid= --ppid "$NGINX_PID" | xargs)"
# secure_link_md5 URL: md5 = base64url(md5("<expires><uri> <secret>")), without padding.
nginx_signed() { # uri
  local expires=$(( $(date +%s) + 3600 )) md5
  md5=$(printf '%s' "$expires$1 $SECURE_LINK_SECRET" | openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =)
  echo "http://127.0.0.1:$NGINX_PORT$1?md5=$md5&expires=$expires"
}

# ---------- the 1M-key bucket, written straight into meta.db before ossd starts ----------
mkdir -m 700 "$TMP/data"
if has_row list; then
  echo "filling bucket '$LIST_BUCKET' with $LIST_KEYS metadata records..." >&2
  (umask 077; "$TOOLS_DIR/ossd_fill_bucket" --data-dir "$TMP/data" --bucket "$LIST_BUCKET" --owner "$ACCOUNT" \
    --prefix "$LIST_PREFIX" --keys "$LIST_KEYS") > "$TMP/fill.out"
  FILL_LINE=$(grep '^RESULT' "$TMP/fill.out")
fi

# ---------- ossd ----------
OSSD_ROOT_ACCESS_KEY_ID=$ROOT_KEY_ID OSSD_ROOT_ACCESS_KEY_SECRET=$ROOT_KEY_SECRET OSSD_ROOT_ACCOUNT_ID=$ACCOUNT \
  "$OSSD_BIN" --address 127.0.0.1:0 --data-dir "$TMP/data" --no-access-log --log-level warn \
  --io-threads "$OSSD_IO_THREADS" --shutdown-grace 2 > "$TMP/ossd.log" 2>&1 &
OSSD_PID=$!
OSSD_PORT=""
for _ in $(seq 1 300); do
  OSSD_PORT=$(sed -n 's|^ossd listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$TMP/ossd.log" | head -1)
  [ -n "$OSSD_PORT" ] && break
  ossd_alive || { echo "ossd failed to start:" >&2; cat "$TMP/ossd.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$OSSD_PORT" ] || { echo "ossd did not print its port:" >&2; cat "$TMP/ossd.log" >&2; exit 1; }
OSSD_URL="http://127.0.0.1:$OSSD_PORT"
ossctl() { timeout 60 "$OSSCTL_BIN" --endpoint "$OSSD_URL" --access-key-id "$ROOT_KEY_ID" --access-key-secret "$ROOT_KEY_SECRET" "$@"; }

# Bucket, the two objects (same bytes as nginx's), V1 signed GET URLs and PUT paths, through ali-oss.
OSSD_ROOT_ACCESS_KEY_ID=$ROOT_KEY_ID OSSD_ROOT_ACCESS_KEY_SECRET=$ROOT_KEY_SECRET \
  timeout 300 node "$HERE/prep.cjs" "$OSSD_PORT" "$BUCKET" "$TMP/www/files" "$TMP/urls" "$PUT_KEYS"

# Sanity: both servers return the file's exact bytes.
same_bytes() { # url file what
  local got
  got=$(curl -sS --fail-with-body "$1" | sha256sum) || { echo "$3: GET failed" >&2; exit 1; }
  [ "$got" = "$(sha256sum < "$2")" ] || { echo "$3: body differs from the file" >&2; exit 1; }
}
for obj in f4k f1m; do
  same_bytes "$(cat "$TMP/urls/get-$obj.url")" "$TMP/www/files/$obj" "ossd signed GET $obj"
  same_bytes "http://127.0.0.1:$NGINX_PORT/files/$obj" "$TMP/www/files/$obj" "nginx static $obj"
  same_bytes "$(nginx_signed "/s/$obj")" "$TMP/www/files/$obj" "nginx secure_link $obj"
done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/s/f4k?md5=AAAA&expires=2147483647")
[ "$code" = 403 ] || { echo "nginx secure_link accepted a bad signature (HTTP $code)" >&2; exit 1; }

# The role for sts_get and assume_role: trusted by the account, allowed to read OSS.
if has_row sts_get || has_row assume_role; then
  printf '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::%s:root"]}}],"Version":"1"}\n' \
    "$ACCOUNT" > "$TMP/trust.json"
  ossctl admin role create "$ROLE" --trust "$TMP/trust.json" --max-session-duration 3600 > /dev/null
  ossctl admin policy attach AliyunOSSReadOnlyAccess --type System --role "$ROLE" > /dev/null
fi

echo "# ossd issue #8 table, loopback, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "ossd pid $OSSD_PID on 127.0.0.1:$OSSD_PORT ($OSSD_BIN, built $(date -u -r "$OSSD_BIN" '+%Y-%m-%d %H:%M UTC'), io-threads=$OSSD_IO_THREADS)"
echo "nginx pids $NGINX_PIDS on 127.0.0.1:$NGINX_PORT ($(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //'), workers=$NGINX_WORKERS)"
[ -n "${FILL_LINE:-}" ] && echo "list bucket: $FILL_LINE"
echo "wrk -t$THREADS -d$DUR, runs=$RUNS (A/B alternated, order flipped every run), rows: $ROWS"
echo "nproc=$(nproc), load avg $(cut -d' ' -f1-3 /proc/loadavg), setup took ${SECONDS}s"
echo

# ---------- one measured run of one side ----------
RAW="$TMP/raw.txt"; : > "$RAW"
# record row conns side run# RESULT-line cpu_us_per_req
record() {
  echo "$1 c=$2 $3 run=$4 $5 srv_us=$6" | tee -a "$RAW"
  if [ "$3" = ossd ] && ! ossd_alive && [ -z "$OSSD_DEAD" ]; then
    OSSD_DEAD="$1 c=$2 run=$4"
    echo "!! ossd (pid $OSSD_PID) exited during $OSSD_DEAD; last lines of its output:" >&2
    tail -n 40 "$TMP/ossd.log" >&2 || true
  fi
}
per_req() { # ticks requests -> µs per request
  awk -v d="$1" -v n="$2" -v hz="$CLK_TCK" 'BEGIN{ print (n > 0 ? sprintf("%.1f", d * 1e6 / hz / n) : "nan") }'
}
# wrk_run row conns side run# pids lua url [extra wrk args...] (env passes through to the lua script)
wrk_run() {
  local row=$1 c=$2 side=$3 n=$4 pids=$5 lua=$6 url=$7 c0 c1 out r st
  shift 7
  c0=$(cpu_ticks $pids)
  out=$(timeout 300 wrk -t"$THREADS" -c"$c" -d"$DUR" --latency -s "$lua" "$@" "$url" 2>&1) || true
  c1=$(cpu_ticks $pids)
  r=$(echo "$out" | grep '^RESULT' || echo "RESULT rps=0 mbps=0 p50_ms=nan p99_ms=nan reqs=0 non2xx=0 sockerr=0 wrk_failed=1")
  st=$(echo "$out" | grep '^STATUS' | sed 's/^STATUS /status:/' | tr ' ' ',' || true)
  echo "$out" | grep '^SAMPLE' | head -1 | sed "s/^/   $row c=$c $side first non-2xx: /" >> "$TMP/errors.txt" || true
  record "$row" "$c" "$side" "$n" "$r $st" "$(per_req $((c1 - c0)) "$(field reqs "$r")")"
}
warm_wrk() { # lua url [extra args]: 1 s, not recorded
  local lua=$1 url=$2; shift 2
  timeout 30 wrk -t"$THREADS" -c16 -d1s -s "$lua" "$@" "$url" > /dev/null 2>&1 || true
}
# ab row conns sideA sideB: RUNS runs, alternating; run_side <row> <conns> <side> <run#> measures one.
ab() {
  local row=$1 c=$2 a=$3 b=$4 n order who
  for n in $(seq 1 "$RUNS"); do
    order="$a $b"; [ $((n % 2)) = 0 ] && order="$b $a"
    for who in $order; do
      [ "$who" = ossd ] && [ -n "$OSSD_DEAD" ] && continue
      run_side "$row" "$c" "$who" "$n"
    done
  done
}
GET_LUA=$HERE/wrk-get.lua
PUT_LUA=$HERE/wrk-put.lua
PATHS_LUA=$HERE/wrk-paths.lua

# ---------- rows ----------
row_signed_get() {
  local ossd_url nginx_url c
  ossd_url=$(cat "$TMP/urls/get-f4k.url"); nginx_url=$(nginx_signed /s/f4k)
  warm_wrk "$GET_LUA" "$ossd_url"; warm_wrk "$GET_LUA" "$nginx_url"
  run_side() {
    case $3 in
      ossd) wrk_run "$1" "$2" ossd "$4" "$OSSD_PID" "$GET_LUA" "$ossd_url" ;;
      nginx) wrk_run "$1" "$2" nginx "$4" "$NGINX_PIDS" "$GET_LUA" "$nginx_url" ;;
    esac
  }
  for c in $GET_CONNS; do ab signed_get "$c" ossd nginx; done
}

row_sts_get() {
  local cred sts_id sts_secret sts_token path c
  cred=$(ossctl sts assume-role --role-arn "$ROLE_ARN" --session bench-get --duration 3600)
  sts_id=$(echo "$cred" | node -e 'const j=JSON.parse(require("fs").readFileSync(0));const c=j.Credentials||j;process.stdout.write(c.AccessKeyId)')
  sts_secret=$(echo "$cred" | node -e 'const j=JSON.parse(require("fs").readFileSync(0));const c=j.Credentials||j;process.stdout.write(c.AccessKeySecret)')
  sts_token=$(echo "$cred" | node -e 'const j=JSON.parse(require("fs").readFileSync(0));const c=j.Credentials||j;process.stdout.write(c.SecurityToken)')
  # Signed now, replayed for the whole row: the x-oss-date stays inside the 15-minute skew window.
  # (ali-oss warns on stderr that a bare STS token is not refreshed: kept out of the report.)
  OSS_KEY_ID=$sts_id OSS_KEY_SECRET=$sts_secret OSS_STS_TOKEN=$sts_token \
    timeout 60 node "$HERE/headers.cjs" "$OSSD_PORT" "$BUCKET" f4k > "$TMP/sts-headers.txt" 2> "$TMP/headers.err" ||
    { cat "$TMP/headers.err" >&2; exit 1; }
  OSS_KEY_ID=$ROOT_KEY_ID OSS_KEY_SECRET=$ROOT_KEY_SECRET \
    timeout 60 node "$HERE/headers.cjs" "$OSSD_PORT" "$BUCKET" f4k > "$TMP/ltk-headers.txt" 2> "$TMP/headers.err" ||
    { cat "$TMP/headers.err" >&2; exit 1; }
  grep -qi '^x-oss-security-token:' "$TMP/sts-headers.txt" || { echo "no security token header signed" >&2; exit 1; }
  STS_H=(); LTK_H=()
  while IFS= read -r l; do STS_H+=(-H "$l"); done < "$TMP/sts-headers.txt"
  while IFS= read -r l; do LTK_H+=(-H "$l"); done < "$TMP/ltk-headers.txt"
  path="$OSSD_URL/$BUCKET/f4k"
  for h in sts ltk; do
    local -n hdr="${h^^}_H"
    local got; got=$(curl -sS --fail-with-body "${hdr[@]}" "$path" | sha256sum) ||
      { echo "header-signed GET ($h) failed" >&2; exit 1; }
    [ "$got" = "$(sha256sum < "$TMP/www/files/f4k")" ] || { echo "header-signed GET ($h): wrong body" >&2; exit 1; }
  done
  warm_wrk "$GET_LUA" "$path" "${STS_H[@]}"; warm_wrk "$GET_LUA" "$path" "${LTK_H[@]}"
  run_side() {
    case $3 in
      ossd) wrk_run "$1" "$2" ossd "$4" "$OSSD_PID" "$GET_LUA" "$path" "${STS_H[@]}" ;;
      ossd-ltk) wrk_run "$1" "$2" ossd-ltk "$4" "$OSSD_PID" "$GET_LUA" "$path" "${LTK_H[@]}" ;;
    esac
  }
  for c in $STS_CONNS; do ab sts_get "$c" ossd ossd-ltk; done
}

row_get1m() {
  local ossd_url nginx_url c
  ossd_url=$(cat "$TMP/urls/get-f1m.url"); nginx_url="http://127.0.0.1:$NGINX_PORT/files/f1m"
  warm_wrk "$GET_LUA" "$ossd_url"; warm_wrk "$GET_LUA" "$nginx_url"
  run_side() {
    case $3 in
      ossd) wrk_run "$1" "$2" ossd "$4" "$OSSD_PID" "$GET_LUA" "$ossd_url" ;;
      nginx) wrk_run "$1" "$2" nginx "$4" "$NGINX_PIDS" "$GET_LUA" "$nginx_url" ;;
    esac
  }
  for c in $GET1M_CONNS; do ab get1m "$c" ossd nginx; done
}

durable_run() { # row conns run# threads size
  local out r
  out=$(timeout 300 "$TOOLS_DIR/ossd_durable_put" --dir "$TMP/durable/$1" --threads "$4" --size "$5" \
    --duration "$DUR_S" --keys "$PUT_KEYS" 2>&1) || true
  r=$(echo "$out" | grep '^RESULT' || echo "RESULT rps=0 mbps=0 p50_ms=nan p99_ms=nan reqs=0 non2xx=0 sockerr=1 failed=1")
  [ -n "$(echo "$out" | grep -v '^RESULT')" ] && echo "   $1 durable_put: $(echo "$out" | grep -v '^RESULT' | head -1)" >> "$TMP/errors.txt"
  record "$1" "$2" durable_put "$3" "$r" "$(field cpu_us_per_op "$r")"
}
put_row() { # row size anchor-threads
  local row=$1 size=$2 anchor_threads=$3 c
  PUT_ROW_SIZE=$size; PUT_ROW_THREADS=$anchor_threads
  PUT_PATHS=$TMP/urls/put-paths.txt PUT_SIZE=$size warm_wrk "$PUT_LUA" "$OSSD_URL/"
  run_side() {
    case $3 in
      ossd) PUT_PATHS=$TMP/urls/put-paths.txt PUT_SIZE=$PUT_ROW_SIZE \
        wrk_run "$1" "$2" ossd "$4" "$OSSD_PID" "$PUT_LUA" "$OSSD_URL/" ;;
      durable_put) durable_run "$1" "$2" "$4" "$PUT_ROW_THREADS" "$PUT_ROW_SIZE" ;;
    esac
  }
  for c in $PUT_CONNS; do ab "$row" "$c" ossd durable_put; done
}
row_put4k() { put_row put4k 4096 16; }
row_put1m() { put_row put1m 1048576 4; }

row_list() {
  local expires sig base c i m
  # Markers spread over the bucket; each page is the 1000 keys after its marker.
  local span=$((LIST_KEYS > 1001 ? LIST_KEYS - 1001 : 1))
  : > "$TMP/markers.txt"
  for i in $(seq 1 "$LIST_MARKERS"); do
    m=$(( (i * 7919 * 1000 + RANDOM) % span ))
    printf '%s%08d\n' "$LIST_PREFIX" "$m" >> "$TMP/markers.txt"
  done
  # One V1 signed URL for the bucket: prefix, marker, delimiter and max-keys are not signed
  # sub-resources, so the same signature serves every page.
  expires=$(( $(date +%s) + 3600 ))
  sig=$(printf 'GET\n\n\n%s\n/%s/' "$expires" "$LIST_BUCKET" | openssl dgst -sha1 -hmac "$ROOT_KEY_SECRET" -binary | openssl base64)
  base="/$LIST_BUCKET/?OSSAccessKeyId=$ROOT_KEY_ID&Expires=$expires&Signature=$(urlenc "$sig")&max-keys=1000"
  local pfx; pfx=$(urlenc "$LIST_PREFIX")
  : > "$TMP/list-plain.txt"; : > "$TMP/list-delim.txt"
  while read -r m; do
    echo "$base&marker=$(urlenc "$m")" >> "$TMP/list-plain.txt"
    echo "$base&prefix=$pfx&delimiter=%2F&marker=$(urlenc "$m")" >> "$TMP/list-delim.txt"
  done < "$TMP/markers.txt"
  # Sanity: a page holds 1000 keys, starting right after its marker.
  local first want keys f
  for f in list-plain list-delim; do
    curl -sS --fail-with-body -o "$TMP/page.xml" "$OSSD_URL$(head -n 1 "$TMP/$f.txt")" ||
      { echo "signed ListObjects ($f) failed: $(head -c 500 "$TMP/page.xml")" >&2; exit 1; }
    keys=$(grep -o '<Key>[^<]*</Key>' "$TMP/page.xml" | sed 's/<[^>]*>//g' > "$TMP/page.keys"; wc -l < "$TMP/page.keys")
    first=$(sed -n 1p "$TMP/page.keys")
    m=$(head -n 1 "$TMP/markers.txt"); want=$(printf '%s%08d' "$LIST_PREFIX" $((10#${m#"$LIST_PREFIX"} + 1)))
    [ "$keys" = 1000 ] && [ "$first" = "$want" ] ||
      { echo "ListObjects page ($f): expected 1000 keys from $want, got $keys from '$first'" >&2; exit 1; }
  done
  list_scan_run() { # row conns run# prefix
    local out r
    out=$(timeout 120 "$TOOLS_DIR/ossd_list_scan" --db "$TMP/data/meta.db" --bucket "$LIST_BUCKET" --prefix "$4" \
      --markers "$TMP/markers.txt" --duration "$DUR_S" 2>&1) || true
    r=$(echo "$out" | grep '^RESULT' || echo "RESULT rps=0 p50_ms=nan p99_ms=nan reqs=0 non2xx=0 sockerr=1 failed=1")
    [ "$(field rows_per_page "$r")" = 1000.0 ] || echo "   $1 list_scan: rows per page $(field rows_per_page "$r") $(echo "$out" | grep -v '^RESULT' | head -1)" >> "$TMP/errors.txt"
    record "$1" "$2" sqlite "$3" "$r" "$(field cpu_us_per_page "$r")"
  }
  GET_PATHS=$TMP/list-plain.txt warm_wrk "$PATHS_LUA" "$OSSD_URL/"
  run_side() {
    local paths=$TMP/list-plain.txt prefix=""
    [ "$1" = list_delim ] && { paths=$TMP/list-delim.txt; prefix=$LIST_PREFIX; }
    case $3 in
      ossd) GET_PATHS=$paths wrk_run "$1" "$2" ossd "$4" "$OSSD_PID" "$PATHS_LUA" "$OSSD_URL/" ;;
      sqlite) list_scan_run "$1" "$2" "$4" "$prefix" ;;
    esac
  }
  for c in $LIST_CONNS; do ab list_plain "$c" ossd sqlite; ab list_delim "$c" ossd sqlite; done
}

row_assume_role() {
  local c n out r
  for c in $ASSUME_CONNS; do
    for n in $(seq 1 "$RUNS"); do
      [ -n "$OSSD_DEAD" ] && break
      out=$(timeout 300 "$TOOLS_DIR/ossd_rpc_load" --endpoint "127.0.0.1:$OSSD_PORT" --access-key-id "$ROOT_KEY_ID" \
        --access-key-secret "$ROOT_KEY_SECRET" --action AssumeRole --role-arn "$ROLE_ARN" --connections "$c" \
        --duration "$DUR_S" --warmup 1 --server-pid "$OSSD_PID" 2>&1) || true
      r=$(echo "$out" | grep '^RESULT' || echo "RESULT rps=0 p99_us=nan requests=0 errors=1")
      echo "$out" | grep '^FIRST_ERROR' | head -1 | sed 's/^/   assume_role: /' >> "$TMP/errors.txt" || true
      # Normalise to the wrk fields: p99 in ms, errors as non2xx/sockerr.
      r="$r p99_ms=$(awk -v u="$(field p99_us "$r")" 'BEGIN{ printf "%.3f", u / 1000 }') reqs=$(field requests "$r") non2xx=$(field errors "$r") sockerr=$(field socket_errors "$r")"
      record assume_role "$c" ossd "$n" "$r" "$(field server_cpu_us_per_req "$r")"
    done
  done
}

row_idle() {
  local before after line i url
  url=$(cat "$TMP/urls/get-f4k.url"); url=${url#"$OSSD_URL"}
  sleep 1
  before=$(rss_kib "$OSSD_PID")
  timeout 300 node "$HERE/idle_conns.cjs" "$OSSD_PORT" "$url" "$IDLE_CONNS" 120 > "$TMP/idle.out" 2>&1 &
  CLIENT_PID=$!
  line=""
  for i in $(seq 1 1200); do # up to 120 s to open them all
    line=$(grep '^READY' "$TMP/idle.out" || true)
    [ -n "$line" ] && break
    kill -0 "$CLIENT_PID" 2> /dev/null || break
    sleep 0.1
  done
  sleep 1 # let ossd settle with every connection idle
  after=$(rss_kib "$OSSD_PID")
  stop_pid "$CLIENT_PID" TERM; CLIENT_PID=""
  [ -n "$line" ] || { line="READY open=0 ok=0 failed=$IDLE_CONNS"; echo "   idle: client: $(tail -n 3 "$TMP/idle.out" | tr '\n' ' ')" >> "$TMP/errors.txt"; }
  local delta_mib; delta_mib=$(awk -v a="$after" -v b="$before" 'BEGIN{ printf "%.1f", (a - b) / 1024 }')
  echo "idle c=$IDLE_CONNS ossd run=1 RESULT rss_before_mib=$(awk -v b="$before" 'BEGIN{printf "%.1f", b/1024}') rss_after_mib=$(awk -v a="$after" 'BEGIN{printf "%.1f", a/1024}') delta_mib=$delta_mib ${line#READY } srv_us=nan" | tee -a "$RAW"
}

# perf over one row, ossd's samples only; the report is written after the row.
profile_start() { # row
  [ -n "${PROFILE:-}" ] || return 0
  perf record -q -F 499 -g -p "$OSSD_PID" -o "$PROFILE/$1.data" 2> "$PROFILE/$1.perf.err" &
  PERF_PID=$!
  sleep 0.5
}
profile_stop() { # row
  [ -n "${PERF_PID:-}" ] || return 0
  kill -INT "$PERF_PID" 2> /dev/null || true
  wait "$PERF_PID" 2> /dev/null || true
  PERF_PID=""
  perf report -i "$PROFILE/$1.data" --no-children --stdio --percent-limit 0.7 -g none --sort dso,symbol \
    > "$PROFILE/$1.txt" 2> /dev/null || true
  perf report -i "$PROFILE/$1.data" --children --stdio --percent-limit 3 -g caller,0.5,callee --sort symbol \
    > "$PROFILE/$1.callers.txt" 2> /dev/null || true
  echo "profile of ossd over row $1: $PROFILE/$1.txt" >&2
}
if [ -n "${PROFILE:-}" ]; then
  command -v perf > /dev/null || { echo "PROFILE needs perf (apt install linux-perf)" >&2; exit 1; }
  mkdir -p "$PROFILE"; PROFILE=$(cd "$PROFILE" && pwd)
fi

for row in $ROWS; do
  declare -F "row_$row" > /dev/null || { echo "unknown row $row (rows: signed_get sts_get get1m put4k put1m list assume_role idle)" >&2; exit 1; }
  [ -n "$OSSD_DEAD" ] && break
  echo "## $row" >&2
  profile_start "$row"
  "row_$row"
  profile_stop "$row"
done

# ---------- report ----------
val() { # row conns side field -> median over runs
  { grep "^$1 c=$2 $3 " "$RAW" || true; } | tr ' ' '\n' | sed -n "s/^$4=//p" | { grep -v nan || true; } | median
}
errs() { # row conns side -> non-2xx + socket errors over the runs
  { grep "^$1 c=$2 $3 " "$RAW" || true; } | tr ' ' '\n' | sed -n 's/^\(non2xx\|sockerr\)=//p' | awk '{ s += $1 } END { print s + 0 }'
}
fmt() { awk -v v="$1" -v d="$2" 'BEGIN{ if (v == "nan" || v == "") print "n/a"; else printf "%." d "f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "nan" || b == "nan" || a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
at_least() { awk -v r="$1" -v t="$2" 'BEGIN{ print (r != "n/a" && r + 0 >= t) ? "yes" : "no" }'; }
at_most() { awk -v r="$1" -v t="$2" 'BEGIN{ print (r != "n/a" && r + 0 <= t) ? "yes" : "no" }'; }
verdict() { # yes/no... -> MET if all yes
  local v; for v in "$@"; do [ "$v" = yes ] || { echo "NOT MET"; return; }; done; echo "MET"
}
# line label conns side_b metric(rps|mbps) unit target-text verdict ratio ossd-fig anchor-fig
row_line() {
  local label=$1 c=$2 b=$3 ratio_txt=$4 target=$5 verdict=$6 ofig=$7 afig=$8
  echo "| $label | $c | $ofig | $afig | **$ratio_txt** | $target | **$verdict** | $(fmt "$(val "$ROW" "$c" ossd srv_us)" 1) | $(fmt "$(val "$ROW" "$c" "$b" srv_us)" 1) | $(fmt "$(val "$ROW" "$c" ossd p99_ms)" 2) | $(fmt "$(val "$ROW" "$c" "$b" p99_ms)" 2) | $(errs "$ROW" "$c" ossd) / $(errs "$ROW" "$c" "$b") |"
}
REPORT_MD=$TMP/report.md
{
  echo "Medians of $RUNS runs per cell (wrk -t$THREADS -d$DUR; ossd and its anchor alternated, order flipped every run)."
  echo "CPU µs/req = server CPU (utime+stime from /proc/PID/stat over the measured window) / completed requests;"
  echo "for ossd_durable_put and ossd_list_scan, the tool's own CPU per operation (it is the whole work)."
  echo
  echo "| workload | conns | ossd | anchor | ratio | target | verdict | ossd CPU µs/req | anchor CPU µs/req | ossd p99 ms | anchor p99 ms | errors ossd / anchor |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for row in $ROWS; do
    case $row in
      signed_get)
        ROW=signed_get
        for c in $GET_CONNS; do
          o=$(val $ROW "$c" ossd rps); a=$(val $ROW "$c" nginx rps)
          r=$(ratio "$o" "$a"); cr=$(ratio "$(val $ROW "$c" ossd srv_us)" "$(val $ROW "$c" nginx srv_us)")
          pr=$(ratio "$(val $ROW "$c" ossd p99_ms)" "$(val $ROW "$c" nginx p99_ms)")
          row_line "V1 signed-URL GET 4 KiB vs nginx secure_link" "$c" nginx "$r (CPU $cr, p99 $pr)" \
            "req/s ≥ 0.9x, CPU/req ≤ 1.2x, p99 ≤ 2x" \
            "$(verdict "$(at_least "$r" 0.9)" "$(at_most "$cr" 1.2)" "$(at_most "$pr" 2)")" \
            "$(fmt "$o" 0) req/s" "$(fmt "$a" 0) req/s"
        done ;;
      sts_get)
        ROW=sts_get
        for c in $STS_CONNS; do
          o=$(val $ROW "$c" ossd rps); a=$(val $ROW "$c" ossd-ltk rps); r=$(ratio "$o" "$a")
          row_line "header-signed GET 4 KiB, STS token vs ossd long-term key" "$c" ossd-ltk "$r" "req/s ≥ 0.9x" \
            "$(verdict "$(at_least "$r" 0.9)")" "$(fmt "$o" 0) req/s" "$(fmt "$a" 0) req/s"
        done ;;
      get1m)
        ROW=get1m
        for c in $GET1M_CONNS; do
          o=$(val $ROW "$c" ossd mbps); a=$(val $ROW "$c" nginx mbps); r=$(ratio "$o" "$a")
          row_line "GET 1 MiB vs nginx static (sendfile)" "$c" nginx "$r" "MB/s ≥ 0.9x" \
            "$(verdict "$(at_least "$r" 0.9)")" "$(fmt "$o" 0) MB/s" "$(fmt "$a" 0) MB/s"
        done ;;
      put4k)
        ROW=put4k
        for c in $PUT_CONNS; do
          o=$(val $ROW "$c" ossd rps); a=$(val $ROW "$c" durable_put rps); r=$(ratio "$o" "$a")
          row_line "durable PUT 4 KiB vs durable_put, 16 threads" "$c" durable_put "$r" "req/s ≥ 1.0x" \
            "$(verdict "$(at_least "$r" 1.0)")" "$(fmt "$o" 0) req/s" "$(fmt "$a" 0) ops/s"
        done ;;
      put1m)
        ROW=put1m
        for c in $PUT_CONNS; do
          o=$(val $ROW "$c" ossd mbps); a=$(val $ROW "$c" durable_put mbps); r=$(ratio "$o" "$a")
          row_line "PUT 1 MiB vs durable_put 1 MiB, 4 threads" "$c" durable_put "$r" "MB/s ≥ 0.9x" \
            "$(verdict "$(at_least "$r" 0.9)")" "$(fmt "$o" 0) MB/s" "$(fmt "$a" 0) MB/s"
        done ;;
      list)
        for ROW in list_plain list_delim; do
          for c in $LIST_CONNS; do
            o=$(val $ROW "$c" ossd rps); a=$(val $ROW "$c" sqlite rps)
            r=$(ratio "$(val $ROW "$c" ossd srv_us)" "$(val $ROW "$c" sqlite srv_us)")
            label="ListObjects 1000 keys of $LIST_KEYS, no delimiter vs SQLite range scan"
            [ $ROW = list_delim ] && label="ListObjects 1000 keys of $LIST_KEYS, prefix $LIST_PREFIX + delimiter / vs SQLite range scan"
            row_line "$label" "$c" sqlite "$r" "CPU per page ≤ 2x" \
              "$(verdict "$(at_most "$r" 2)")" "$(fmt "$o" 0) pages/s" "$(fmt "$a" 0) pages/s (1 thread)"
          done
        done ;;
      assume_role)
        ROW=assume_role
        for c in $ASSUME_CONNS; do
          o=$(val $ROW "$c" ossd rps); r=$(ratio "$o" 20000)
          echo "| STS AssumeRole (root caller, RPC v1) | $c | $(fmt "$o" 0) req/s | (none) | **$r** of target | ≥ 20,000 req/s | **$(verdict "$(at_least "$r" 1)")** | $(fmt "$(val $ROW "$c" ossd srv_us)" 1) | | $(fmt "$(val $ROW "$c" ossd p99_ms)" 2) | | $(errs $ROW "$c" ossd) |"
        done ;;
      idle)
        l=$(grep '^idle ' "$RAW" || true)
        d=$(field delta_mib "$l"); r=$(ratio "${d:-nan}" 150)
        echo "| $IDLE_CONNS idle keep-alive connections: ossd RSS $(field rss_before_mib "$l") → $(field rss_after_mib "$l") MiB | $IDLE_CONNS (open $(field open "$l"), served $(field ok "$l")) | +${d:-n/a} MiB | (none) | **$r** of budget | < 150 MiB | **$(verdict "$(at_most "$r" 0.9999)" "$( [ "$(field ok "$l")" = "$IDLE_CONNS" ] && [ "$(field open "$l")" = "$IDLE_CONNS" ] && echo yes || echo no)")** | | | | | $(field failed "$l") |" ;;
    esac
  done
  echo
  echo "Run took ${SECONDS}s in all. ossd: $OSSD_BIN; machine: nproc=$(nproc), load avg now $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "On this shared box trust the ratios and the CPU µs/req more than absolute req/s (client and servers share the cores)."
  [ -n "$OSSD_DEAD" ] && echo "!! ossd exited during: $OSSD_DEAD (later ossd runs skipped)."
  if [ -s "$TMP/errors.txt" ]; then echo; echo "Errors seen:"; sort -u "$TMP/errors.txt"; fi
  if grep -qiE 'error|critical' "$TMP/ossd.log"; then
    echo; echo "ossd log (error and above, last 10 lines):"; grep -iE 'error|critical' "$TMP/ossd.log" | tail -n 10 | sed 's/^/    /'
  fi
} > "$REPORT_MD"
echo
cat "$REPORT_MD"
[ -n "${REPORT:-}" ] && cp "$REPORT_MD" "$REPORT"
[ -z "$OSSD_DEAD" ]
