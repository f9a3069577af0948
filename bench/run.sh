#!/usr/bin/env bash
# ossd vs nginx (Debian package, static files) on loopback, in one run, A/B alternated.
#
#   bench/install.sh        # once: apt nginx + wrk (idempotent)
#   bench/run.sh            # ~3-4 min with the defaults
#
# Workloads (WORKLOADS, default "get4k get1m put4k"):
#   get4k / get1m  GET of a 4 KiB / 1 MiB object. ossd: V1 signed URL (ali-oss signatureUrl);
#                  nginx: the same bytes as a static file (/files/f4k, /files/f1m).
#   put4k          PUT of 4 KiB bodies, rotating over PUT_KEYS keys (the first pass creates,
#                  later passes overwrite). ossd: V1 signed PUT URLs (one per key);
#                  nginx: WebDAV PUT /put/k<i>. NB: ossd's PUT is durable (fdatasync + rename +
#                  dir fsync before 200); nginx WebDAV does no fsync at all.
# Each (workload, conns) cell runs RUNS times, alternating ossd and nginx (the order flips
# every run); each workload starts with a 1 s warm-up of each server. Reports medians: req/s,
# MB/s, p99 latency, and server CPU µs per request (utime+stime of the server processes from /proc/PID/stat,
# divided by requests): the figure to trust on a shared, noisy 2-core box.
#
# env: DUR=4s CONNS="16 64" RUNS=3 THREADS=2 (wrk -t) WORKLOADS="get4k get1m put4k"
#      PUT_CONNS (default CONNS) PUT_KEYS=1000 OSSD_BIN (default build/src/server/ossd)
#      OSSD_IO_THREADS (default 0 = cores) NGINX_WORKERS (default auto = cores)
#      REPORT=<file>: also write the markdown report there.
# Loopback only. Starts ossd and a private nginx on free ports, stops exactly those (by pid),
# and removes its temp dir on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OSSD_BIN=${OSSD_BIN:-$ROOT/build/src/server/ossd}
DUR=${DUR:-4s}
CONNS=${CONNS:-"16 64"}
PUT_CONNS=${PUT_CONNS:-$CONNS}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
WORKLOADS=${WORKLOADS:-"get4k get1m put4k"}
PUT_KEYS=${PUT_KEYS:-1000}
PUT_SIZE=4096
OSSD_IO_THREADS=${OSSD_IO_THREADS:-0}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
BUCKET=bench
CLK_TCK=$(getconf CLK_TCK)

for tool in wrk curl node /usr/sbin/nginx; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run bench/install.sh" >&2; exit 1; }
done
[ -x "$OSSD_BIN" ] || { echo "no ossd binary at $OSSD_BIN (ninja -C build ossd)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/ossd-bench.XXXXXX)
OSSD_PID=""
NGINX_PID=""
cleanup() { # signal only the two servers we started (by pid), wait up to 10 s, then KILL
  local pid i
  [ -n "$OSSD_PID" ] && kill -TERM "$OSSD_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null # nginx master: graceful, takes its workers
  for pid in $OSSD_PID $NGINX_PID; do
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------- helpers ----------
median() { sort -g | awk '{a[NR]=$1} END{ if(NR==0){print "nan"} else if(NR%2){print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2} }'; }
# Busy CPU % of the whole machine over BUSY_SAMPLE s (0.5) (our servers idle then: this is the neighbours' load).
cpu_busy() {
  local a b ta=0 tb=0 i
  read -ra a < /proc/stat; sleep "${BUSY_SAMPLE:-0.5}"; read -ra b < /proc/stat
  for i in 1 2 3 4 5 6 7 8; do ta=$((ta + a[i])); tb=$((tb + b[i])); done
  echo $(( 100 - 100 * ((b[4] + b[5]) - (a[4] + a[5])) / (tb - ta) ))
}
# utime+stime ticks of the given PIDs (whole processes, all threads).
cpu_ticks() {
  local t=0 p f
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    f=($(sed 's/^.*) //' "/proc/$p/stat")); t=$((t + f[11] + f[12]))
  done
  echo $t
}
free_port() { # first port >= $1 that nothing listens on
  local p=$1
  while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo $p
}
ossd_alive() { kill -0 "$OSSD_PID" 2>/dev/null; }
ossd_died() {
  echo "!! ossd (pid $OSSD_PID) is gone during $1. Last lines of its output:" >&2
  tail -n 40 "$TMP/ossd.log" >&2 || true
  OSSD_DEAD="$1"
}

# ---------- fixtures: the same bytes for both servers ----------
mkdir -p "$TMP/www/files" "$TMP/www/put" "$TMP/nginx/tmp" "$TMP/data" "$TMP/urls"
head -c 4096 /dev/urandom > "$TMP/www/files/f4k"
head -c 1048576 /dev/urandom > "$TMP/www/files/f1m"
# nginx workers run as nobody when the master is root
chmod 755 "$TMP" "$TMP/www" "$TMP/www/files"; chmod 644 "$TMP/www/files/"*
chmod 1777 "$TMP/www/put" "$TMP/nginx/tmp"

# ---------- nginx ----------
NGINX_PORT=$(free_port 18480)
cat > "$TMP/nginx/nginx.conf" <<CONF
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
    location /put/ {
      root $TMP/www; dav_methods PUT DELETE; create_full_put_path on;
      client_max_body_size 1g; client_body_buffer_size 1m;
    }
  }
}
CONF
/usr/sbin/nginx -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log"
for i in $(seq 1 50); do [ -s "$TMP/nginx/nginx.pid" ] && break; sleep 0.1; done
NGINX_PID=$(cat "$TMP/nginx/nginx.pid")
sleep 0.3
NGINX_PIDS="$NGINX_PID $(ps -o pid= --ppid "$NGINX_PID" | xargs)"

# ---------- ossd ----------
export OSSD_ROOT_ACCESS_KEY_ID=BenchAccessKeyId0001
export OSSD_ROOT_ACCESS_KEY_SECRET=BenchAccessKeySecret000000000001
"$OSSD_BIN" --address 127.0.0.1:0 --data-dir "$TMP/data" --no-access-log --log-level warn \
  --io-threads "$OSSD_IO_THREADS" --shutdown-grace 2 > "$TMP/ossd.log" 2>&1 &
OSSD_PID=$!
OSSD_DEAD=""
OSSD_PORT=""
for i in $(seq 1 100); do
  OSSD_PORT=$(sed -n 's|^ossd listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$TMP/ossd.log" | head -1)
  [ -n "$OSSD_PORT" ] && break
  ossd_alive || { echo "ossd failed to start:" >&2; cat "$TMP/ossd.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$OSSD_PORT" ] || { echo "ossd did not print its port:" >&2; cat "$TMP/ossd.log" >&2; exit 1; }

node "$HERE/prep.cjs" "$OSSD_PORT" "$BUCKET" "$TMP/www/files" "$TMP/urls" "$PUT_KEYS"
for i in $(seq 0 $((PUT_KEYS - 1))); do echo "/put/k$i"; done > "$TMP/urls/nginx-put-paths.txt"

url_of() { # server workload
  case "$1:$2" in
    ossd:get4k)  cat "$TMP/urls/get-f4k.url" ;;
    ossd:get1m)  cat "$TMP/urls/get-f1m.url" ;;
    ossd:put4k)  echo "http://127.0.0.1:$OSSD_PORT/" ;;
    nginx:get4k) echo "http://127.0.0.1:$NGINX_PORT/files/f4k" ;;
    nginx:get1m) echo "http://127.0.0.1:$NGINX_PORT/files/f1m" ;;
    nginx:put4k) echo "http://127.0.0.1:$NGINX_PORT/" ;;
  esac
}
put_paths_of() { [ "$1" = ossd ] && echo "$TMP/urls/put-paths.txt" || echo "$TMP/urls/nginx-put-paths.txt"; }

# ---------- sanity: both serve the same bytes; both accept a PUT ----------
for obj in f4k f1m; do
  want=$(sha256sum < "$TMP/www/files/$obj")
  for who in ossd nginx; do
    w=get${obj#f}
    got=$(curl -sS --fail-with-body "$(url_of "$who" "$w")" | sha256sum) || { echo "GET $who $obj failed" >&2; exit 1; }
    [ "$got" = "$want" ] || { echo "GET $who $obj: body differs from the file" >&2; exit 1; }
  done
done
p=$(head -1 "$TMP/urls/put-paths.txt")
code=$(head -c $PUT_SIZE /dev/zero | curl -sS -o "$TMP/put.out" -w '%{http_code}' -X PUT \
  -H 'Content-Type: application/octet-stream' --data-binary @- "http://127.0.0.1:$OSSD_PORT$p")
[ "$code" = 200 ] || { echo "signed PUT to ossd: HTTP $code: $(head -c 500 "$TMP/put.out")" >&2; exit 1; }
code=$(head -c $PUT_SIZE /dev/zero | curl -sS -o /dev/null -w '%{http_code}' -X PUT \
  -H 'Content-Type: application/octet-stream' --data-binary @- "http://127.0.0.1:$NGINX_PORT/put/k0")
case $code in 201|204) ;; *) echo "WebDAV PUT to nginx: HTTP $code" >&2; exit 1 ;; esac

echo "# ossd vs nginx static, loopback, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "ossd pid $OSSD_PID on 127.0.0.1:$OSSD_PORT ($OSSD_BIN, built $(date -u -r "$OSSD_BIN" '+%Y-%m-%d %H:%M UTC'), io-threads=$OSSD_IO_THREADS)"
echo "nginx pids $NGINX_PIDS on 127.0.0.1:$NGINX_PORT ($(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //'), workers=$NGINX_WORKERS)"
echo "setup took ${SECONDS}s"
echo "wrk -t$THREADS -d$DUR, conns: GET \"$CONNS\" PUT \"$PUT_CONNS\", runs=$RUNS, nproc=$(nproc), load avg $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---------- load ----------
RAW="$TMP/raw.txt"; : > "$RAW"
run1() { # server workload conns run#  -> one line in RAW
  local who=$1 w=$2 c=$3 n=$4 pids lua busy c0 c1 out r srv
  [ "$who" = ossd ] && pids=$OSSD_PID || pids=$NGINX_PIDS
  [ "${w#put}" != "$w" ] && lua="$HERE/wrk-put.lua" || lua="$HERE/wrk-get.lua"
  busy=$(cpu_busy)
  c0=$(cpu_ticks $pids)
  out=$(PUT_PATHS=$(put_paths_of "$who") PUT_SIZE=$PUT_SIZE \
    timeout 120 wrk -t"$THREADS" -c"$c" -d"$DUR" --latency -s "$lua" "$(url_of "$who" "$w")" 2>&1) || true
  c1=$(cpu_ticks $pids)
  r=$(echo "$out" | grep '^RESULT' || echo "RESULT rps=0 mbps=0 p50_ms=nan p99_ms=nan reqs=0 non2xx=0 sockerr=0 wrk_failed=1")
  srv=$(echo "$r" | awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^reqs=/) n = substr($i, 6) + 0
        printf "srv_us=%s", (n > 0 ? sprintf("%.1f", d * 1e6 / hz / n) : "nan") }')
  local st; st=$(echo "$out" | grep '^STATUS' | sed "s/^STATUS /status:/" | tr " " "," || true)
  echo "$who $w c=$c run=$n $r $srv busy_before=${busy}% $st" | tee -a "$RAW"
  local sm; sm=$(echo "$out" | grep '^SAMPLE' | head -1 || true)
  [ -n "$sm" ] && echo "   first non-2xx from $who: ${sm#SAMPLE }" | tee -a "$TMP/errors.txt"
  if [ "$who" = ossd ] && ! ossd_alive && [ -z "$OSSD_DEAD" ]; then ossd_died "$w c=$c run=$n"; fi
  return 0
}
warm() { # server workload conns: 1 s, not recorded
  PUT_PATHS=$(put_paths_of "$1") PUT_SIZE=$PUT_SIZE \
    timeout 30 wrk -t"$THREADS" -c"$3" -d1s -s "$HERE/wrk-$( [ "${2#put}" != "$2" ] && echo put || echo get).lua" \
    "$(url_of "$1" "$2")" > /dev/null 2>&1 || true
}

for w in $WORKLOADS; do
  conns=$CONNS; [ "${w#put}" != "$w" ] && conns=$PUT_CONNS
  first=1
  for c in $conns; do
    if [ "$first" = 1 ]; then # 1 s warm-up per server and workload, not recorded
      [ -z "$OSSD_DEAD" ] && warm ossd "$w" "$c"
      warm nginx "$w" "$c"; first=0
    fi
    for n in $(seq 1 "$RUNS"); do
      order="ossd nginx"; [ $((n % 2)) = 0 ] && order="nginx ossd"
      for who in $order; do
        [ "$who" = ossd ] && [ -n "$OSSD_DEAD" ] && continue
        run1 "$who" "$w" "$c" "$n"
      done
    done
  done
done

# Any non-2xx or socket error in a GET run: a short status-counting rerun names the codes.
DIAG=""
while read -r who w c rest; do
  [ "${w#get}" != "$w" ] || continue
  bad=$(echo "$rest" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(non2xx|sockerr)=/ && substr($i, index($i, "=") + 1) + 0 > 0) print "y" }')
  [ -n "$bad" ] || continue
  key="$who $w $c"; case " $DIAG " in *"|$key|"*) continue ;; esac
  DIAG="$DIAG |$key|"
  [ "$who" = ossd ] && [ -n "$OSSD_DEAD" ] && continue
  st=$(STATUS_COUNT=1 timeout 60 wrk -t"$THREADS" -c"${c#c=}" -d2s -s "$HERE/wrk-get.lua" "$(url_of "$who" "$w")" 2>&1 | grep -E '^(STATUS|SAMPLE)' | tr '\n' ' ')
  echo "   diagnostic rerun $who $w $c (2 s, status counted): $st" | tee -a "$TMP/errors.txt"
done < "$RAW"

# ---------- report ----------
val() { # server workload conns field -> median over runs
  grep "^$1 $2 c=$3 " "$RAW" | tr ' ' '\n' | sed -n "s/^$4=//p" | grep -v nan | median
}
sumf() { # server workload conns field -> sum over runs
  grep "^$1 $2 c=$3 " "$RAW" | tr ' ' '\n' | sed -n "s/^$4=//p" | awk '{ s += $1 } END { print s + 0 }'
}
fmt() { awk -v v="$1" -v d="$2" 'BEGIN{ if (v == "nan" || v == "") print "n/a"; else printf "%." d "f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "nan" || b == "nan" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
label() {
  case $1 in
    get4k) echo "GET 4 KiB" ;; get1m) echo "GET 1 MiB" ;;
    put4k) echo "PUT 4 KiB ($PUT_KEYS keys, overwrite)" ;; *) echo "$1" ;;
  esac
}

REPORT_MD="$TMP/report.md"
{
  echo "Medians of $RUNS runs per cell (wrk -t$THREADS -d$DUR, ossd/nginx alternated). ratio = ossd/nginx req/s;"
  echo "CPU ratio = ossd/nginx server CPU µs per request (< 1: ossd cheaper). MB/s: GET = bytes received"
  echo "incl. headers, PUT = bodies sent. errors = non-2xx + socket errors summed over the runs."
  echo
  echo "| workload | conns | ossd req/s | nginx req/s | ratio | ossd MB/s | nginx MB/s | ossd p99 ms | nginx p99 ms | ossd CPU µs/req | nginx CPU µs/req | CPU ratio | errors ossd / nginx |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for w in $WORKLOADS; do
    conns=$CONNS; [ "${w#put}" != "$w" ] && conns=$PUT_CONNS
    for c in $conns; do
      orps=$(val ossd "$w" "$c" rps); nrps=$(val nginx "$w" "$c" rps)
      ous=$(val ossd "$w" "$c" srv_us); nus=$(val nginx "$w" "$c" srv_us)
      oerr=$(( $(sumf ossd "$w" "$c" non2xx) + $(sumf ossd "$w" "$c" sockerr) ))
      nerr=$(( $(sumf nginx "$w" "$c" non2xx) + $(sumf nginx "$w" "$c" sockerr) ))
      echo "| $(label "$w") | $c | $(fmt "$orps" 0) | $(fmt "$nrps" 0) | **$(ratio "$orps" "$nrps")** | $(fmt "$(val ossd "$w" "$c" mbps)" 0) | $(fmt "$(val nginx "$w" "$c" mbps)" 0) | $(fmt "$(val ossd "$w" "$c" p99_ms)" 2) | $(fmt "$(val nginx "$w" "$c" p99_ms)" 2) | $(fmt "$ous" 1) | $(fmt "$nus" 1) | $(ratio "$ous" "$nus") | $oerr / $nerr |"
    done
  done
  echo
  busy=$(tr ' ' '\n' < "$RAW" | sed -n 's/^busy_before=\([0-9-]*\)%$/\1/p' | median)
  echo "Machine busy before runs (neighbours' load, median over runs): ${busy}%."
  case " $WORKLOADS " in *" get4k "*)
    for c in $CONNS; do
      r=$(ratio "$(val ossd get4k "$c" rps)" "$(val nginx get4k "$c" rps)")
      cr=$(ratio "$(val nginx get4k "$c" srv_us)" "$(val ossd get4k "$c" srv_us)")
      verdict=$(awk -v r="$r" 'BEGIN{ print (r != "n/a" && r + 0 >= 0.5) ? "MET" : "NOT MET" }')
      echo "Goal GET 4 KiB >= 0.5x nginx static, c=$c: req/s ratio $r -> $verdict; noise-robust view, server CPU per request nginx/ossd = $cr."
    done ;;
  esac
  case " $WORKLOADS " in *" put4k "*)
    echo "PUT: ossd signed V1 PUT URLs, one per key, $PUT_KEYS rotating keys (first pass creates, then overwrites);"
    echo "ossd makes each PUT durable (blob fdatasync + rename + dir fsync, SQLite WAL synchronous=FULL); nginx WebDAV (same keys) does not fsync." ;;
  esac
  echo "Run took ${SECONDS}s in all."
  [ -n "$OSSD_DEAD" ] && echo "!! ossd died during: $OSSD_DEAD (runs after that skipped; output tail printed above)."
  if [ -s "$TMP/errors.txt" ]; then echo; echo "Errors seen:"; sort -u "$TMP/errors.txt"; fi
  if grep -qiE 'error|warn|critical' "$TMP/ossd.log"; then
    echo; echo "ossd log (warn and above, last 20 lines):"; grep -iE 'error|warn|critical' "$TMP/ossd.log" | tail -n 20 | sed 's/^/    /'
  fi
} > "$REPORT_MD"
echo
cat "$REPORT_MD"
[ -n "${REPORT:-}" ] && cp "$REPORT_MD" "$REPORT"
[ -z "$OSSD_DEAD" ]
