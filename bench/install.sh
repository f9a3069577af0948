#!/usr/bin/env bash
# Installs what the benchmark needs: nginx (Debian build: static files + WebDAV PUT) and wrk.
# Debian 12, as root. Idempotent: on a prepared machine it only checks.
# node and the ali-oss SDK come with the test harness (tests/node_modules, see scripts/install-deps.sh).
set -euo pipefail

packages=(nginx wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The Debian package would start a system nginx on :80 where services may start; the benchmark
  # runs its own private nginx, so keep the package's service from starting during the install.
  added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  trap '[ "$added_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v wrk >/dev/null || { echo "wrk missing after install" >&2; exit 1; }
[ -x /usr/sbin/nginx ] || { echo "nginx missing after install" >&2; exit 1; }
command -v node >/dev/null || { echo "node missing: run scripts/install-deps.sh" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$here/../tests/node_modules/ali-oss" ] || {
  echo "ali-oss SDK missing: run (cd tests && npm ci) or scripts/install-deps.sh" >&2; exit 1; }
echo "bench tools ready: $(/usr/sbin/nginx -v 2>&1), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
