#!/usr/bin/env bash
# A throwaway one-node Ceph cluster for tests and benchmarks: one monitor and
# one OSD on BlueStore over a sparse file, everything on 127.0.0.1, cephx on.
# No manager: RADOS reads and writes do not need one.
#
#   scripts/ceph-cluster.sh up <dir> [pool]   start; prints the ceph.conf path
#   scripts/ceph-cluster.sh down <dir>        stop by the pids in <dir>/run, remove <dir>
#   scripts/ceph-cluster.sh stop-osd <dir>    stop the OSD (for fault tests)
#   scripts/ceph-cluster.sh start-osd <dir>   start it again on the same data
#
# <dir>/ceph.conf names the admin keyring, so `rados -c <dir>/ceph.conf` and
# ossd's `--blob rados:conf=<dir>/ceph.conf,pool=<pool>` work as they are.
# Every wait gives up after a bound; a failed start leaves <dir>/log for reading.
# OSSD_SKIP_CEPH=1 makes `up` start nothing (the tests then skip their Ceph cases).
set -euo pipefail

usage() { echo "usage: $0 up|down|stop-osd|start-osd <dir> [pool]" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
dir=$(realpath -m "$2")
pool=${3:-ossd}
conf="$dir/ceph.conf"

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local seconds=$1; shift
  for _ in $(seq 1 "$((seconds * 4))"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  return 1
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  for _ in $(seq 1 50); do
    local port=$((20000 + RANDOM % 20000))
    port_is_free "$port" && { echo "$port"; return 0; }
  done
  echo "no free port found" >&2
  return 1
}

start_osd() {
  ceph-osd -c "$conf" -i 0 >>"$dir/log/osd-start.log" 2>&1
  if ! wait_for 90 bash -c "ceph -c '$conf' osd dump 2>/dev/null | grep -q '^osd.0 up'"; then
    echo "the OSD did not come up within 90 s; see $dir/log" >&2
    return 1
  fi
}

stop_daemon() {
  local pidfile="$dir/run/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
}

up() {
  if [ "${OSSD_SKIP_CEPH:-}" = 1 ]; then
    echo "OSSD_SKIP_CEPH=1: no cluster started"
    return 0
  fi
  [ -e "$dir" ] && { echo "$dir exists; run '$0 down $dir' first" >&2; exit 1; }
  for tool in ceph-mon ceph-osd ceph ceph-authtool monmaptool; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
  done
  mkdir -p "$dir"/{run,log,mon-a,osd-0}
  local fsid mon_port
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(pick_port)
  cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
osd crush chooseleaf type = 0
osd objectstore = bluestore
bluestore block path = $dir/osd-0/block.file
bluestore block create = true
bluestore block size = 8589934592
osd memory target = 939524096
bluestore cache autotune = false
bluestore cache size = 134217728
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
mon data = $dir/mon-\$id
osd data = $dir/osd-\$id
keyring = $dir/keyring
CONF
  local keyring="$dir/keyring"
  ceph-authtool --create-keyring "$keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
    --cap mgr 'allow *' >/dev/null
  ceph-authtool "$keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$keyring"
  ceph-mon -c "$conf" -i a >>"$dir/log/mon-start.log" 2>&1
  if ! wait_for 60 timeout 5 ceph -c "$conf" mon stat; then
    echo "the monitor did not answer within 60 s; see $dir/log" >&2
    exit 1
  fi
  local osd_uuid
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph -c "$conf" osd new "$osd_uuid" >/dev/null
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.log" 2>&1
  start_osd
  ceph -c "$conf" osd pool create "$pool" 8 >/dev/null 2>&1
  ceph -c "$conf" osd pool application enable "$pool" ossd >/dev/null 2>&1
  # The pool takes writes once its placement groups are active.
  if ! wait_for 60 timeout 10 rados -c "$conf" -p "$pool" put ossd-ready /dev/null; then
    echo "pool $pool did not take a write within 60 s; see $dir/log" >&2
    exit 1
  fi
  rados -c "$conf" -p "$pool" rm ossd-ready
  echo "$conf"
}

down() {
  [ -d "$dir" ] || return 0
  stop_daemon osd.0
  stop_daemon mon.a
  rm -rf "$dir"
}

case "$action" in
  up) up ;;
  down) down ;;
  stop-osd) stop_daemon osd.0 ;;
  start-osd) start_osd ;;
  *) usage ;;
esac
