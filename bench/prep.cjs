// Prepares ossd for bench/all.sh with the real ali-oss SDK (from tests/node_modules):
// creates the bucket, uploads the benchmark files (the same bytes nginx serves), and
// writes V1 signed URLs for wrk.
//
// usage: node prep.cjs PORT BUCKET FILES_DIR OUT_DIR PUT_KEYS
//   env: OSSD_ROOT_ACCESS_KEY_ID, OSSD_ROOT_ACCESS_KEY_SECRET
// writes:
//   OUT_DIR/get-<name>.url  signed GET URL of object <name> for every file in FILES_DIR
//                           (http://127.0.0.1:PORT/BUCKET/<name>?OSSAccessKeyId=..&Expires=..&Signature=..)
//   OUT_DIR/put-paths.txt   PUT_KEYS signed PUT request paths (/BUCKET/put/k<i>?...), one a line,
//                           signed for Content-Type: application/octet-stream
'use strict';
const dns = require('node:dns');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const OSS = require(path.join(__dirname, '..', 'tests', 'node_modules', 'ali-oss'));

const [port, bucket, filesDir, outDir, putKeysArg] = process.argv.slice(2);
if (!port || !bucket || !filesDir || !outDir) {
  console.error('usage: node prep.cjs PORT BUCKET FILES_DIR OUT_DIR PUT_KEYS');
  process.exit(2);
}
const putKeys = Number(putKeysArg || 1000);
const accessKeyId = process.env.OSSD_ROOT_ACCESS_KEY_ID;
const accessKeySecret = process.env.OSSD_ROOT_ACCESS_KEY_SECRET;
const EXPIRES = 3600; // seconds; a full run takes a few minutes

// signatureUrl refuses IP endpoints, so the SDK talks to "localhost"; pin that
// name to 127.0.0.1 (ossd listens on IPv4 loopback only) and refuse anything else.
const agent = new http.Agent({
  keepAlive: true,
  lookup(hostname, options, cb) {
    if (typeof options === 'function') { cb = options; options = {}; }
    if (String(hostname).toLowerCase() !== 'localhost') {
      process.nextTick(cb, Object.assign(new Error(`loopback only: ${hostname}`), { code: 'ENOTFOUND' }));
      return;
    }
    dns.lookup('127.0.0.1', { ...options, family: 4 }, cb);
  },
});

const client = new OSS({
  endpoint: `http://localhost:${port}`,
  sldEnable: true, // path style: http://localhost:PORT/BUCKET/KEY
  region: 'oss-cn-hangzhou',
  accessKeyId,
  accessKeySecret,
  bucket,
  agent,
  timeout: 20000,
});

// Path-style URLs carry the bucket in the path, so they work on any Host;
// wrk gets the IP literal.
const forWrk = (url) => url.replace(`http://localhost:${port}/`, `http://127.0.0.1:${port}/`);

async function main() {
  await client.putBucket(bucket);
  for (const name of fs.readdirSync(filesDir).sort()) {
    const body = fs.readFileSync(path.join(filesDir, name));
    await client.put(name, body);
    const url = forWrk(client.signatureUrl(name, { expires: EXPIRES }));
    fs.writeFileSync(path.join(outDir, `get-${name}.url`), `${url}\n`);
  }
  const lines = [];
  for (let i = 0; i < putKeys; i++) {
    const url = client.signatureUrl(`put/k${i}`, {
      method: 'PUT',
      expires: EXPIRES,
      'Content-Type': 'application/octet-stream',
    });
    lines.push(new URL(url).pathname + new URL(url).search);
  }
  fs.writeFileSync(path.join(outDir, 'put-paths.txt'), `${lines.join('\n')}\n`);
  agent.destroy();
}

main().catch((err) => {
  console.error(`prep failed: ${err.stack || err}`);
  process.exit(1);
});
