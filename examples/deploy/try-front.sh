#!/usr/bin/env bash
# Tries docs/DEPLOY.md's several-gateways recipe on one machine, on loopback:
#   - a throwaway PostgreSQL (initdb; password authentication over TCP) with
#     the role and database the doc creates;
#   - a cephx user with the doc's capabilities on an existing Ceph cluster,
#     and a minimal client ceph.conf + keyring for it;
#   - one master key file and one root account in the environment, two
#     gateways with data directories of their own, each started from
#     ossd.env.example with its values filled in;
#   - nginx with nginx-front.conf (addresses and port filled in);
# then checks through the front with ali-oss: PUT 4 KiB and 20 MiB (one
# with Content-Length, one chunked), GET, list, V1 and V4, path-style and
# virtual-hosted, a signed URL, the readiness probe; a gateway killed with
# SIGKILL (requests keep passing); PostgreSQL stopped (503, readiness 503)
# and started again (recovery). Everything it started is stopped by pid.
#
#   examples/deploy/try-front.sh [ceph.conf of a running cluster with pool "ossd"]
#
# Needs: root or a user that can run postgres, nginx, node with
# tests/node_modules installed, the ceph CLI with admin rights on the cluster.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ceph_admin_conf=${1:-${OSSD_TEST_CEPH_CONF:-/tmp/ceph-t1/ceph.conf}}
ossd_bin=${OSSD_BIN:-$repo/build/src/server/ossd}
pool=ossd
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d /tmp/ossd-try-front.XXXXXX)
chmod 755 "$work"
ceph_user=client.ossd-try-$$
namespace=try-front-$$
pids=()
pg_pid=
nginx_pid=

log() { printf '== %s\n' "$*"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

wait_until() {  # seconds, command...
  local n=$(($1 * 10)); shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

cleanup() {
  set +e
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "$pg_pid" ] && kill -INT "$pg_pid" 2>/dev/null && wait_until 15 bash -c "! kill -0 $pg_pid"
  if [ -n "${ceph_created:-}" ]; then
    rados -c "$ceph_admin_conf" -p "$pool" -N "$namespace" ls 2>/dev/null |
      while read -r object; do rados -c "$ceph_admin_conf" -p "$pool" -N "$namespace" rm "$object"; done
    ceph -c "$ceph_admin_conf" auth del "$ceph_user" >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- PostgreSQL: a role and a database (docs/DEPLOY.md) ------------------------
log "PostgreSQL: initdb in $work/pg"
mkdir -p "$work/pg" && [ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
pg_port=$(free_port)
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  --encoding=UTF8 --locale=C --no-sync >"$work/initdb.log"
as_pg "$pg_bin/postgres" -D "$work/pg/data" -p "$pg_port" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  -c fsync=off >"$work/pg/postgres.log" 2>&1 &
wait_until 30 "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"
pg_pid=$(head -1 "$work/pg/data/postmaster.pid")  # the postmaster itself, not runuser
db_password=$(openssl rand -hex 16)
as_pg psql -q -h "$work/pg" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE ossd LOGIN PASSWORD '$db_password';
CREATE DATABASE ossd OWNER ossd;
SQL
meta_uri="postgres://ossd:$db_password@127.0.0.1:$pg_port/ossd"

# --- Ceph: a cephx user for the pool, its keyring and a client ceph.conf -------------
log "Ceph: $ceph_user on pool $pool of $ceph_admin_conf"
mkdir -p "$work/etc"
ceph_created=1
ceph -c "$ceph_admin_conf" auth get-or-create "$ceph_user" mon 'allow r' osd "allow rwx pool=$pool" \
  -o "$work/etc/ceph.$ceph_user.keyring"
{
  echo '[global]'
  grep -E '^(fsid|mon host) *=' "$ceph_admin_conf"
  echo 'auth client required = cephx'
  echo "keyring = $work/etc/ceph.$ceph_user.keyring"
} >"$work/etc/ceph.conf"

# --- What every gateway shares: master key and root account ----------------------------
openssl rand -hex 32 >"$work/etc/master.key"
chmod 600 "$work/etc/master.key" "$work/etc/ceph.$ceph_user.keyring"
rand_text() {  # alphabet length
  python3 -c 'import secrets,sys; print("".join(secrets.choice(sys.argv[1]) for _ in range(int(sys.argv[2]))))' "$@"
}
account_id=$(rand_text 123456789 1)$(rand_text 0123456789 15)
root_key_id=LTAI$(rand_text ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 20)
root_secret=$(rand_text ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 30)

# --- Two gateways, each from ossd.env.example with values filled in ---------------------
gateway_ports=()
for n in 1 2; do
  port=$(free_port)
  gateway_ports+=("$port")
  env_file="$work/etc/gw$n.env"
  sed -e "s#^OSSD_ADDRESS=.*#OSSD_ADDRESS=127.0.0.1:$port#" \
      -e "s#^OSSD_DATA_DIR=.*#OSSD_DATA_DIR=$work/gw$n#" \
      -e "s#^OSSD_DOMAIN=.*#OSSD_DOMAIN=localhost#" \
      -e "s#^OSSD_TRUSTED_PROXIES=.*#OSSD_TRUSTED_PROXIES=127.0.0.1#" \
      -e "s#^OSSD_META=.*#OSSD_META=\"$meta_uri\"#" \
      -e "s#^OSSD_BLOB=.*#OSSD_BLOB=rados:pool=$pool,conf=$work/etc/ceph.conf,user=$ceph_user,namespace=$namespace,timeout=10#" \
      -e "s#^OSSD_MASTER_KEY_FILE=.*#OSSD_MASTER_KEY_FILE=$work/etc/master.key#" \
      -e "s#^OSSD_ROOT_ACCOUNT_ID=.*#OSSD_ROOT_ACCOUNT_ID=$account_id#" \
      -e "s#^OSSD_ROOT_ACCESS_KEY_ID=.*#OSSD_ROOT_ACCESS_KEY_ID=$root_key_id#" \
      -e "s#^OSSD_ROOT_ACCESS_KEY_SECRET=.*#OSSD_ROOT_ACCESS_KEY_SECRET=$root_secret#" \
      "$here/ossd.env.example" >"$env_file"
  chmod 600 "$env_file"
  log "gateway $n on 127.0.0.1:$port"
  (set -a; . "$env_file"; set +a; exec "$ossd_bin") >"$work/gw$n.log" 2>&1 &
  pids+=($!)
  if ! wait_until 30 grep -q 'listening on' "$work/gw$n.log"; then cat "$work/gw$n.log"; exit 1; fi
done
grep -h 'metadata store\|blob store\|orphan\|identity store' "$work/gw1.log"

# --- nginx with nginx-front.conf -----------------------------------------------------
front_port=$(free_port)
mkdir -p "$work/nginx/tmp" && chmod 1777 "$work/nginx/tmp"
awk -v a="127.0.0.1:${gateway_ports[0]}" -v b="127.0.0.1:${gateway_ports[1]}" -v p="127.0.0.1:$front_port" '
  /^ *server 10\.0\.0\.11:9000/ { sub(/10\.0\.0\.11:9000/, a) }
  /^ *server 10\.0\.0\.12:9000/ { sub(/10\.0\.0\.12:9000/, b) }
  /^ *listen 80;/ { sub(/80/, p) }
  { print }' "$here/nginx-front.conf" >"$work/nginx/front.conf"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/tmp; proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp; uwsgi_temp_path $work/nginx/tmp; scgi_temp_path $work/nginx/tmp;
  include $work/nginx/front.conf;
}
CONF
log "nginx -t"
/usr/sbin/nginx -t -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
/usr/sbin/nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
wait_until 10 test -s "$work/nginx/nginx.pid"
nginx_pid=$(cat "$work/nginx/nginx.pid")
log "nginx (pid $nginx_pid) on 127.0.0.1:$front_port"

check() {  # phase
  NODE_PATH="$repo/tests/node_modules" FRONT_PORT=$front_port KEY_ID=$root_key_id KEY_SECRET=$root_secret \
    PHASE=$1 node "$work/check.cjs"
}
cat >"$work/check.cjs" <<'JS'
const OSS = require('ali-oss');
const http = require('node:http');
const crypto = require('node:crypto');
const assert = require('node:assert/strict');
const { Readable } = require('node:stream');
const port = process.env.FRONT_PORT;
const base = { accessKeyId: process.env.KEY_ID, accessKeySecret: process.env.KEY_SECRET, region: 'oss-cn-hangzhou' };
const md5 = (b) => crypto.createHash('md5').update(b).digest('hex');
// Virtual-hosted: Host is <bucket>.localhost:<port>, the connection goes to the front.
const toLoopback = new http.Agent({ keepAlive: true, lookup: (h, o, cb) => (o && o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) });
// Path-style: Host localhost:<port> (ossd --domain localhost). (ali-oss with an
// IP endpoint is path-style already; sldEnable on top would name the bucket twice.)
const client = (extra) => new OSS({ ...base, endpoint: `http://localhost:${port}`, sldEnable: true, agent: toLoopback, ...extra });
// GET of a (signed) URL as given, Host included, connected to the front.
function fetchVia(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: toLoopback }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}
async function probe(path) {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}
async function phase(name) {
  const bucket = 'try-front';
  if (name === 'full') {
    const v1 = client({ bucket });
    await v1.putBucket(bucket);
    const small = crypto.randomBytes(4096);
    const large = crypto.randomBytes(20 << 20);
    await v1.put('small', small);
    await v1.put('large', large);                                   // Content-Length
    await v1.putStream('large-chunked', Readable.from([large.subarray(0, 8 << 20), large.subarray(8 << 20)]));
    assert.equal(md5((await v1.get('small')).content), md5(small));
    assert.equal(md5((await v1.get('large')).content), md5(large));
    assert.equal(md5((await v1.get('large-chunked')).content), md5(large));
    const listed = (await v1.list({ 'max-keys': 100 })).objects.map((o) => o.name).sort();
    assert.deepEqual(listed, ['large', 'large-chunked', 'small']);
    console.log('V1 path-style: PUT 4 KiB, PUT 20 MiB (Content-Length and chunked), GET x3 (MD5 equal), list: ok');
    const v4 = client({ bucket, authorizationV4: true });
    await v4.put('v4-small', small);
    assert.equal(md5((await v4.get('v4-small')).content), md5(small));
    await v4.put('v4-large', large);
    assert.equal(md5((await v4.get('v4-large')).content), md5(large));
    assert.equal((await v4.list({ prefix: 'v4-' })).objects.length, 2);
    console.log('V4 path-style: PUT 4 KiB and 20 MiB, GET, list: ok');
    const vh = new OSS({ ...base, endpoint: `http://localhost:${port}`, bucket, agent: toLoopback });
    await vh.put('vh', small);
    assert.equal(md5((await vh.get('vh')).content), md5(small));
    const vh4 = new OSS({ ...base, endpoint: `http://localhost:${port}`, bucket, agent: toLoopback, authorizationV4: true });
    assert.equal(md5((await vh4.get('vh')).content), md5(small));
    console.log('virtual-hosted (Host try-front.localhost:<port>), V1 PUT/GET and V4 GET: ok');
    const url = v1.signatureUrl('small', { expires: 300 });
    const signed = await fetchVia(url);
    assert.equal(signed.status, 200);
    assert.equal(md5(signed.body), md5(small));
    const url4 = await v4.signatureUrlV4('GET', 300, undefined, 'small');
    const signed4 = await fetchVia(url4);
    assert.equal(signed4.status, 200, signed4.body.toString());
    assert.equal(md5(signed4.body), md5(small));
    console.log('signed URLs (V1 and V4) through the front: ok');
    const ready = await probe('/-/health/ready');
    assert.equal(ready.status, 200);
    console.log(`GET /-/health/ready through the front: ${ready.status} ${ready.body}`);
  } else if (name === 'one-gateway-killed') {
    const v1 = client({ bucket });
    for (let i = 0; i < 10; i++) {
      await v1.put(`after-kill-${i}`, Buffer.from(`x${i}`));
      assert.equal((await v1.get(`after-kill-${i}`)).content.toString(), `x${i}`);
    }
    assert.equal((await v1.list({ prefix: 'after-kill-' })).objects.length, 10);
    console.log('gateway 1 killed: 10 PUT + 10 GET + list through the front: ok');
  } else if (name === 'db-down') {
    const v1 = client({ bucket });
    const err = await v1.get('small').then(() => null, (e) => e);
    assert.ok(err, 'GET should fail while PostgreSQL is down');
    assert.equal(err.status, 503);
    assert.equal(err.code, 'ServiceUnavailable');
    console.log(`PostgreSQL down: GET -> ${err.status} ${err.code}`);
    const ready = await probe('/-/health/ready');
    assert.equal(ready.status, 503);
    assert.equal(JSON.parse(ready.body).metadata, 'unavailable');
    console.log(`PostgreSQL down: /-/health/ready -> ${ready.status} ${ready.body}`);
    const live = await probe('/-/health/live');
    assert.equal(live.status, 200);
    console.log(`PostgreSQL down: /-/health/live -> ${live.status} ${live.body}`);
  } else if (name === 'db-back') {
    const v1 = client({ bucket });
    assert.equal((await v1.get('small')).res.status, 200);
    const ready = await probe('/-/health/ready');
    assert.equal(ready.status, 200);
    console.log(`PostgreSQL back: GET 200, /-/health/ready ${ready.status}`);
  }
}
phase(process.env.PHASE).catch((e) => { console.error('FAILED:', e); process.exit(1); });
JS

log "checks through the front"
check full
served1=$(grep -c '"status"' "$work/gw1.log" || true)
served2=$(grep -c '"status"' "$work/gw2.log" || true)
log "access-log lines: gateway 1 $served1, gateway 2 $served2"
[ "$served1" -gt 0 ] && [ "$served2" -gt 0 ]

log "SIGKILL gateway 1 (pid ${pids[0]})"
kill -KILL "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
check one-gateway-killed

log "PostgreSQL stopped (pid $pg_pid)"
kill -INT "$pg_pid"; wait_until 15 bash -c "! kill -0 $pg_pid"
pg_pid=
check db-down
log "PostgreSQL started again"
as_pg "$pg_bin/postgres" -D "$work/pg/data" -p "$pg_port" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  -c fsync=off >>"$work/pg/postgres.log" 2>&1 &
wait_until 30 "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"
pg_pid=$(head -1 "$work/pg/data/postmaster.pid")
sleep 1
check db-back
grep -h 'error\|warn' "$work/nginx/error.log" | tail -5 || true
log "all checks passed"
