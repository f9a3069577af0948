// Prints the request headers ali-oss (tests/node_modules) signs for one GET of
// an object, with a V1 Authorization header, for bench/all.sh to replay with
// wrk (-H). Works for a long-term key and for an STS credential (then the
// x-oss-security-token header is part of the signed request). The signature
// covers the x-oss-date header printed with it, so the replayed request stays
// valid for the server's 15-minute clock-skew window.
//
// usage: node headers.cjs PORT BUCKET OBJECT > headers.txt
//   env: OSS_KEY_ID, OSS_KEY_SECRET, OSS_STS_TOKEN (optional)
// prints: one "Name: value" line per header (no Host: wrk sends its own, and
//         the bucket is in the path, so the signature does not depend on it).
'use strict';
const path = require('node:path');
const OSS = require(path.join(__dirname, '..', 'tests', 'node_modules', 'ali-oss'));
const { createRequest } = require(
  path.join(__dirname, '..', 'tests', 'node_modules', 'ali-oss', 'lib', 'common', 'utils', 'createRequest'),
);

const [port, bucket, object] = process.argv.slice(2);
if (!port || !bucket || !object) {
  console.error('usage: node headers.cjs PORT BUCKET OBJECT');
  process.exit(2);
}
const client = new OSS({
  endpoint: `http://localhost:${port}`,
  sldEnable: true, // path style: /BUCKET/OBJECT
  region: 'oss-cn-hangzhou',
  accessKeyId: process.env.OSS_KEY_ID,
  accessKeySecret: process.env.OSS_KEY_SECRET,
  stsToken: process.env.OSS_STS_TOKEN || undefined,
  bucket,
});
// The same request object the SDK builds for client.get(object), signed, not sent.
const request = createRequest.call(client, client._objectRequestParams('GET', object));
for (const [name, value] of Object.entries(request.params.headers)) {
  if (value === undefined || value === null || name.toLowerCase() === 'host') continue;
  if (name.toLowerCase() === 'user-agent') continue;
  process.stdout.write(`${name}: ${value}\n`);
}
