#!/usr/bin/env bash
# The seed's "your_sts_server" for a local ossd, and the page that uses it.
# Sets up (idempotently) what the page needs with the account's root key:
#   * the bucket, with a CORS rule for the page's origin;
#   * role oss-browser-role, trusting the account, with policy
#     <bucket>-browser-rw (everything on that bucket and its objects);
# then runs `ossctl sts serve`, which answers GET /sts with a fresh temporary
# credential of that role and serves this directory (and ali-oss's browser
# build) at http://$ADDRESS/.
#
#   OSS_ENDPOINT=http://127.0.0.1:9000 OSS_ACCESS_KEY_ID=... OSS_ACCESS_KEY_SECRET=... \
#     examples/browser-sts/serve.sh
#
# Settings (environment): BUCKET (examplebucket), ADDRESS (127.0.0.1:8080),
# PAGE_ORIGIN (http://$ADDRESS; the bucket's CORS rule), DURATION (900),
# POLICY (a session policy file narrowing every credential), OSSCTL, SDK_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ossctl=${OSSCTL:-$here/../../build/src/cli/ossctl}
sdk_dir=${SDK_DIR:-$here/../../tests/node_modules/ali-oss/dist}
: "${OSS_ENDPOINT:=http://127.0.0.1:9000}"
export OSS_ENDPOINT
bucket=${BUCKET:-examplebucket}
address=${ADDRESS:-127.0.0.1:8080}
origin=${PAGE_ORIGIN:-http://$address}
role=oss-browser-role
policy=$bucket-browser-rw

if [[ ! -f $sdk_dir/aliyun-oss-sdk.min.js ]]; then
  echo "no $sdk_dir/aliyun-oss-sdk.min.js: install the test packages (cd tests && npm ci) or set SDK_DIR" >&2
  exit 2
fi

# Runs ossctl; an "already exists" answer counts as done, so the script can
# run again against the same ossd.
ensure() {
  local out
  if out=$("$ossctl" "$@" 2>&1); then return 0; fi
  if grep -q -e AlreadyExists -e BucketAlreadyExists <<<"$out"; then return 0; fi
  echo "$out" >&2
  return 1
}

account=$("$ossctl" sts get-caller-identity | sed -n 's/.*"AccountId": *"\([0-9]*\)".*/\1/p')
[[ -n $account ]] || { echo "cannot read the account id (is ossd at $OSS_ENDPOINT?)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/trust.json" <<EOF
{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::$account:root"]}}]}
EOF
cat >"$work/policy.json" <<EOF
{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":["acs:oss:*:*:$bucket","acs:oss:*:*:$bucket/*"]}]}
EOF

ensure mb "oss://$bucket"
"$ossctl" cors put "oss://$bucket" --origin "$origin" >&2
ensure admin role create "$role" --trust "$work/trust.json"
ensure admin policy create "$policy" --document "$work/policy.json"
ensure admin policy attach "$policy" --role "$role"

# Browsers reach virtual-hosted buckets at <bucket>.localhost, not at an IP.
page_endpoint=${OSS_ENDPOINT/127.0.0.1/localhost}
echo "open the page below with ?endpoint=$page_endpoint&bucket=$bucket" >&2
args=(sts serve --role-arn "acs:ram::$account:role/$role" --session browser --duration "${DURATION:-900}"
      --address "$address" --allow-origin "$origin" --static "$here" --static "$sdk_dir")
[[ -n ${POLICY:-} ]] && args+=(--policy "$POLICY")
rm -rf "$work"
trap - EXIT
exec "$ossctl" "${args[@]}"
