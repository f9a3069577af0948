#!/usr/bin/env bash
# Installs every system package ossd needs to build and test (Debian 12, as root).
# Idempotent: a second run on a prepared machine only checks.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev libsqlite3-dev libpugixml-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libcli11-dev libisal-dev liblzma-dev libpq-dev postgresql
  librados-dev ceph-mon ceph-osd ceph-common
  libgtest-dev libgmock-dev libbenchmark-dev
  libvips-dev libvips-tools clang-14 libclang-rt-14-dev clang-format-14 clang-tidy-14
  curl chromium
)
# node and npm drive the interop tests; a machine that already has them (e.g. a
# NodeSource build with npm bundled) keeps its own.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
