#!/usr/bin/env bash
# Builds ossd and runs it on the embedded default (SQLite metadata, objects
# on local disk in ./data), listening on 127.0.0.1:9000. Extra arguments go
# to ossd (see `build/src/server/ossd --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >&2
exec build/src/server/ossd "$@"
