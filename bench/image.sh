#!/usr/bin/env bash
# x-oss-process benchmark (issue #5): ossd over HTTP (derived-image cache off)
# against sharp (npm, in-process) and vipsthumbnail (process start included)
# on the same 12-megapixel JPEG, plus the plain-GET p99 idle vs under 32
# thumbnail clients. See docs/IMAGE.md for the last table. ~2-3 minutes.
#
#   bench/image.sh                       # needs build/src/server/ossd
#   OSSD_BIN=build-x/src/server/ossd N=30 LOAD_SECONDS=8 REPORT=out.md bench/image.sh
#
# Needs: node + tests/node_modules (scripts/install-deps.sh), the vips CLI
# tools (Debian libvips-tools), wrk (bench/install.sh). sharp is installed
# here only, from bench/image/package-lock.json (npm ci), never by the tests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export OSSD_BIN=${OSSD_BIN:-$repo/build/src/server/ossd}

for tool in node npm vips vipsthumbnail wrk; do
  command -v "$tool" >/dev/null || { echo "missing $tool (see the header of $0)" >&2; exit 1; }
done
[ -x "$OSSD_BIN" ] || { echo "no ossd binary at $OSSD_BIN (build it, or set OSSD_BIN)" >&2; exit 1; }
[ -d "$repo/tests/node_modules/ali-oss" ] || { echo "tests/node_modules missing: run scripts/install-deps.sh" >&2; exit 1; }

if [ ! -d "$here/image/node_modules/sharp" ]; then
  echo "installing sharp for the benchmark (npm ci in bench/image)"
  (cd "$here/image" && npm ci --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d /tmp/ossd-bench-image.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A photo-like 4000x3000 source: smooth Perlin noise at three scales (one per
# band) for large shapes, plus Gaussian noise for texture, saved as a q90
# 4:2:0 JPEG. Deterministic apart from the noise seeds libvips picks.
vips perlin "$work/r.v" 4000 3000 --cell-size 700
vips perlin "$work/g.v" 4000 3000 --cell-size 400
vips perlin "$work/b.v" 4000 3000 --cell-size 1100
vips bandjoin "$work/r.v $work/g.v $work/b.v" "$work/rgb.v"
vips linear "$work/rgb.v" "$work/scaled.v" 110 128
vips gaussnoise "$work/noise.v" 4000 3000 --sigma 14 --mean 0
vips add "$work/scaled.v" "$work/noise.v" "$work/photo.v"
vips cast "$work/photo.v" "$work/photo-u8.v" uchar
vips copy "$work/photo-u8.v" "$work/photo.jpg[Q=90,subsample-mode=on]"
rm -f "$work"/*.v
echo "source: $(vipsheader "$work/photo.jpg") $(stat -c %s "$work/photo.jpg") bytes"

# One libvips thread per image everywhere (ossd sets it itself; sharp with
# sharp.concurrency(1)); 2 images in flight use both cores.
export VIPS_CONCURRENCY=1
node "$here/image/bench.mjs" "$work/photo.jpg" "$work"
