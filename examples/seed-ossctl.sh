#!/usr/bin/env bash
# The same signed URLs made with ossctl and fetched with curl.
#   OSS_ENDPOINT=http://127.0.0.1:9000 OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... examples/seed-ossctl.sh
set -euo pipefail
ossctl=${OSSCTL:-$(dirname "$0")/../build/src/cli/ossctl}
: "${OSS_ENDPOINT:=http://127.0.0.1:9000}"
export OSS_ENDPOINT
object=oss://examplebucket/ossdemo.txt
fetch() { curl -s -o /dev/null -w "%{http_code} %{content_type}\n" "$@"; }

"$ossctl" mb oss://examplebucket || true   # already there is fine
printf 'Hello OSS' > "${TMPDIR:-/tmp}/ossdemo.txt"
"$ossctl" cp "${TMPDIR:-/tmp}/ossdemo.txt" "$object"

echo "GET signed URL: $(fetch "$("$ossctl" sign "$object")")"
echo "PUT {expires 3600}: $(fetch -X PUT --data-binary 'put via URL' -H 'Content-Type:' \
  "$("$ossctl" sign "$object" --method PUT --expires 3600)")"
echo "PUT with Content-Type: $(fetch -X PUT --data-binary 'Hello again' -H 'Content-Type: text/plain; charset=UTF-8' \
  "$("$ossctl" sign "$object" --method PUT --expires 3600 --content-type 'text/plain; charset=UTF-8')")"
echo "GET with response overrides: $(fetch "$("$ossctl" sign "$object" --expires 3600 \
  --response-content-type text/custom --response-content-disposition attachment)")"
echo "GET V4 signed URL: $(fetch "$("$ossctl" sign "$object" --v4)")"
