// Shared helpers for the ali-oss interop suite: one ossd per test file, one
// ali-oss client per (addressing mode, signature version).
//
// How each mode reaches the loopback server (ali-oss@6.23.0, node build):
//  * path  : endpoint http://localhost:PORT + sldEnable:true
//            -> URL http://localhost:PORT/<bucket>/<key>, Host "localhost:PORT".
//            (127.0.0.1 + sldEnable is NOT usable: the node build then overrides
//            Host to <bucket>.oss-cn-hangzhou.aliyuncs.com AND puts the bucket in
//            the path, so a virtual-hosted server sees the key "<bucket>/<key>".)
//  * vhost : endpoint http://localhost:PORT (default addressing)
//            -> URL http://<bucket>.localhost:PORT/<key>, Host "<bucket>.localhost:PORT"
//            (server domain "localhost"). Node's resolver (glibc: /etc/hosts then
//            DNS) does NOT resolve "<bucket>.localhost" (ENOTFOUND), so every client
//            gets an http.Agent whose `lookup` maps localhost and *.localhost to
//            127.0.0.1 and refuses any other name (loopback only).
//  * ip    : endpoint http://127.0.0.1:PORT (no sldEnable)
//            -> URL http://127.0.0.1:PORT/<key>, and the node build overrides
//            Host to "<bucket>.oss-cn-hangzhou.aliyuncs.com" (virtual-hosted from
//            the server's point of view, region suffix instead of the domain).
//            Caveat: for service-level calls (listBuckets) the SDK then sends
//            Host ".oss-cn-hangzhou.aliyuncs.com" (empty bucket); that case has
//            its own test in bucket.test.mjs.
// Each mode runs with V1 (HMAC-SHA1 header) and V4 (authorizationV4:true) signing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import OSS from 'ali-oss';
import { startTwoGateways, twoGatewayMode } from '../../lib/deployment.mjs';
import { startServer } from '../../lib/server.mjs';

export { OSS };
export const REGION = 'oss-cn-hangzhou';

export const MODES = [
  { name: 'path-v1', style: 'path', v4: false },
  { name: 'path-v4', style: 'path', v4: true },
  { name: 'vhost-v1', style: 'vhost', v4: false },
  { name: 'vhost-v4', style: 'vhost', v4: true },
  { name: 'ip-v1', style: 'ip', v4: false },
  { name: 'ip-v4', style: 'ip', v4: true },
];
// The four modes the brief asks for (path/vhost x V1/V4), for the heavier tests.
export const CORE_MODES = MODES.filter((m) => m.style !== 'ip');

// Per-test time bound (node:test `timeout` option), and per-request SDK timeout.
export const TEST_TIMEOUT = 30_000;
const REQUEST_TIMEOUT = 20_000;

function loopbackLookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  const name = String(hostname).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) {
    // Resolving the literal returns it unchanged (honours options.all / family).
    dns.lookup('127.0.0.1', { ...options, family: 4 }, callback);
    return;
  }
  process.nextTick(callback, Object.assign(new Error(`interop suite is loopback-only, refused to resolve ${hostname}`), { code: 'ENOTFOUND' }));
}

// Starts ossd (through the shared harness) and attaches a loopback agent.
// With OSSD_TEST_DEPLOYMENT=two-gateways the suite talks to two gateways on
// PostgreSQL and RADOS instead, each request going to the other gateway
// than the last (tests/lib/deployment.mjs).
export async function startOssd(opts) {
  const server = twoGatewayMode ? await startTwoGateways(opts) : await startServer(opts);
  server.agent = new http.Agent({ keepAlive: true, maxSockets: 16, lookup: loopbackLookup });
  return server;
}

export async function stopOssd(server) {
  if (!server) return;
  server.agent.destroy();
  await server.stop();
}

// An ali-oss client for one mode. `bucket` is optional (bucket-level calls take
// the name as an argument); `extra` overrides any option (e.g. a wrong secret).
export function makeClient(server, mode, bucket, extra = {}) {
  const opts = {
    accessKeyId: server.accessKeyId,
    accessKeySecret: server.accessKeySecret,
    region: REGION,
    authorizationV4: mode.v4,
    agent: server.agent,
    timeout: REQUEST_TIMEOUT,
  };
  if (mode.style === 'path') {
    opts.endpoint = server.localhostEndpoint;
    opts.sldEnable = true;
  } else if (mode.style === 'vhost') {
    opts.endpoint = server.localhostEndpoint;
  } else if (mode.style === 'ip') {
    opts.endpoint = server.endpoint;
  } else {
    throw new Error(`unknown mode style ${mode.style}`);
  }
  if (bucket) opts.bucket = bucket;
  return new OSS({ ...opts, ...extra });
}

// Unique, valid bucket names: [a-z0-9-], 3..63, start/end alphanumeric.
let bucketSeq = 0;
const runTag = crypto.randomBytes(3).toString('hex');
export function bucketName(tag, mode) {
  bucketSeq += 1;
  const name = `it-${tag}-${mode ? mode.name : 'x'}-${runTag}${bucketSeq}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  assert.ok(name.length <= 63, `bucket name too long: ${name}`);
  return name;
}

// Creates a bucket with a root client of the given mode and returns a client bound to it.
export async function freshBucket(server, mode, tag) {
  const name = bucketName(tag, mode);
  const admin = makeClient(server, mode);
  const r = await admin.putBucket(name);
  assertRequestId(r.res, `putBucket ${name}`);
  return { name, client: makeClient(server, mode, name) };
}

export const REQUEST_ID_RE = /^[0-9A-Fa-f]{24}$/;

// Every OSS response carries x-oss-request-id (24 hex chars).
export function assertRequestId(res, what = 'response') {
  assert.ok(res && res.headers, `${what}: no response headers`);
  const id = res.headers['x-oss-request-id'];
  assert.match(String(id ?? ''), REQUEST_ID_RE, `${what}: x-oss-request-id is ${JSON.stringify(id)}`);
  return id;
}

// An identity change (a disabled key, a detached policy) takes effect on the
// gateway that made it at once, and on every other gateway of a deployment
// within 5 s (issue #7's bound; the credential cache's refresh interval).
// Runs `attempt` (a check that throws until the change shows) until it passes
// or that bound is over.
export const IDENTITY_PROPAGATION_MS = twoGatewayMode ? 5000 : 0;
export async function afterIdentityChange(attempt) {
  const deadline = Date.now() + IDENTITY_PROPAGATION_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

// Awaits a promise that must reject with an OSS error of the given code/status
// (as parsed by the SDK); also requires a request id on the error.
export async function expectOssError(promise, code, status, what = code) {
  let err;
  try {
    const r = await promise;
    assert.fail(`${what}: expected ${code} (${status}) but the call succeeded with status ${r && r.res && r.res.status}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.equal(err.code, code, `${what}: err.code (status ${err.status}, message ${JSON.stringify(err.message)})`);
  assert.equal(err.status, status, `${what}: err.status`);
  assert.match(String(err.requestId ?? ''), REQUEST_ID_RE, `${what}: err.requestId is ${JSON.stringify(err.requestId)}`);
  return err;
}

export const md5hex = (buf) => crypto.createHash('md5').update(buf).digest('hex');
export const md5b64 = (buf) => crypto.createHash('md5').update(buf).digest('base64');
// Simple-object ETag as OSS returns it: quoted upper-case hex MD5.
export const simpleEtag = (buf) => `"${md5hex(buf).toUpperCase()}"`;
// Multipart ETag: "<UPPER hex MD5 of the concatenated binary part MD5s>-<count>".
export function multipartEtag(buf, partSize) {
  const digests = [];
  for (let off = 0; off < buf.length; off += partSize) {
    digests.push(crypto.createHash('md5').update(buf.subarray(off, Math.min(off + partSize, buf.length))).digest());
  }
  const h = crypto.createHash('md5').update(Buffer.concat(digests)).digest('hex').toUpperCase();
  return `"${h}-${digests.length}"`;
}

// CRC-64/XZ (ECMA-182 reflected, init/xorout all ones), as x-oss-hash-crc64ecma.
// Computed on two 32-bit halves to stay fast on multi-MiB buffers.
const CRC_LO = new Uint32Array(256);
const CRC_HI = new Uint32Array(256);
(() => {
  const POLY_LO = 0xd7870f42;
  const POLY_HI = 0xc96c5795;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi >>>= 1;
      if (bit) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    CRC_LO[i] = lo;
    CRC_HI[i] = hi;
  }
})();

export function crc64(buf) {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  for (let i = 0; i < buf.length; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = (((lo >>> 8) | ((hi & 0xff) << 24)) ^ CRC_LO[idx]) >>> 0;
    hi = ((hi >>> 8) ^ CRC_HI[idx]) >>> 0;
  }
  lo = (lo ^ 0xffffffff) >>> 0;
  hi = (hi ^ 0xffffffff) >>> 0;
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString(10);
}

// Deterministic pseudo-random bytes (so a failure is reproducible).
export function randomBytesSeeded(n, seed = 1) {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// Empties and deletes a bucket (best effort; used in cleanup only).
export async function dropBucket(client, name) {
  try {
    for (;;) {
      const r = await client.list({ 'max-keys': 1000 });
      if (!r.objects.length) break;
      await client.deleteMulti(r.objects.map((o) => o.name), { quiet: true });
      if (!r.isTruncated) break;
    }
    const ups = await client.listUploads({});
    for (const u of ups.uploads) await client.abortMultipartUpload(u.name, u.uploadId);
    await client.deleteBucket(name);
  } catch {
    // cleanup only: the server is torn down with its data dir anyway
  }
}
